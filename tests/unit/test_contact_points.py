"""Phone numbers become E.164 and emails are checked; errors name the field, not the value."""

from __future__ import annotations

import pytest

from chalicelib.errors import InvalidField
from chalicelib.messaging.contact_points import normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "DE", "+33612345678"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("+49 (0)151 2345-6789", "FI", "+4915123456789"),
        ("040 123 4567", "FI", "+358401234567"),
        ("00358 50 123 4567", "FR", "+358501234567"),
        ("+1 202-555-0143", "fr", "+12025550143"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "not a number", "+33 6 12", "06 12 34 56 78 90 12", "+999 1234567"],
)
def test_invalid_phone_numbers_name_the_field_not_the_value(raw: str) -> None:
    with pytest.raises(InvalidField) as caught:
        normalise_phone(raw, "FR")
    assert caught.value.field == "phone"
    assert raw.strip() == "" or raw not in caught.value.message


def test_a_landline_is_refused_because_it_cannot_receive_sms() -> None:
    with pytest.raises(InvalidField, match="mobile") as caught:
        normalise_phone("01 42 68 53 00", "FR")
    assert caught.value.field == "phone"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Marie.Curie@Example.FR ", "Marie.Curie@example.fr"),
        ("anna+kontrolle@praxis-berlin.de", "anna+kontrolle@praxis-berlin.de"),
        ("matti@terveys.fi", "matti@terveys.fi"),
    ],
)
def test_emails_are_trimmed_with_a_lower_case_domain(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-at-sign.example.fr",
        "two@@example.fr",
        "@example.fr",
        "name@",
        "name@localhost",
        "name@example..fr",
        "na me@example.fr",
        ".name@example.fr",
        "name@-bad.fr",
        "name@example.123",
        "x" * 65 + "@example.fr",
        "a@" + "b" * 250 + ".fr",
    ],
)
def test_invalid_emails_name_the_field_not_the_value(raw: str) -> None:
    with pytest.raises(InvalidField) as caught:
        normalise_email(raw)
    assert caught.value.field == "email"
    assert raw == "" or raw not in caught.value.message
