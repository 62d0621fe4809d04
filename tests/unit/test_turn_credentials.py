"""TURN credentials in coturn's REST API scheme: `<expiry>:<id>`, base64 HMAC-SHA1, short."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.errors import ConfigError
from chalicelib.media.turn import IceServerIssuer, turn_credentials
from tests.support.fakes import FrozenClock

SECRET = "dummy-turn-secret-for-tests-only-0123456789"
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_username_is_expiry_and_id_and_password_is_base64_hmac_sha1() -> None:
    issued = turn_credentials(SECRET, "p1", now=NOW)

    expiry = int((NOW + timedelta(minutes=10)).timestamp())
    assert issued.username == f"{expiry}:p1"
    digest = hmac.new(SECRET.encode(), issued.username.encode(), hashlib.sha1).digest()
    assert issued.credential == base64.b64encode(digest).decode()
    assert issued.expires_at == NOW + timedelta(minutes=10)


def test_the_lifetime_can_be_shortened() -> None:
    issued = turn_credentials(SECRET, "p1", now=NOW, ttl=timedelta(seconds=90))
    assert issued.username.startswith(f"{int(NOW.timestamp()) + 90}:")


@pytest.mark.parametrize("user_id", ["", "a:b"])
def test_an_id_that_would_break_the_username_is_refused(user_id: str) -> None:
    with pytest.raises(ValueError, match="TURN user id"):
        turn_credentials(SECRET, user_id, now=NOW)


def issuer(**overrides: object) -> IceServerIssuer:
    arguments: dict[str, object] = {
        "secret": SECRET,
        "turn_urls": ("turn:turn.example:3478?transport=udp", "turns:turn.example:443"),
        "stun_urls": ("stun:turn.example:3478",),
        "clock": FrozenClock(NOW),
        **overrides,
    }
    return IceServerIssuer(**arguments)  # type: ignore[arg-type]


def test_browsers_get_stun_and_turn_with_fresh_credentials() -> None:
    servers = issuer().ice_servers("p1")

    expected = turn_credentials(SECRET, "p1", now=NOW)
    assert servers == [
        {"urls": ["stun:turn.example:3478"]},
        {
            "urls": ["turn:turn.example:3478?transport=udp", "turns:turn.example:443"],
            "username": expected.username,
            "credential": expected.credential,
        },
    ]


def test_without_stun_urls_only_turn_is_listed() -> None:
    assert [s["urls"][0][:5] for s in issuer(stun_urls=()).ice_servers("p1")] == ["turn:"]


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [({"secret": None}, "VESTIBULE_TURN_SECRET"), ({"turn_urls": ()}, "VESTIBULE_TURN_URLS")],
)
def test_using_turn_without_its_settings_names_the_missing_variable(
    overrides: dict[str, object], variable: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        issuer(**overrides).ice_servers("p1")
