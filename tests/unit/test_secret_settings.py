"""Secrets named in the settings are read once through the given reader; plain values win."""

from __future__ import annotations

import pytest

from chalicelib.config import Settings
from chalicelib.errors import ConfigError

BASE = {"VESTIBULE_STAGE": "dev", "AWS_REGION": "eu-west-1"}
MEDIA = "m" * 40
TURN = "t" * 40


class SecretStore:
    """An in-memory stand-in for Secrets Manager that remembers what was asked."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: list[tuple[str, int]] = []

    def read(self, name: str, max_age: int) -> str:
        self.asked.append((name, max_age))
        return self.values[name]


def test_named_secrets_are_read_with_the_cache_age() -> None:
    store = SecretStore({"arn:media": MEDIA, "arn:turn": TURN})
    settings = Settings.from_environ(
        {
            **BASE,
            "VESTIBULE_MEDIA_SHARED_SECRET_NAME": "arn:media",
            "VESTIBULE_TURN_SECRET_NAME": "arn:turn",
            "VESTIBULE_SECRETS_MAX_AGE": "120",
        }
    ).with_secrets(store.read)
    assert (settings.media_shared_secret, settings.turn_secret) == (MEDIA, TURN)
    assert store.asked == [("arn:media", 120), ("arn:turn", 120)]


def test_plain_values_win_and_nothing_is_read() -> None:
    store = SecretStore({})
    settings = Settings.from_environ(
        {
            **BASE,
            "VESTIBULE_MEDIA_SHARED_SECRET": MEDIA,
            "VESTIBULE_MEDIA_SHARED_SECRET_NAME": "arn:media",
        }
    ).with_secrets(store.read)
    assert settings.media_shared_secret == MEDIA
    assert settings.turn_secret is None
    assert store.asked == []


def test_a_short_stored_secret_is_refused_by_name() -> None:
    store = SecretStore({"arn:media": "short"})
    settings = Settings.from_environ({**BASE, "VESTIBULE_MEDIA_SHARED_SECRET_NAME": "arn:media"})
    with pytest.raises(ConfigError, match="arn:media"):
        settings.with_secrets(store.read)
