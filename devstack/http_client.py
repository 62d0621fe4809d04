"""The app host's one HTTP client session, opened and closed with the web application."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import ClientSession, web

HTTP_CLIENT = web.AppKey("http_client", ClientSession)


async def http_client(app: web.Application) -> AsyncIterator[None]:
    """A `cleanup_ctx` entry: the session lives as long as the application."""
    async with ClientSession(auto_decompress=False) as session:
        app[HTTP_CLIENT] = session
        yield
