"""Fixtures shared by every suite: dummy AWS credentials, moto, tables, the configured app.

The environment is fixed before anything imports `app` (whose import reads the settings,
as a Lambda cold start does). Tests never reach real AWS: credentials are dummies and any
`AWS_ENDPOINT_URL` from the shell is removed, so moto's in-process mock answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "VESTIBULE_STAGE": "test",
    "POWERTOOLS_SERVICE_NAME": "vestibule",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "VESTIBULE_ATTACHMENTS_BUCKET": "vestibule-test-attachments",
}
os.environ.update(TEST_ENVIRONMENT)
for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "VESTIBULE_WS_MANAGEMENT_ENDPOINT"):
    os.environ.pop(variable, None)

# Imported after the environment is fixed, on purpose.
from chalice import Chalice  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib import wiring  # noqa: E402
from chalicelib.config import Settings  # noqa: E402
from chalicelib.store.tables import bind_models, create_tables  # noqa: E402
from tests.support.fakes import FakeWebsocketApi, FrozenClock  # noqa: E402

#: 09:00 in Paris; tests move time explicitly.
START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def settings() -> Settings:
    return Settings.from_environ(TEST_ENVIRONMENT)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def tables(aws: None, settings: Settings) -> None:
    bind_models(settings)
    create_tables()
    create_attachments_bucket(settings)


def create_attachments_bucket(settings: Settings) -> None:
    """The attachments bucket, versioned as in AWS (`infra/components/files.py`)."""
    import boto3

    s3 = boto3.client("s3", region_name=settings.region)
    bucket = settings.attachments_bucket
    s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.region}
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


@pytest.fixture
def websocket_api() -> FakeWebsocketApi:
    return FakeWebsocketApi()


@pytest.fixture
def app(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> Chalice:
    """The real app, wired against moto, the frozen clock and the fake websocket sender."""
    from app import app as chalice_app

    wiring.configure(chalice_app, settings, clock=clock, websocket_sender=websocket_api)
    return chalice_app
