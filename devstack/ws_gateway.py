"""The websocket gateway: API Gateway's WebSocket API in front of the Chalice handlers.

`GET /ws?ticket=...` runs the `$connect` handler before the handshake; a non-2xx
`statusCode` refuses it with that HTTP status. Each text message becomes a `$default`
event, and `$disconnect` runs after the socket closes, whoever closed it. API Gateway's
limits apply: text frames only (a binary frame closes with 1003), messages up to 128 KB
(beyond, 1009), an idle timeout (10 minutes; a parameter) and a 2-hour maximum (1001).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiohttp import WSCloseCode, WSMsgType, hdrs, web

from devstack.lambda_runtime import LambdaRuntime
from devstack.options import WS_PATH
from devstack.ws_connections import LiveConnection, LiveConnections
from devstack.ws_events import (
    ConnectionContext,
    connect_event,
    disconnect_event,
    message_event,
    new_id,
)

logger = logging.getLogger("devstack.ws_gateway")

MAX_MESSAGE_BYTES = 128 * 1024
MAX_LIFETIME_SECONDS = 2 * 60 * 60.0


class WebsocketGateway:
    def __init__(
        self,
        runtime: LambdaRuntime,
        connections: LiveConnections,
        *,
        api_id: str,
        stage: str,
        idle_timeout: float,
        max_lifetime: float = MAX_LIFETIME_SECONDS,
    ) -> None:
        self._runtime = runtime
        self._connections = connections
        self._api_id = api_id
        self._stage = stage
        self._idle_timeout = idle_timeout
        self._max_lifetime = max_lifetime

    def routes(self) -> list[web.RouteDef]:
        return [web.get(WS_PATH, self.handle, allow_head=False)]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES, compress=False)
        if not socket.can_prepare(request).ok:
            return web.Response(status=426, text="this is a websocket endpoint\n")
        context = ConnectionContext(
            connection_id=new_id(),
            api_id=self._api_id,
            stage=self._stage,
            domain_name=request.host,
            connected_at=datetime.now(UTC),
            source_ip=request.remote or "",
            user_agent=request.headers.get(hdrs.USER_AGENT, ""),
        )
        status = await self._connect(context, request)
        if not 200 <= status < 300:
            return web.Response(status=status)
        await socket.prepare(request)
        connection = LiveConnection(context=context, socket=socket)
        self._connections.add(connection)
        try:
            await self._receive(connection)
        finally:
            self._connections.remove(context.connection_id)
            await self._disconnect(connection)
        return socket

    async def close_all(self, _: web.Application | None = None) -> None:
        """On shutdown: close every connection, so each gets its `$disconnect`."""
        for connection in self._connections:
            await connection.close(WSCloseCode.GOING_AWAY, "Going away")

    async def _connect(self, context: ConnectionContext, request: web.Request) -> int:
        event = connect_event(context, query=request.query.items(), headers=request.headers.items())
        try:
            response = await self._runtime.invoke(
                self._runtime.websocket_handler("$connect"), event
            )
        except Exception:  # a failing Lambda is a 500 at API Gateway too
            logger.exception("the $connect handler failed")
            return 500
        return int((response or {}).get("statusCode", 200))

    async def _receive(self, connection: LiveConnection) -> None:
        socket = connection.socket
        while True:
            seconds_left = connection.seconds_left(
                idle_timeout=self._idle_timeout, max_lifetime=self._max_lifetime
            )
            if seconds_left <= 0:
                await connection.close(WSCloseCode.GOING_AWAY, "Going away")
                return
            try:
                message = await socket.receive(timeout=seconds_left)
            except TimeoutError:
                continue  # the loop decides whether the connection was really idle
            if message.type is WSMsgType.TEXT:
                connection.touch()
                await self._deliver(connection, message.data)
            elif message.type is WSMsgType.BINARY:
                await connection.close(WSCloseCode.UNSUPPORTED_DATA, "Binary frames not supported")
                return
            else:  # closing, closed, or a protocol error aiohttp already closed (e.g. 1009)
                return

    async def _deliver(self, connection: LiveConnection, body: str) -> None:
        event = message_event(connection.context, body)
        try:
            await self._runtime.invoke(self._runtime.websocket_handler("$default"), event)
        except Exception:  # API Gateway answers a failed Lambda, and so do we
            logger.exception("the $default handler failed")
            if not connection.socket.closed:
                await connection.socket.send_json(
                    {
                        "message": "Internal server error",
                        "connectionId": connection.context.connection_id,
                        "requestId": event["requestContext"]["requestId"],
                    }
                )

    async def _disconnect(self, connection: LiveConnection) -> None:
        code, reason = connection.close_status()
        event = disconnect_event(connection.context, status_code=code, reason=reason)
        try:
            await self._runtime.invoke(self._runtime.websocket_handler("$disconnect"), event)
        except Exception:  # nobody is left to answer; log it like Lambda would
            logger.exception("the $disconnect handler failed")
