"""Checks an answer of the REST API against the OpenAPI document: status and body schema.

`AnswerChecker(document).check(method, path, status, body)` finds the documented operation
for a concrete path (`/api/consultations/abc` is `/api/consultations/{consultation_id}`),
requires the status to be documented for it, and validates the JSON body against that
status's schema (JSON Schema 2020-12, as OpenAPI 3.1 says), or requires no body where none
is documented. Paths the document does not have (probe apps of some tests) are skipped.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator


class AnswerChecker:
    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        self._templates = [
            (re.compile("^" + re.sub(r"{[^}/]+}", "[^/]+", path) + "$"), path)
            for path in document["paths"]
        ]
        self.checked = 0

    def check(self, method: str, path: str, status: int, body: bytes) -> None:
        template = self._template(path.split("?", 1)[0])
        if template is None:
            return
        operation = self._document["paths"][template].get(method.lower())
        assert operation is not None, f"{method} {template} is not documented"
        answer = operation["responses"].get(str(status))
        assert answer is not None, f"{method} {template} answered {status}, not documented"
        content = answer.get("content")
        if content is None:
            assert not body, f"{method} {template} {status} documents no body"
        else:
            schema = content["application/json"]["schema"]
            errors = list(self._validator(json.dumps(schema)).iter_errors(json.loads(body)))
            assert not errors, f"{method} {template} {status}: {errors[0].message}"
        self.checked += 1

    def _template(self, path: str) -> str | None:
        matches = [template for pattern, template in self._templates if pattern.match(path)]
        # A literal path (`.../participants`) wins over a template that also matches.
        return min(matches, key=lambda template: template.count("{"), default=None)

    @cache  # noqa: B019 - one checker per test session
    def _validator(self, schema: str) -> Draft202012Validator:
        root = {**json.loads(schema), "components": self._document["components"]}
        return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
