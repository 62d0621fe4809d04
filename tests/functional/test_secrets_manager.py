"""In AWS the app reads its secrets from Secrets Manager through Powertools Parameters."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from chalicelib import wiring
from chalicelib.config import Settings
from tests.conftest import TEST_ENVIRONMENT

MEDIA = "m" * 48


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    parameters.clear_caches()
    yield
    parameters.clear_caches()


def test_secrets_named_in_the_environment_are_read_and_cached(aws: None, fresh_cache: None) -> None:
    client = boto3.client("secretsmanager")
    arn = client.create_secret(Name="vestibule-test-media-control", SecretString=MEDIA)["ARN"]
    settings = Settings.from_environ(
        {**TEST_ENVIRONMENT, "VESTIBULE_MEDIA_SHARED_SECRET_NAME": arn}
    ).with_secrets(wiring.read_secret)
    assert settings.media_shared_secret == MEDIA
    client.put_secret_value(SecretId=arn, SecretString="n" * 48)
    assert wiring.read_secret(arn, 300) == MEDIA  # the cached value, within its age
    parameters.clear_caches()  # as when the age has passed
    assert wiring.read_secret(arn, 300) == "n" * 48
