"""Parsing websocket messages: JSON objects with a `type`, within one frame's size."""

from __future__ import annotations

import json

import pytest

from chalicelib.errors import InvalidField, MalformedJson, PayloadTooLarge
from chalicelib.realtime.protocol import MAX_MESSAGE_BYTES, parse_message, request_id_of


def test_a_message_has_a_type_an_optional_id_and_data() -> None:
    message = parse_message('{"type": "chat", "id": "9", "text": "hello"}')
    assert (message.type, message.id, message.data) == ("chat", "9", {"text": "hello"})


def test_numeric_ids_are_echoed_as_text() -> None:
    assert parse_message('{"type": "ping", "id": 42}').reply("pong") == {"type": "pong", "id": "42"}


def test_reply_without_id_has_none() -> None:
    assert parse_message('{"type": "ping"}').reply("pong", at=1) == {"type": "pong", "at": 1}


@pytest.mark.parametrize("body", ["{not json", "", "None", '{"type": "ping"'])
def test_bad_json_is_malformed(body: str) -> None:
    with pytest.raises(MalformedJson, match="not valid JSON"):
        parse_message(body)


@pytest.mark.parametrize("body", ["[]", '"ping"', "42", "null"])
def test_json_that_is_not_an_object_is_malformed(body: str) -> None:
    with pytest.raises(MalformedJson, match="JSON object"):
        parse_message(body)


@pytest.mark.parametrize(
    "body", ['{"id": "1"}', '{"type": 5}', '{"type": ""}', json.dumps({"type": "x" * 65})]
)
def test_type_must_be_a_short_string(body: str) -> None:
    with pytest.raises(InvalidField) as caught:
        parse_message(body)
    assert caught.value.field == "type"


@pytest.mark.parametrize("bad_id", [["list"], {"a": 1}, "x" * 65, 1.5e300 * 10])
def test_id_must_be_a_short_string_or_number(bad_id: object) -> None:
    body = json.dumps({"type": "ping", "id": bad_id})
    with pytest.raises(InvalidField) as caught:
        parse_message(body)
    assert caught.value.field == "id"


def test_message_over_one_frame_is_too_large() -> None:
    body = json.dumps({"type": "chat", "text": "é" * (MAX_MESSAGE_BYTES // 2)}, ensure_ascii=False)
    assert len(body) < MAX_MESSAGE_BYTES < len(body.encode("utf-8"))
    with pytest.raises(PayloadTooLarge, match=str(MAX_MESSAGE_BYTES)):
        parse_message(body)


def test_message_of_exactly_the_limit_is_accepted() -> None:
    skeleton = json.dumps({"type": "chat", "text": ""})
    body = json.dumps({"type": "chat", "text": "a" * (MAX_MESSAGE_BYTES - len(skeleton))})
    assert len(body) == MAX_MESSAGE_BYTES
    assert parse_message(body).type == "chat"


@pytest.mark.parametrize("body", ["[" * 15_000, '{"type": "ping", "x": ' + "[" * 15_000])
def test_deeply_nested_json_is_malformed_and_names_the_nesting(body: str) -> None:
    with pytest.raises(MalformedJson, match="nests deeper than"):
        parse_message(body)
    assert request_id_of(body) is None


def test_request_id_is_recovered_from_a_message_that_failed_validation() -> None:
    assert request_id_of('{"id": 3}') == "3"
    assert request_id_of("{broken") is None
    assert request_id_of("[1]") is None
