"""`GET /api/participant-texts`: the participant pages' texts (`page.*`) in one language.

Public and cacheable: the texts are the same for everyone. `?language=` picks the language;
without it, or with one we have no catalogue for, the `Accept-Language` header decides
(`catalogue.choose_language`), else English. The answer varies with that header, and says so.
"""

from __future__ import annotations

from chalice import Blueprint, Response
from msgspec import Struct

from chalicelib.i18n import catalogue
from chalicelib.i18n.languages import Language
from chalicelib.routes.clinician_api import answer
from chalicelib.routes.http_headers import Headers
from chalicelib.routes.operations import Security, answer_of, operation
from chalicelib.routes.request_body import query
from chalicelib.routes.response_bodies import ParticipantTextsAnswer

blueprint = Blueprint(__name__)

CACHEABLE: Headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}


class TextsQuery(Struct, kw_only=True):
    """Any text: one we have no catalogue for falls back to `Accept-Language`."""

    language: str | None = None


@operation(
    blueprint,
    "GET",
    "/api/participant-texts",
    summary="The participant pages' texts (`page.*` catalogue keys) in one language; public "
    "and cacheable for 5 minutes. Without `language`, or with one we have no texts for, the "
    "`Accept-Language` header decides, else English.",
    query=TextsQuery,
    answers={200: answer_of("The language chosen and its texts, by key.", ParticipantTextsAnswer)},
    security=Security.PUBLIC,
)
def participant_texts() -> Response:
    request = blueprint.current_request
    asked = query(request, TextsQuery).language
    language = catalogue.choose_language(asked, request.headers.get("accept-language"))
    texts = ParticipantTextsAnswer(
        language=Language(language), texts=catalogue.page_texts(language)
    )
    return answer(texts, headers=CACHEABLE)
