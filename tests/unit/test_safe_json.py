"""Untrusted JSON: nesting past the limit is a clear `UnsafeJson`, never a RecursionError."""

from __future__ import annotations

import json

import pytest

from chalicelib.safe_json import MAX_DEPTH, UnsafeJson, depth_of, loads


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("document", "depth"),
    [(1, 0), ("x", 0), ([], 1), ({}, 1), ([[], [[1]]], 3), ({"a": {"b": [{}]}}, 4)],
)
def test_depth_counts_nested_arrays_and_objects(document: object, depth: int) -> None:
    assert depth_of(document) == depth


def test_a_document_at_the_limit_is_parsed() -> None:
    assert depth_of(loads(nested(MAX_DEPTH))) == MAX_DEPTH


@pytest.mark.parametrize(
    "text", [nested(MAX_DEPTH + 1), "[" * 15_000, '{"a":' * 5_000 + "1" + "}" * 5_000]
)
def test_nesting_past_the_limit_is_refused_with_a_named_reason(text: str) -> None:
    with pytest.raises(UnsafeJson, match=f"nests deeper than {MAX_DEPTH} levels"):
        loads(text)


def test_a_document_deep_enough_to_exhaust_the_parsers_recursion_is_refused() -> None:
    with pytest.raises(RecursionError):
        json.loads("[" * 100_000)  # the hazard this module exists for
    with pytest.raises(UnsafeJson, match="nests deeper"):
        loads("[" * 100_000)


@pytest.mark.parametrize("text", ["{oops", "", b"\xff\xfe"])
def test_invalid_json_is_refused_as_such(text: str | bytes) -> None:
    with pytest.raises(UnsafeJson, match="is not valid JSON"):
        loads(text)


def test_the_limit_can_be_chosen() -> None:
    assert loads("[[1]]", max_depth=2) == [[1]]
    with pytest.raises(UnsafeJson, match="deeper than 1 levels"):
        loads("[[1]]", max_depth=1)
