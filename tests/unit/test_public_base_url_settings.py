"""The site's address: a plain value, or read once from the SSM parameter the settings name."""

from __future__ import annotations

import pytest

from chalicelib.config import Settings
from chalicelib.errors import ConfigError

BASE = {"VESTIBULE_STAGE": "dev", "AWS_REGION": "eu-west-1"}
NAME = "/vestibule/dev/public-base-url"


class ParameterStore:
    """An in-memory stand-in for SSM Parameter Store that remembers what was asked."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: list[tuple[str, int]] = []

    def read(self, name: str, max_age: int) -> str:
        self.asked.append((name, max_age))
        return self.values[name]


def named(**extra: str) -> Settings:
    return Settings.from_environ({**BASE, "VESTIBULE_PUBLIC_BASE_URL_PARAMETER": NAME, **extra})


def test_the_address_is_read_from_the_named_parameter_with_the_cache_age() -> None:
    store = ParameterStore({NAME: "https://d111abcdef8.cloudfront.net/"})
    settings = named(VESTIBULE_SECRETS_MAX_AGE="120").with_public_base_url(store.read)
    assert settings.public_base_url == "https://d111abcdef8.cloudfront.net"
    assert settings.public_base_url_parameter == NAME
    assert store.asked == [(NAME, 120)]


def test_a_plain_address_wins_and_nothing_is_read() -> None:
    store = ParameterStore({})
    settings = named(VESTIBULE_PUBLIC_BASE_URL="https://vestibule.clinic.example")
    assert settings.with_public_base_url(store.read).public_base_url == (
        "https://vestibule.clinic.example"
    )
    assert store.asked == []


def test_without_a_parameter_nothing_is_read() -> None:
    store = ParameterStore({})
    settings = Settings.from_environ(BASE).with_public_base_url(store.read)
    assert settings.public_base_url is None
    assert store.asked == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "d111abcdef8.cloudfront.net",
        "ftp://d111abcdef8.cloudfront.net",
        "https://",
        "https://d111abcdef8.cloudfront.net/j/",
        "https://d111abcdef8.cloudfront.net?x=1",
        "https://d111abcdef8.cloudfront.net#top",
    ],
)
def test_a_malformed_address_is_refused_naming_the_parameter(value: str) -> None:
    store = ParameterStore({NAME: value})
    with pytest.raises(ConfigError, match=f"the parameter {NAME} must hold the site's address"):
        named().with_public_base_url(store.read)
