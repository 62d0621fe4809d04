"""The REST API's OpenAPI 3.1 document, generated from the operations and their models.

Each route declares what it takes and returns (`chalicelib.routes.operations`); the
schemas come from the request and response Structs through msgspec, so the document says
exactly what the code checks and returns. A test compares the documented operations with
the app's routes both ways; others validate every response the functional tests receive
against it and run schemathesis over every operation.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from chalicelib.participants.links import COOKIE_NAME as PARTICIPANT_COOKIE
from chalicelib.routes.clinician_auth import COOKIE_NAME, CSRF_HEADER
from chalicelib.routes.operations import OPERATIONS, Operation, Security

Schema = dict[str, Any]

REF = "#/components/schemas/{name}"
SECURITY: dict[Security, list[dict[str, list[str]]]] = {
    Security.PUBLIC: [],
    Security.SESSION: [{"session": []}],
    Security.SESSION_AND_CSRF: [{"session": [], "csrf": []}],
    Security.PARTICIPANT: [{"participant_session": []}],
    Security.SESSION_AND_CSRF_OR_PARTICIPANT: [
        {"session": [], "csrf": []},
        {"participant_session": []},
    ],
}
SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME},
    "csrf": {"type": "apiKey", "in": "header", "name": CSRF_HEADER},
    "participant_session": {"type": "apiKey", "in": "cookie", "name": PARTICIPANT_COOKIE},
}
_PATH_PARAMETER = re.compile(r"{([^}]+)}")


def document() -> Schema:
    """The whole OpenAPI 3.1 document, from the operations registered so far (all, once the
    app is imported)."""
    operations = sorted(OPERATIONS.values(), key=lambda op: (op.path, op.method))
    bodies = {model for op in operations for model in _bodies(op)}
    queries = {op.query for op in operations if op.query is not None}
    _, components = msgspec.json.schema_components(
        sorted(bodies | queries, key=lambda model: model.__name__), ref_template=REF
    )
    paths: dict[str, Schema] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method] = _operation(op, components)
    for query in queries:
        components.pop(query.__name__, None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vestibule REST API",
            "version": "0.1.0",
            "description": 'Errors are `{"error": {"code", "message", ...}}`; '
            "clients branch on `code`.",
        },
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
    }


def _bodies(op: Operation) -> list[type]:
    answered = [answer.model for answer in op.answers.values() if answer.model is not None]
    return [*answered, *([op.body] if op.body is not None else [])]


def _operation(op: Operation, components: Schema) -> Schema:
    described: Schema = {
        "summary": op.summary,
        "operationId": f"{op.method}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower()).strip('_')}",
        "responses": {
            str(status): {
                "description": answer.description,
                **(_json_of(answer.model) if answer.model is not None else {}),
            }
            for status, answer in sorted(op.answers.items())
        },
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAMETER.findall(op.path)
    ]
    if op.query is not None:
        query = components[op.query.__name__]
        parameters += [
            {
                "name": name,
                "in": "query",
                "required": name in query.get("required", ()),
                "schema": schema,
            }
            for name, schema in query["properties"].items()
        ]
    if parameters:
        described["parameters"] = parameters
    if op.body is not None:
        described["requestBody"] = {"required": op.body_required, **_json_of(op.body)}
    if op.security is not Security.PUBLIC:
        described["security"] = SECURITY[op.security]
    return described


def _json_of(model: type) -> Schema:
    return {"content": {"application/json": {"schema": {"$ref": REF.format(name=model.__name__)}}}}
