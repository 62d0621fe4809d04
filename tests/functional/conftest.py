"""Fixtures of the functional tests (moto + the Chalice test client)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.store.models import TABLE_MODELS


@pytest.fixture
def dynamodb_calls(tables: None) -> Iterator[list[str]]:
    """Names of the DynamoDB operations made through the models from now on."""
    calls: list[str] = []
    clients = {model._get_connection().connection.client for model in TABLE_MODELS}

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    for client in clients:
        client.meta.events.register("before-call.dynamodb", record)
    yield calls
    for client in clients:
        client.meta.events.unregister("before-call.dynamodb", record)
