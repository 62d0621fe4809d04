"""The Chalice app as a WSGI application, through Chalice's own test gateway, in process.

Schemathesis calls WSGI apps directly (no server, no port); this turns each WSGI request
into a `chalice.test.Client` request and its answer back into a WSGI response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from chalice import Chalice
from chalice.test import Client

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(app: Chalice) -> WsgiApp:
    client = Client(app)

    def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]
        if "?" not in path and environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        response = client.http.request(environ["REQUEST_METHOD"], path, headers=headers, body=body)
        status = HTTPStatus(response.status_code)
        start_response(
            f"{status.value} {status.phrase}",
            [(name, str(value)) for name, value in response.headers.items()],
        )
        return [response.body]

    return serve
