"""Signing control requests: one canonical string, checked in constant time, 30 s either way."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from chalicelib.media import control_signing
from chalicelib.media.control_signing import SignatureRefused

SECRET = "dummy-shared-secret-for-tests-only-0123456789"
NOW = 1_800_000_000.0
PATH = "/rooms/c1/participants/p1/offer"
BODY = b'{"sdp": "v=0"}'


def signed(**overrides: object) -> dict[str, str]:
    arguments: dict[str, object] = {"worker_id": "w1", "now": NOW, "nonce": "n-1", **overrides}
    return control_signing.sign(SECRET, "POST", PATH, BODY, **arguments)  # type: ignore[arg-type]


def test_the_signature_is_hmac_sha256_of_the_documented_canonical_string() -> None:
    headers = signed()

    canonical = "\n".join(
        [
            "vestibule-media-v2",
            "w1",
            "POST",
            PATH,
            str(int(NOW)),
            "n-1",
            hashlib.sha256(BODY).hexdigest(),
        ]
    ).encode()
    expected = hmac.new(SECRET.encode(), canonical, hashlib.sha256).hexdigest()
    assert headers == {
        "X-Vestibule-Timestamp": "1800000000",
        "X-Vestibule-Nonce": "n-1",
        "X-Vestibule-Signature": expected,
    }


def test_a_good_signature_passes_and_returns_the_nonce_and_timestamp() -> None:
    assert control_signing.check(SECRET, "POST", PATH, BODY, signed(), worker_id="w1", now=NOW) == (
        "n-1",
        1800000000,
    )


def test_nonces_are_random_unless_given() -> None:
    first, second = (
        control_signing.sign(SECRET, "GET", "/", b"", worker_id="w1", now=NOW) for _ in range(2)
    )
    assert first["X-Vestibule-Nonce"] != second["X-Vestibule-Nonce"]


@pytest.mark.parametrize(
    ("method", "path", "body", "secret"),
    [
        ("DELETE", PATH, BODY, SECRET),
        ("POST", "/rooms/c2/participants/p1/offer", BODY, SECRET),
        ("POST", PATH, b'{"sdp": "v=1"}', SECRET),
        ("POST", PATH, BODY, "another-secret-of-the-same-length-0123456789"),
    ],
)
def test_any_change_to_method_path_body_or_secret_breaks_the_signature(
    method: str, path: str, body: bytes, secret: str
) -> None:
    with pytest.raises(SignatureRefused, match="does not match"):
        control_signing.check(secret, method, path, body, signed(), worker_id="w1", now=NOW)


def test_a_request_signed_for_one_worker_fails_on_another() -> None:
    with pytest.raises(SignatureRefused, match="does not match"):
        control_signing.check(SECRET, "POST", PATH, BODY, signed(), worker_id="w2", now=NOW)


@pytest.mark.parametrize("header", ["X-Vestibule-Timestamp", "X-Vestibule-Nonce"])
def test_changing_the_timestamp_or_nonce_breaks_the_signature(header: str) -> None:
    headers = {**signed(), header: "1800000001"}
    with pytest.raises(SignatureRefused, match="does not match"):
        control_signing.check(SECRET, "POST", PATH, BODY, headers, worker_id="w1", now=NOW)


@pytest.mark.parametrize(
    "missing", ["X-Vestibule-Timestamp", "X-Vestibule-Nonce", "X-Vestibule-Signature"]
)
def test_a_missing_header_means_unsigned(missing: str) -> None:
    headers = {k: v for k, v in signed().items() if k != missing}
    with pytest.raises(SignatureRefused, match="not signed"):
        control_signing.check(SECRET, "POST", PATH, BODY, headers, worker_id="w1", now=NOW)


@pytest.mark.parametrize("skew", [-31, 31, -3600])
def test_a_timestamp_more_than_30_seconds_away_is_refused(skew: int) -> None:
    with pytest.raises(SignatureRefused, match="validity window"):
        control_signing.check(
            SECRET, "POST", PATH, BODY, signed(now=NOW + skew), worker_id="w1", now=NOW
        )


@pytest.mark.parametrize("skew", [-30, 0, 30])
def test_a_timestamp_within_30_seconds_passes(skew: int) -> None:
    control_signing.check(
        SECRET, "POST", PATH, BODY, signed(now=NOW + skew), worker_id="w1", now=NOW
    )


@pytest.mark.parametrize(
    ("header", "value", "problem"),
    [
        ("X-Vestibule-Timestamp", "soon", "malformed"),
        ("X-Vestibule-Timestamp", "-5", "malformed"),
        ("X-Vestibule-Nonce", "n" * 65, "too long"),
    ],
)
def test_malformed_headers_are_refused(header: str, value: str, problem: str) -> None:
    with pytest.raises(SignatureRefused, match=problem):
        control_signing.check(
            SECRET, "POST", PATH, BODY, {**signed(), header: value}, worker_id="w1", now=NOW
        )


def test_the_module_uses_the_standard_library_only() -> None:
    import ast
    import sys
    from pathlib import Path

    tree = ast.parse(Path(control_signing.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
