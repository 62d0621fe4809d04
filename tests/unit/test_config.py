"""Settings are read once, typed, and every problem names the variable to fix."""

from __future__ import annotations

import pytest

from chalicelib.config import Settings
from chalicelib.errors import ConfigError

MINIMAL = {"VESTIBULE_STAGE": "dev", "AWS_REGION": "eu-west-1"}


def test_minimal_environment_gives_typed_defaults() -> None:
    settings = Settings.from_environ(MINIMAL)
    assert settings.stage == "dev"
    assert settings.region == "eu-west-1"
    assert settings.retention_days == 30
    assert settings.table_name("consultations") == "vestibule-dev-consultations"
    assert settings.websocket_management_endpoint is None
    assert settings.websocket_stage == "dev"


def test_every_value_can_be_set() -> None:
    settings = Settings.from_environ(
        {
            **MINIMAL,
            "VESTIBULE_TABLE_PREFIX": "clinic-a-",
            "VESTIBULE_RETENTION_DAYS": "7",
            "VESTIBULE_WS_MANAGEMENT_ENDPOINT": "http://127.0.0.1:8000/ws",
            "VESTIBULE_WS_API_ID": "abc123",
            "VESTIBULE_WS_STAGE": "api",
        }
    )
    assert settings.table_name("clinics") == "clinic-a-clinics"
    assert settings.retention_days == 7
    assert settings.websocket_management_endpoint == "http://127.0.0.1:8000/ws"
    assert (settings.websocket_api_id, settings.websocket_stage) == ("abc123", "api")


def test_region_falls_back_to_aws_default_region() -> None:
    settings = Settings.from_environ({"VESTIBULE_STAGE": "dev", "AWS_DEFAULT_REGION": "eu-north-1"})
    assert settings.region == "eu-north-1"


def test_missing_stage_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="VESTIBULE_STAGE is not set"):
        Settings.from_environ({"AWS_REGION": "eu-west-1"})


def test_unknown_stage_lists_the_allowed_ones() -> None:
    with pytest.raises(ConfigError, match=r"VESTIBULE_STAGE must be one of local, test, dev, prod"):
        Settings.from_environ({**MINIMAL, "VESTIBULE_STAGE": "staging"})


def test_missing_region_names_both_variables() -> None:
    with pytest.raises(ConfigError, match="AWS_REGION, AWS_DEFAULT_REGION"):
        Settings.from_environ({"VESTIBULE_STAGE": "dev"})


def test_blank_values_count_as_missing() -> None:
    with pytest.raises(ConfigError, match="VESTIBULE_STAGE is not set"):
        Settings.from_environ({**MINIMAL, "VESTIBULE_STAGE": "  "})


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("thirty", "must be a whole number"),
        ("0", "must be at least 1"),
        ("-5", "must be at least 1"),
    ],
)
def test_bad_retention_is_refused_with_the_reason(raw: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=f"VESTIBULE_RETENTION_DAYS {problem}"):
        Settings.from_environ({**MINIMAL, "VESTIBULE_RETENTION_DAYS": raw})
