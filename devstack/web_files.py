"""Serves the web UI's static files from `web/`, as S3 and CloudFront do in AWS.

`/` and any path ending in `/` serve that folder's `index.html`. Nothing outside `web/`
and no hidden file is reachable, and there are no directory listings. Content types come
from a fixed table, so ES modules are always `text/javascript` whatever the machine's
`mimetypes` say.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from devstack import PROJECT_ROOT

WEB_ROOT = PROJECT_ROOT / "web"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
}


def routes(root: Path = WEB_ROOT) -> list[web.RouteDef]:
    root = root.resolve()

    async def serve(request: web.Request) -> web.FileResponse:
        path = resolve(root, request.match_info["path"])
        if path is None:
            raise web.HTTPNotFound()
        content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return web.FileResponse(
            path,
            headers={
                "Content-Type": content_type,
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [web.get("/{path:.*}", serve)]


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under `root` that `url_path` names, or None (missing, hidden or outside)."""
    if url_path == "" or url_path.endswith("/"):
        url_path += "index.html"
    parts = url_path.split("/")
    if any(part.startswith(".") or "\\" in part or part == "" for part in parts):
        return None
    candidate = root.joinpath(*parts).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
