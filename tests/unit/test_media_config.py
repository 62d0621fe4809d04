"""The app's media settings: optional until used, long secrets, comma-separated URL lists."""

from __future__ import annotations

import pytest

from chalicelib.config import Settings
from chalicelib.errors import ConfigError

MINIMAL = {"VESTIBULE_STAGE": "dev", "AWS_REGION": "eu-west-1"}
SECRET = "dummy-secret-for-tests-only-0123456789"


def test_media_settings_are_optional() -> None:
    settings = Settings.from_environ(MINIMAL)

    assert (settings.media_shared_secret, settings.turn_secret) == (None, None)
    assert (settings.turn_urls, settings.stun_urls, settings.media_pool) == ((), (), "default")


def test_media_settings_are_read() -> None:
    settings = Settings.from_environ(
        {
            **MINIMAL,
            "VESTIBULE_MEDIA_SHARED_SECRET": SECRET,
            "VESTIBULE_MEDIA_POOL": "eu-2",
            "VESTIBULE_TURN_SECRET": SECRET,
            "VESTIBULE_TURN_URLS": "turn:t.example:3478?transport=udp, turns:t.example:443 ,",
            "VESTIBULE_STUN_URLS": "stun:t.example:3478",
        }
    )

    assert settings.media_shared_secret == SECRET and settings.turn_secret == SECRET
    assert settings.media_pool == "eu-2"
    assert settings.turn_urls == ("turn:t.example:3478?transport=udp", "turns:t.example:443")
    assert settings.stun_urls == ("stun:t.example:3478",)


@pytest.mark.parametrize("variable", ["VESTIBULE_MEDIA_SHARED_SECRET", "VESTIBULE_TURN_SECRET"])
def test_a_short_secret_is_refused_by_name(variable: str) -> None:
    with pytest.raises(ConfigError, match=f"{variable} must be at least 32 characters"):
        Settings.from_environ({**MINIMAL, variable: "guessable"})
