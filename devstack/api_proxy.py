"""Forwards `/api/*` from the front server to Chalice's local REST server.

In AWS, CloudFront serves the web UI and sends `/api/*` to API Gateway from the same
origin; here the front server does the same, so pages and cookies behave alike.
"""

from __future__ import annotations

from aiohttp import ClientError, hdrs, web
from multidict import CIMultiDict, MultiMapping
from yarl import URL

from devstack.http_client import HTTP_CLIENT

#: Headers that belong to one hop, never forwarded (RFC 9110 7.6.1), plus ones recomputed.
_HOP_HEADERS = frozenset(
    h.lower()
    for h in (
        hdrs.CONNECTION,
        hdrs.KEEP_ALIVE,
        hdrs.PROXY_AUTHENTICATE,
        hdrs.PROXY_AUTHORIZATION,
        hdrs.TE,
        hdrs.TRAILER,
        hdrs.TRANSFER_ENCODING,
        hdrs.UPGRADE,
        hdrs.HOST,
        hdrs.CONTENT_LENGTH,
    )
)


def routes(upstream: str) -> list[web.RouteDef]:
    base = URL(upstream)

    async def forward(request: web.Request) -> web.Response:
        target = base.join(URL(request.raw_path, encoded=True))
        headers = _end_to_end(request.headers)
        headers[hdrs.X_FORWARDED_FOR] = request.remote or ""
        headers[hdrs.X_FORWARDED_HOST] = request.host
        headers[hdrs.X_FORWARDED_PROTO] = request.scheme
        try:
            async with request.app[HTTP_CLIENT].request(
                request.method,
                target,
                headers=headers,
                data=await request.read() or None,  # no body: no invented Content-Type
                allow_redirects=False,
            ) as upstream_response:
                body = await upstream_response.read()
                return web.Response(
                    status=upstream_response.status,
                    body=body,
                    headers=_end_to_end(upstream_response.headers),
                )
        except ClientError:
            return web.json_response({"message": "the REST API is not reachable"}, status=502)

    return [web.route("*", "/api", forward), web.route("*", "/api/{tail:.*}", forward)]


def _end_to_end(headers: MultiMapping[str]) -> CIMultiDict[str]:
    forwarded: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        if name.lower() not in _HOP_HEADERS:
            forwarded.add(name, value)
    return forwarded
