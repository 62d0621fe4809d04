"""Every catalogue says the same things; dates read naturally; the right language is chosen."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.i18n import catalogue
from chalicelib.messaging import compose
from chalicelib.messaging.sms import gsm7_friendly, segments

LANGUAGES = ("de", "en", "fi", "fr")
#: 09:30 UTC: 10:30 in Paris and Berlin, 11:30 in Helsinki.
MOMENT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
#: A long but realistic clinic name and a link with a 256-bit token.
CLINIC = "Centre de santé Saint-Michel"
LINK = "https://visio.sante-saint-michel.example/j/" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv0wXy1zAb3dEf6hIj9"


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, dict):
        flat: dict[str, Any] = {}
        for key, value in node.items():
            flat.update(flatten(value, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): node}


def placeholders(value: Any) -> set[str] | int:
    if isinstance(value, list):
        return len(value)
    return {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}


def test_the_four_languages_have_catalogues() -> None:
    assert catalogue.available_languages() == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_has_the_keys_and_placeholders_of_english(language: str) -> None:
    english = flatten(json.loads((catalogue.LOCALES / "en.json").read_text("utf-8")))
    other = flatten(json.loads((catalogue.LOCALES / f"{language}.json").read_text("utf-8")))
    assert other.keys() == english.keys()
    assert {k: placeholders(v) for k, v in other.items()} == {
        k: placeholders(v) for k, v in english.items()
    }


@pytest.mark.parametrize(
    ("language", "time_zone", "expected"),
    [
        ("en", "Europe/London", "Tuesday 24 November at 09:30"),
        ("fr", "Europe/Paris", "mardi 24 novembre à 10:30"),
        ("de", "Europe/Berlin", "Dienstag, 24. November um 10:30"),
        ("fi", "Europe/Helsinki", "tiistaina 24. marraskuuta klo 11.30"),
    ],
)
def test_dates_read_naturally_in_the_participants_zone(
    language: str, time_zone: str, expected: str
) -> None:
    assert catalogue.format_when(MOMENT, time_zone, language) == expected


def test_finnish_hours_have_no_leading_zero() -> None:
    early = datetime(2026, 3, 2, 7, 5, tzinfo=UTC)
    assert (
        catalogue.format_when(early, "Europe/Helsinki", "fi")
        == "maanantaina 2. maaliskuuta klo 9.05"
    )


def test_an_unknown_language_falls_back_to_english() -> None:
    assert catalogue.text("xx", "page.cancelled.title") == "This consultation has been cancelled"


@pytest.mark.parametrize(
    ("invited", "accept_language", "expected"),
    [
        ("fi", "de-DE,de;q=0.9", "fi"),
        ("FR", None, "fr"),
        (None, "de-CH, fr;q=0.9, en;q=0.8", "de"),
        ("es", "es-ES, fr;q=0.7, en;q=0.9", "en"),
        (None, "fi;q=0, sv-FI, fr-CA;q=0.5", "fr"),
        (None, "*", "en"),
        (None, "de;q=oops, fi;q=0.2", "fi"),
        (None, None, "en"),
    ],
)
def test_the_invitation_language_wins_then_the_browsers_then_english(
    invited: str | None, accept_language: str | None, expected: str
) -> None:
    assert catalogue.choose_language(invited, accept_language) == expected


def occasion(language: str) -> compose.Occasion:
    return compose.Occasion(
        clinic_name=CLINIC,
        starts_at=MOMENT,
        time_zone="Europe/Paris",
        language=language,
        link=LINK,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_invitation_and_reminder_sms_fit_in_two_segments(language: str) -> None:
    assert segments(compose.invitation(occasion(language)).sms) <= 2
    assert segments(compose.reminder(occasion(language), 10).sms) <= 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_short_notices_fit_in_one_or_two_segments(language: str) -> None:
    o = occasion(language)
    assert segments(compose.access_code(o, "483920").sms) == 1
    for key, values in [
        ("sms.delay", {"minutes": 15}),
        ("sms.cancelled", {"when": o.when}),
        ("sms.changed", {"when": o.when, "link": LINK}),
    ]:
        assert segments(gsm7_friendly(o.text(key, **values))) <= 2


def test_sms_segments_count_gsm7_and_ucs2_differently() -> None:
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("€" * 80) == 1  # two septets each
    assert segments("€" * 81) == 2
    assert segments("ç" * 70) == 1  # UCS-2
    assert segments("ç" * 71) == 2


def test_letters_gsm7_lacks_are_replaced_only_when_that_keeps_the_text_gsm7() -> None:
    assert gsm7_friendly("le 3 août à 10:00, reçu") == "le 3 aout à 10:00, recu"
    assert gsm7_friendly("août ✓") == "août ✓"
