"""Without a domain, the app reads the site's address from SSM through Powertools Parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from chalicelib import wiring
from chalicelib.config import Settings
from chalicelib.errors import ConfigError
from tests.support.fakes import FakeWebsocketApi, FrozenClock

NAME = "/vestibule/test/public-base-url"
ADDRESS = "https://d111abcdef8.cloudfront.net"


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    parameters.clear_caches()
    yield
    parameters.clear_caches()


def test_the_parameter_is_read_and_cached(aws: None, fresh_cache: None) -> None:
    client = boto3.client("ssm")
    client.put_parameter(Name=NAME, Value=ADDRESS, Type="String")
    assert wiring.read_parameter(NAME, 300) == ADDRESS
    client.put_parameter(Name=NAME, Value="https://elsewhere.example", Overwrite=True)
    assert wiring.read_parameter(NAME, 300) == ADDRESS  # the cached value, within its age
    parameters.clear_caches()  # as when the age has passed
    assert wiring.read_parameter(NAME, 300) == "https://elsewhere.example"


def test_a_missing_parameter_is_a_config_error_naming_it(aws: None, fresh_cache: None) -> None:
    with pytest.raises(ConfigError, match=f"the parameter {NAME} cannot be read"):
        wiring.read_parameter(NAME, 300)


def test_the_app_is_configured_with_the_stored_address(
    tables: None,
    settings: Settings,
    clock: FrozenClock,
    websocket_api: FakeWebsocketApi,
    fresh_cache: None,
) -> None:
    from app import app as chalice_app

    boto3.client("ssm").put_parameter(Name=NAME, Value=ADDRESS + "/", Type="String")
    named = dataclasses.replace(settings, public_base_url_parameter=NAME)
    services = wiring.configure(chalice_app, named, clock=clock, websocket_sender=websocket_api)
    assert services.settings.public_base_url == ADDRESS


def test_a_missing_parameter_stops_the_app_at_configuration(
    tables: None,
    settings: Settings,
    clock: FrozenClock,
    websocket_api: FakeWebsocketApi,
    fresh_cache: None,
) -> None:
    from app import app as chalice_app

    named = dataclasses.replace(settings, public_base_url_parameter=NAME)
    with pytest.raises(ConfigError, match=NAME):
        wiring.configure(chalice_app, named, clock=clock, websocket_sender=websocket_api)
