"""The settings sign-in needs: the SES sender and the web UI's public address."""

from __future__ import annotations

from chalicelib.config import Settings

BASE = {"VESTIBULE_STAGE": "test", "AWS_REGION": "eu-west-1"}


def test_sender_and_public_base_url_are_optional() -> None:
    settings = Settings.from_environ(BASE)
    assert (settings.sender_email, settings.public_base_url) == (None, None)


def test_the_public_base_url_loses_its_trailing_slash() -> None:
    settings = Settings.from_environ(
        {
            **BASE,
            "VESTIBULE_SENDER_EMAIL": "no-reply@clinic.example",
            "VESTIBULE_PUBLIC_BASE_URL": "https://vestibule.example/",
        }
    )
    assert settings.sender_email == "no-reply@clinic.example"
    assert settings.public_base_url == "https://vestibule.example"
