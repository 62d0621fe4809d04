"""Builds API Gateway websocket events by hand (chalice.test has no generator for them)."""

from __future__ import annotations

from typing import Any

API_ID = "testapi"
STAGE = "test"


def _event(route_key: str, event_type: str, connection_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "domainName": f"{API_ID}.execute-api.eu-west-1.amazonaws.com",
            "stage": STAGE,
            "apiId": API_ID,
            "requestId": f"req-{connection_id}",
        },
        "isBase64Encoded": False,
        **extra,
    }


def connect_event(connection_id: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    return _event("$connect", "CONNECT", connection_id, queryStringParameters=query, headers={})


def message_event(connection_id: str, body: str) -> dict[str, Any]:
    return _event("$default", "MESSAGE", connection_id, body=body)


def disconnect_event(connection_id: str) -> dict[str, Any]:
    return _event("$disconnect", "DISCONNECT", connection_id)
