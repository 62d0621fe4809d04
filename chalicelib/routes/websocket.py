"""The three API Gateway websocket handlers: `$connect`, `$default` and `$disconnect`.

Chalice blueprints cannot carry websocket handlers (their handlers are never wrapped with
the websocket API), so `app.py` registers these three functions on the app itself.

`$connect` redeems the ticket from the query string (`?ticket=...`) and records who holds
the connection; a missing, used or expired ticket refuses it. `$default` parses the
message and dispatches it by `type`; the handler's reply goes back to the sender.
`$disconnect` forgets the connection; one that was in a call is a dropped call first
(`chalicelib.call.exits.CallExits.dropped`).
"""

from __future__ import annotations

from typing import Any

from chalice.app import WebsocketEvent

from chalicelib.errors import Unauthorized
from chalicelib.observability import logger
from chalicelib.realtime.dispatch import MessageContext
from chalicelib.realtime.protocol import parse_message
from chalicelib.wiring import services


def connect(event: WebsocketEvent) -> dict[str, Any]:
    query = event.to_dict().get("queryStringParameters") or {}
    principal = services().tickets.redeem(query.get("ticket"))
    services().connections.record(event.connection_id, principal)
    logger.info(
        "websocket connected",
        extra={"connection_id": event.connection_id, "principal_kind": principal.kind},
    )
    return {"statusCode": 200}


def message(event: WebsocketEvent) -> None:
    connection = services().connections.find(event.connection_id)
    if connection is None:
        raise Unauthorized("this connection is not registered; reconnect with a new ticket")
    inbound = parse_message(event.body)
    reply = services().router.dispatch(MessageContext(connection=connection), inbound)
    if reply is not None:
        services().pusher.push(event.connection_id, reply)


def disconnect(event: WebsocketEvent) -> None:
    connection = services().connections.find(event.connection_id)
    try:
        if connection is not None and connection.call_id is not None:
            services().call_exits.dropped(connection)
    finally:
        services().connections.forget(event.connection_id)
    logger.info("websocket disconnected", extra={"connection_id": event.connection_id})
