"""The OpenAPI document: valid, served, generated from the models, in step with the routes."""

from __future__ import annotations

import json

from chalice import Chalice
from chalice.test import Client
from openapi_spec_validator import validate

from chalicelib.consultations.request_bodies import MAX_CLINICIANS
from chalicelib.i18n import catalogue
from chalicelib.routes.openapi_document import document

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def test_the_document_is_valid_openapi_3_1(app: Chalice) -> None:
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
    assert routes - documented == set(), "routes registered without chalicelib.routes.operations"
    assert documented - routes == set(), "documented operations with no route"


def test_the_document_is_served_at_api_openapi_json(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.get("/api/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.body) == json.loads(json.dumps(document()))


def test_the_languages_are_the_catalogues(app: Chalice) -> None:
    schemas = document()["components"]["schemas"]
    assert schemas["Language"]["enum"] == list(catalogue.available_languages())


def test_the_limits_the_code_checks_are_documented(app: Chalice) -> None:
    schemas = document()["components"]["schemas"]
    clinician_ids = schemas["NewConsultationBody"]["properties"]["clinician_ids"]
    assert clinician_ids["anyOf"][0]["maxItems"] == MAX_CLINICIANS
    duration = schemas["NewConsultationBody"]["properties"]["duration_minutes"]
    assert (duration["minimum"], duration["maximum"]) == (5, 240)
    assert sorted(schemas["Channel"]["enum"]) == ["email", "sms", "whatsapp"]


def test_every_operation_documents_its_bodies_by_reference(app: Chalice) -> None:
    schemas = document()["components"]["schemas"]
    for item in document()["paths"].values():
        for operation in item.values():
            bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
            for body in bodies:
                for content in body.get("content", {}).values():
                    name = content["schema"]["$ref"].rsplit("/", 1)[-1]
                    assert name in schemas
