"""Fixtures of the functional tests (moto + the Chalice test client)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import HTTPResponse, TestHTTPClient

from chalicelib.routes.openapi_document import document
from chalicelib.store.models import TABLE_MODELS
from tests.support.openapi_check import AnswerChecker


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


@pytest.fixture(autouse=True)
def answers_match_the_openapi_document(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every answer a functional test receives from the app is checked against the document.

    Wraps the Chalice test client's one request method (every `get`, `post`, ... goes
    through it); a status or body the document does not describe fails the test. A test
    marked `crashes_on_purpose` (Chalice's own 500 is not ours to describe) is left alone.
    """
    if request.node.get_closest_marker("crashes_on_purpose"):
        return
    from app import app as vestibule

    checker = AnswerChecker(document())
    original = TestHTTPClient.request

    def checked(self: TestHTTPClient, method: str, path: str, **kwargs: Any) -> HTTPResponse:
        response = original(self, method, path, **kwargs)
        if self._app is vestibule:
            checker.check(method, path, response.status_code, response.body)
        return response

    monkeypatch.setattr(TestHTTPClient, "request", checked)
