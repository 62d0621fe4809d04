"""The websocket session points Chalice at the local Management API only when configured."""

from __future__ import annotations

import pytest

from chalicelib.auth.principals import Principal
from chalicelib.realtime.management_api import ManagementApiSession


def test_override_replaces_chalices_https_endpoint() -> None:
    session = ManagementApiSession(
        endpoint_override="http://127.0.0.1:8000/ws", region_name="eu-west-1"
    )
    client = session.client(
        "apigatewaymanagementapi", endpoint_url="https://abc.execute-api.eu-west-1.amazonaws.com/ws"
    )
    assert client.meta.endpoint_url == "http://127.0.0.1:8000/ws"


def test_without_override_chalices_endpoint_is_used() -> None:
    session = ManagementApiSession(endpoint_override=None, region_name="eu-west-1")
    endpoint = "https://abc.execute-api.eu-west-1.amazonaws.com/api"
    client = session.client("apigatewaymanagementapi", endpoint_url=endpoint)
    assert client.meta.endpoint_url == endpoint


def test_other_services_are_untouched() -> None:
    session = ManagementApiSession(
        endpoint_override="http://127.0.0.1:1/ws", region_name="eu-west-1"
    )
    assert "127.0.0.1" not in session.client("dynamodb").meta.endpoint_url


def test_a_participant_always_belongs_to_a_consultation() -> None:
    with pytest.raises(ValueError, match="one consultation"):
        Principal(kind="participant", id="p1", clinic_id="k1")
