"""The join page's texts: one language's `page.*` messages, public and cacheable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.i18n import catalogue

PATH = "/api/participant-texts"


def texts_for(app: Chalice, query: str = "", **headers: str) -> Any:
    with Client(app) as client:
        return client.http.get(f"{PATH}{query}", headers=headers)


def answer_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json.loads(response.body)
    return answer


@pytest.mark.parametrize("language", ["en", "fr", "de", "fi"])
def test_the_language_asked_for_wins_over_the_browsers(app: Chalice, language: str) -> None:
    answer = answer_of(texts_for(app, f"?language={language}", **{"Accept-Language": "de, fi"}))
    assert answer["language"] == language
    assert answer["texts"]["page.join.continue"] == catalogue.text(language, "page.join.continue")


def test_the_texts_read_naturally_in_each_language(app: Chalice) -> None:
    continue_labels = {
        language: answer_of(texts_for(app, f"?language={language}"))["texts"]["page.join.continue"]
        for language in ("en", "fr", "de", "fi")
    }
    assert continue_labels == {"en": "Continue", "fr": "Continuer", "de": "Weiter", "fi": "Jatka"}
    french = answer_of(texts_for(app, "?language=fr"))["texts"]
    assert french["page.waiting.title"] == "Vous êtes dans la salle d'attente"


@pytest.mark.parametrize("query", ["", "?language=", "?language=xx!", "?language=pt"])
def test_without_a_known_language_the_browsers_best_match_is_chosen(
    app: Chalice, query: str
) -> None:
    answer = answer_of(texts_for(app, query, **{"Accept-Language": "pt-BR, fi;q=0.8, de;q=0.5"}))
    assert answer["language"] == "fi"
    assert answer["texts"]["page.unknown_link.title"] == "Linkki ei kelpaa"


@pytest.mark.parametrize("accept_language", [None, "pt-BR, ja;q=0.5", "*;q=0.1", "fi;q=x;;,"])
def test_with_nothing_known_the_texts_are_english(
    app: Chalice, accept_language: str | None
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    answer = answer_of(texts_for(app, "?language=%00xx", **headers))
    assert answer["language"] == "en"
    assert answer["texts"]["page.join.title"] == "Video consultation"


def test_a_language_is_matched_whatever_its_case(app: Chalice) -> None:
    assert answer_of(texts_for(app, "?language=DE"))["language"] == "de"


def test_only_the_page_texts_are_served(app: Chalice) -> None:
    texts = answer_of(texts_for(app, "?language=en"))["texts"]
    messages = catalogue.catalogue("en")["messages"]
    assert texts == {key: value for key, value in messages.items() if key.startswith("page.")}
    assert {"page.join.title", "page.waiting.title", "page.unknown_link.title"} <= texts.keys()
    assert not any(key.startswith(("sms.", "email.")) for key in texts)


def test_the_texts_are_public_and_cacheable_for_five_minutes_per_browser_language(
    app: Chalice,
) -> None:
    response = texts_for(app, "?language=fr")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Vary"] == "Accept-Language"
    assert "Set-Cookie" not in response.headers
