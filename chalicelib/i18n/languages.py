"""`Language`: the languages we have texts for, made from the catalogue files themselves.

Adding a language stays adding one file to `chalicelib/i18n/locales/`: this enum, the request
models that take a language and the OpenAPI document's `Language` schema all follow it.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib.i18n.catalogue import available_languages

# mypy cannot see members made from files; code uses `Language(code)` and `.value`.
Language = StrEnum(  # type: ignore[misc]
    "Language", {code.upper(): code for code in available_languages()}
)
