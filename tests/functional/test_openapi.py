"""The OpenAPI document: valid, served, and in step with the app's routes both ways."""

from __future__ import annotations

import json

from chalice import Chalice
from chalice.test import Client
from openapi_spec_validator import validate

from chalicelib.routes.openapi_document import document

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def test_the_document_is_valid_openapi_3_1() -> None:
    spec = document()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_route_is_documented_and_every_documented_route_exists(app: Chalice) -> None:
    routes = {(method.lower(), path) for path, methods in app.routes.items() for method in methods}
    documented = {
        (method, path)
        for path, item in document()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert routes - documented == set(), "routes missing from chalicelib/routes/openapi_document.py"
    assert documented - routes == set(), "documented operations with no route"


def test_the_document_is_served_at_api_openapi_json(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.get("/api/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.body) == json.loads(json.dumps(document()))
