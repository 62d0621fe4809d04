"""Fixtures of the end-to-end suite: one real local stack for the suite, and the app.

The stack is `python -m devstack` on free ports with a 1-second sweeper; the fixture waits
until `/dev/status.json` reports every component healthy and, at the end, stops it with
Ctrl-C and checks that it exited 0 and left no process behind. `stack_app` is the app
imported into the test process with the stack's environment, so tests can issue tickets,
read the tables and push through `app.websocket_api` exactly as a Lambda would.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from chalice import Chalice
from playwright.sync_api import Browser

from tests.e2e import local_stack
from tests.e2e.browser import chromium
from tests.e2e.local_stack import RunningStack


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = local_stack.start(tmp_path_factory.mktemp("stack"), sweep_interval=1.0)
    yield running
    local_stack.stop(running)


@pytest.fixture
def stack_app(stack: RunningStack) -> Iterator[Chalice]:
    """Per test, so the stack's environment never leaks into other suites."""
    with local_stack.app_for(stack) as app:
        yield app


@pytest.fixture
def consultation_id() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium with a fake camera and microphone, one per test module."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def management_client(stack: RunningStack) -> Any:
    """A real boto3 client of API Gateway's Management API, pointed at the emulation."""
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=stack.options.management_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
