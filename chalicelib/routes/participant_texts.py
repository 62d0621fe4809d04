"""`GET /api/participant-texts`: the participant pages' texts (`page.*`) in one language.

Public and cacheable: the texts are the same for everyone. `?language=` picks the language;
without it, or with one we have no catalogue for, the `Accept-Language` header decides
(`catalogue.choose_language`), else English. The answer varies with that header, and says so.
"""

from __future__ import annotations

from chalice import Blueprint, Response
from chalice.app import MultiDict

from chalicelib.i18n import catalogue
from chalicelib.routes.http_headers import Headers

blueprint = Blueprint(__name__)

CACHEABLE: Headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}


@blueprint.route("/api/participant-texts", methods=["GET"])
def participant_texts() -> Response:
    request = blueprint.current_request
    asked = (request.query_params or MultiDict({})).get("language")
    language = catalogue.choose_language(asked, request.headers.get("accept-language"))
    answer = {"language": language, "texts": catalogue.page_texts(language)}
    return Response(body=answer, status_code=200, headers=CACHEABLE)
