"""The one place where errors become HTTP responses and websocket error frames.

HTTP: a `VestibuleError` raised by a route becomes its status with the body
`{"error": {"code": ..., "message": ..., <details>}}`. Websockets: on `$connect` it refuses
the connection with its status; on a message it sends an error frame to the sender. An
unexpected exception in a websocket message handler is logged and answered with an
`internal_error` frame (Chalice already turns them into a 500 for HTTP).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response
from chalice.app import WebsocketEvent

from chalicelib.errors import RateLimited, VestibuleError
from chalicelib.observability import logger
from chalicelib.realtime.protocol import request_id_of

JSON_HEADERS = {"Content-Type": "application/json"}


def error_body(error: VestibuleError) -> dict[str, Any]:
    return {"code": error.code, "message": error.message, **error.details()}


def http_response(error: VestibuleError) -> Response:
    headers: dict[str, str | list[str]] = dict(JSON_HEADERS)
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    return Response(
        body={"error": error_body(error)}, status_code=error.status_code, headers=headers
    )


def error_frame(error: VestibuleError, request_id: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", **error_body(error)}
    if request_id is not None:
        frame["id"] = request_id
    return frame


def register(app: Chalice, send_frame: Callable[[str, dict[str, Any]], object]) -> None:
    """Install the HTTP and websocket mappings; `send_frame` pushes a frame to a connection."""

    def map_http_errors(event: Any, get_response: Callable[[Any], Any]) -> Any:
        try:
            return get_response(event)
        except VestibuleError as error:
            _log(error)
            return http_response(error)

    def map_websocket_errors(event: WebsocketEvent, get_response: Callable[[Any], Any]) -> Any:
        route_key = event.to_dict()["requestContext"]["routeKey"]
        try:
            return get_response(event)
        except VestibuleError as error:
            _log(error)
            if route_key == "$connect":
                return {"statusCode": error.status_code}
            if route_key == "$default":
                send_frame(event.connection_id, error_frame(error, request_id_of(event.body)))
            return {"statusCode": 200}
        except Exception:  # noqa: BLE001 - the one boundary where a bug meets the client
            logger.exception("websocket handler failed", extra={"route_key": route_key})
            if route_key == "$default":
                send_frame(event.connection_id, error_frame(_INTERNAL, None))
                return {"statusCode": 200}
            return {"statusCode": 500}

    app.register_middleware(map_http_errors, "http")
    app.register_middleware(map_websocket_errors, "websocket")


_INTERNAL = VestibuleError("something went wrong on our side; please try again")


def _log(error: VestibuleError) -> None:
    level = logger.error if error.status_code >= 500 else logger.info
    level("request refused", extra={"error_code": error.code, "status": error.status_code})
