"""API Gateway websocket events, built as API Gateway builds them for the Lambdas.

The shapes follow AWS's documentation of websocket Lambda proxy events: `$connect` carries
the handshake's query string and headers, `$default` the message `body`, `$disconnect` the
close code. Ids look like API Gateway's (e.g. `L0SM9cOFvHcCIhw=`).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id() -> str:
    """A connection, request or message id in API Gateway's style, `=` included."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(15)) + "="


@dataclass(frozen=True, kw_only=True)
class ConnectionContext:
    """What API Gateway knows about one connection; every event of it repeats this."""

    connection_id: str
    api_id: str
    stage: str
    domain_name: str
    connected_at: datetime
    source_ip: str
    user_agent: str


def connect_event(
    context: ConnectionContext,
    *,
    query: Iterable[tuple[str, str]],
    headers: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    return {
        **_event(context, "$connect", "CONNECT"),
        **_multi_value("headers", headers),
        **_multi_value("queryStringParameters", query),
    }


def message_event(context: ConnectionContext, body: str) -> dict[str, Any]:
    return {**_event(context, "$default", "MESSAGE", messageId=new_id()), "body": body}


def disconnect_event(
    context: ConnectionContext, *, status_code: int, reason: str
) -> dict[str, Any]:
    return _event(
        context,
        "$disconnect",
        "DISCONNECT",
        disconnectStatusCode=status_code,
        disconnectReason=reason,
    )


def _event(
    context: ConnectionContext, route_key: str, event_type: str, **more_context: Any
) -> dict[str, Any]:
    now = datetime.now(UTC)
    request_context = {
        "routeKey": route_key,
        "eventType": event_type,
        "messageDirection": "IN",
        "connectionId": context.connection_id,
        "domainName": context.domain_name,
        "stage": context.stage,
        "apiId": context.api_id,
        "requestId": new_id(),
        "extendedRequestId": new_id(),
        "connectedAt": _epoch_ms(context.connected_at),
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": _epoch_ms(now),
        "identity": {"sourceIp": context.source_ip, "userAgent": context.user_agent},
        **more_context,
    }
    return {"requestContext": request_context, "isBase64Encoded": False}


def _multi_value(key: str, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """`{key: {name: last value}, multiValueKey: {name: [values]}}`, or nothing if empty."""
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    if not multi:
        return {}
    return {
        key: {name: values[-1] for name, values in multi.items()},
        f"multiValue{key[0].upper()}{key[1:]}": multi,
    }


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
