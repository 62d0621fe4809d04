"""An emulation of API Gateway's Management API: `/ws/@connections/{connectionId}`.

`POST` sends its body to the connection as one text frame, `GET` describes the connection
(`connectedAt`, `lastActiveAt`, `identity`), `DELETE` closes it. An unknown or closed
connection answers 410 with the `x-amzn-ErrorType: GoneException` header, so botocore
raises `GoneException` and Chalice's `app.websocket_api.send` raises
`WebsocketDisconnectedError`, exactly as in AWS. Requests must be signed (any SigV4
`Authorization` will do), which also keeps web pages out.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import hdrs, web

from devstack.options import WS_PATH
from devstack.ws_connections import LiveConnection, LiveConnections

MAX_DATA_BYTES = 128 * 1024


class ManagementApi:
    def __init__(self, connections: LiveConnections) -> None:
        self._connections = connections

    def routes(self) -> list[web.RouteDef]:
        path = f"{WS_PATH}/@connections/{{connection_id}}"
        return [
            web.post(path, self.post_to_connection),
            web.get(path, self.get_connection, allow_head=False),
            web.delete(path, self.delete_connection),
        ]

    async def post_to_connection(self, request: web.Request) -> web.Response:
        connection = self._find(request)
        if isinstance(connection, web.Response):
            return connection
        data = await request.read()
        if len(data) > MAX_DATA_BYTES:
            return aws_error(413, "PayloadTooLargeException", "Message too long")
        try:
            await connection.socket.send_str(data.decode("utf-8", errors="replace"))
        except ConnectionError:
            return _gone()
        connection.touch()
        return web.Response(status=200)

    async def get_connection(self, request: web.Request) -> web.Response:
        connection = self._find(request)
        if isinstance(connection, web.Response):
            return connection
        context = connection.context
        # The wire format (botocore's model: `locationName`s); boto3 returns it as
        # {"ConnectedAt": datetime, "Identity": {"SourceIp": ..., "UserAgent": ...}, ...}.
        return web.json_response(
            {
                "connectedAt": _iso(context.connected_at),
                "lastActiveAt": _iso(connection.last_active_at),
                "identity": {"sourceIp": context.source_ip, "userAgent": context.user_agent},
            }
        )

    async def delete_connection(self, request: web.Request) -> web.Response:
        connection = self._find(request)
        if isinstance(connection, web.Response):
            return connection
        await connection.close(1000, "Connection deleted")
        return web.Response(status=204)

    def _find(self, request: web.Request) -> LiveConnection | web.Response:
        if not request.headers.get(hdrs.AUTHORIZATION, "").startswith("AWS4-HMAC-SHA256 "):
            return aws_error(403, "ForbiddenException", "Missing Authentication Token")
        connection = self._connections.get(request.match_info["connection_id"])
        return _gone() if connection is None else connection


def aws_error(status: int, error_type: str, message: str) -> web.Response:
    """An error as AWS REST-JSON services send it; botocore reads the type from the header."""
    return web.json_response(
        {"message": message}, status=status, headers={"x-amzn-ErrorType": error_type}
    )


def _gone() -> web.Response:
    return aws_error(410, "GoneException", "the connection is gone")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
