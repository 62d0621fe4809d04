"""Decoding a body into its model: every problem is a 400 naming the field, never the value."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import Request

from chalicelib.consultations.request_bodies import (
    DayQuery,
    NewConsultationBody,
    ParticipantChangeBody,
)
from chalicelib.errors import InvalidField, MalformedJson
from chalicelib.routes.request_body import decode, query


def request(body: str = "", params: dict[str, list[str]] | None = None) -> Request:
    event: dict[str, Any] = {
        "multiValueQueryStringParameters": params,
        "headers": {"content-type": "application/json"},
        "pathParameters": {},
        "requestContext": {"httpMethod": "POST", "resourcePath": "/"},
        "body": body,
        "isBase64Encoded": False,
        "stageVariables": {},
    }
    return Request(event)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"time_zone": "Europe/Paris"}', "starts_at"),  # the first missing field
        ('{"starts_at": "2026-11-24T10:30:00"}', "starts_at"),  # no offset
        ('{"starts_at": "2026-11-24T10:30:00Z", "time_zone": 3}', "time_zone"),
        (
            '{"starts_at": "2026-11-24T10:30:00Z", "time_zone": "Europe/Paris", '
            '"duration_minutes": 20, "language": "fr", "patient": {"display_name": "A", '
            '"channels": ["sms", "pigeon"]}}',
            "patient.channels",
        ),
        (
            '{"starts_at": "2026-11-24T10:30:00Z", "time_zone": "Europe/Paris", '
            '"duration_minutes": 20, "language": "fr", "patient": {"channels": ["sms"]}}',
            "patient.display_name",
        ),
    ],
)
def test_a_bad_field_is_named_with_dots_inside_objects(body: str, field: str) -> None:
    with pytest.raises(InvalidField) as raised:
        decode(request(body), NewConsultationBody)
    assert raised.value.field == field
    assert raised.value.message.startswith(f"`{field}`")


def test_an_unknown_field_is_named_where_unknown_fields_are_refused() -> None:
    with pytest.raises(InvalidField) as raised:
        decode(request('{"role": "patient"}'), ParticipantChangeBody)
    assert raised.value.field == "role"


def test_an_enum_value_sent_is_never_repeated() -> None:
    with pytest.raises(InvalidField) as raised:
        decode(request('{"channels": ["+33612345678"]}'), ParticipantChangeBody)
    assert "+33612345678" not in raised.value.message


@pytest.mark.parametrize(
    "body", ["", "{not json", "[]", "3", "[" * 15000, '{"a":' * 3000, " " * 20000]
)
def test_what_is_not_a_json_object_is_bad_json(body: str) -> None:
    with pytest.raises(MalformedJson):
        decode(request(body), NewConsultationBody)


def test_a_query_string_is_converted_and_checked() -> None:
    asked = query(request(params={"day": ["2026-11-24"], "mine": ["true"]}), DayQuery)
    assert (asked.day.isoformat() if asked.day else None, asked.mine) == ("2026-11-24", True)
    with pytest.raises(InvalidField) as raised:
        query(request(params={"mine": ["perhaps"]}), DayQuery)
    assert raised.value.field == "mine"
