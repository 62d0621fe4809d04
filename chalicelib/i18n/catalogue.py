"""Participant-facing texts in the participant's language, from one catalogue per language.

Each language is one JSON file in `chalicelib/i18n/locales/` (`en.json`, `fr.json`, ...): adding
a language is adding a file with the same keys and `{placeholders}` as `en.json` (a test
checks every catalogue against English). A catalogue holds `messages` (SMS, email and page
texts, by dotted key) and `date` (weekday and month names and the patterns that put a date
and time together), so dates read naturally without Babel:

    en  Tuesday 24 November at 10:30        de  Dienstag, 24. November um 10:30
    fr  mardi 24 novembre à 10:30           fi  tiistaina 24. marraskuuta klo 10.30

`choose_language` picks the invitation's language, else the browser's best match, else
English. `page_texts` is a language's `page.*` messages, which the web pages show.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "en"
#: The keys of the texts that web pages show (served by `GET /api/participant-texts`).
PAGE_PREFIX = "page."


@cache
def available_languages() -> tuple[str, ...]:
    """The language codes that have a catalogue, sorted."""
    return tuple(sorted(path.stem for path in LOCALES.glob("*.json")))


@cache
def catalogue(language: str) -> dict[str, Any]:
    """The parsed catalogue of one language; `KeyError` for a language without one."""
    if language not in available_languages():
        raise KeyError(language)
    parsed: dict[str, Any] = json.loads((LOCALES / f"{language}.json").read_text("utf-8"))
    return parsed


def supported(language: str | None) -> str:
    """`language` when it has a catalogue, else English."""
    return language if language in available_languages() else DEFAULT_LANGUAGE


def text(language: str, key: str, **values: object) -> str:
    """The message `key` in `language` with its placeholders filled in."""
    template: str = catalogue(supported(language))["messages"][key]
    return template.format(**values)


def page_texts(language: str) -> dict[str, str]:
    """Every `page.*` message of `language` (English when it has no catalogue), by key."""
    messages: dict[str, str] = catalogue(supported(language))["messages"]
    return {key: value for key, value in messages.items() if key.startswith(PAGE_PREFIX)}


def format_when(moment: datetime, time_zone: str, language: str) -> str:
    """`moment` as the participant reads a date and time, in their zone and language."""
    names = catalogue(supported(language))["date"]
    local = moment.astimezone(ZoneInfo(time_zone))
    clock_time = names["time"].format(hour=local.hour, minute=local.minute)
    when: str = names["when"].format(
        weekday=names["weekdays"][local.weekday()],
        day=local.day,
        month=names["months"][local.month - 1],
        time=clock_time,
    )
    return when


def choose_language(invited: str | None, accept_language: str | None) -> str:
    """The invitation's language if set and known; else the browser's best; else English."""
    if invited and invited.lower() in available_languages():
        return invited.lower()
    for candidate in _by_preference(accept_language or ""):
        primary = candidate.split("-", 1)[0]
        if primary in available_languages():
            return primary
    return DEFAULT_LANGUAGE


def _by_preference(header: str) -> list[str]:
    """Language ranges of an `Accept-Language` header, most preferred first; q=0 dropped."""
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(header.split(",")):
        tag, _, params = entry.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        tag = tag.strip().lower()
        if tag and tag != "*" and weight > 0:
            ranked.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(ranked)]
