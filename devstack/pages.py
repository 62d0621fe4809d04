"""The developer pages' shared frame and their static files (`devstack/static/`).

The status page is static HTML with an ES module that renders `/dev/status.json`; the
outbox is rendered on the server into the same frame. No build step anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_ASSETS = {
    "/dev/": ("status.html", "text/html"),
    "/dev/status.js": ("status.js", "text/javascript"),
    "/dev/devstack.css": ("devstack.css", "text/css"),
    "/dev/media": ("media.html", "text/html"),
    "/dev/media.js": ("media.js", "text/javascript"),
}


def page(title: str, body: str) -> str:
    """A whole HTML page around `body` (already-escaped HTML)."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Vestibule local stack</title>
<link rel="stylesheet" href="/dev/devstack.css">
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


def routes() -> list[web.RouteDef]:
    def serve(name: str, content_type: str) -> Handler:
        async def handler(_: web.Request) -> web.FileResponse:
            return web.FileResponse(
                STATIC_DIR / name,
                headers={"Content-Type": content_type, "Cache-Control": "no-cache"},
            )

        return handler

    async def redirect(_: web.Request) -> web.Response:
        raise web.HTTPFound("/dev/")

    return [web.get("/dev", redirect)] + [
        web.get(path, serve(name, content_type)) for path, (name, content_type) in _ASSETS.items()
    ]
