"""The worker's settings: typed, defaulted, and every problem names its variable."""

from __future__ import annotations

import pytest

from media_worker.settings import IceServer, PortRange, SettingsError, WorkerSettings

MINIMAL = {
    "VESTIBULE_STAGE": "prod",
    "AWS_REGION": "eu-west-1",
    "VESTIBULE_MEDIA_SHARED_SECRET": "dummy-shared-secret-for-tests-only-0123456789",
    "VESTIBULE_MEDIA_CONTROL_URL": "http://10.0.1.5:8080/",
}


def test_minimal_environment_gives_the_documented_defaults() -> None:
    settings = WorkerSettings.from_environ(MINIMAL)

    assert settings.worker_id.startswith("worker-")
    assert (settings.pool, settings.control_host, settings.control_port) == (
        "default",
        "0.0.0.0",  # noqa: S104 - the documented default
        8080,
    )
    assert settings.control_url == "http://10.0.1.5:8080"
    assert (settings.udp_ports, settings.public_address, settings.ice_servers) == (None, None, ())
    assert (settings.capacity, settings.heartbeat_seconds, settings.drain_seconds) == (20, 10, 100)
    assert (settings.table_prefix, settings.region) == ("vestibule-prod-", "eu-west-1")
    assert settings.allow_private_candidates is False


def test_every_value_can_be_set() -> None:
    settings = WorkerSettings.from_environ(
        {
            **MINIMAL,
            "VESTIBULE_MEDIA_WORKER_ID": "task-1",
            "VESTIBULE_MEDIA_POOL": "eu-2",
            "VESTIBULE_MEDIA_CONTROL_PORT": "9000",
            "VESTIBULE_MEDIA_UDP_PORTS": "40000-40999",
            "VESTIBULE_MEDIA_PUBLIC_ADDRESS": "203.0.113.10",
            "VESTIBULE_MEDIA_STUN_URL": "stun:turn.example:3478",
            "VESTIBULE_MEDIA_TURN_URL": "turn:turn.example:3478",
            "VESTIBULE_MEDIA_TURN_USERNAME": "worker",
            "VESTIBULE_MEDIA_TURN_PASSWORD": "dummy",
            "VESTIBULE_MEDIA_CAPACITY": "8",
            "VESTIBULE_MEDIA_HEARTBEAT_SECONDS": "5",
            "VESTIBULE_MEDIA_DRAIN_SECONDS": "0",
            "VESTIBULE_TABLE_PREFIX": "clinic-a-",
            "VESTIBULE_MEDIA_ALLOW_PRIVATE_CANDIDATES": "1",
        }
    )
    assert settings.allow_private_candidates is True

    assert (settings.worker_id, settings.pool, settings.control_port) == ("task-1", "eu-2", 9000)
    assert settings.udp_ports == PortRange(40000, 40999) and len(settings.udp_ports) == 1000
    assert settings.public_address == "203.0.113.10"
    assert settings.ice_servers == (
        IceServer("stun:turn.example:3478"),
        IceServer("turn:turn.example:3478", username="worker", credential="dummy"),
    )
    assert (settings.capacity, settings.heartbeat_seconds, settings.drain_seconds) == (8, 5, 0)
    assert settings.table_prefix == "clinic-a-"


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("VESTIBULE_MEDIA_SHARED_SECRET", "", "VESTIBULE_MEDIA_SHARED_SECRET is not set"),
        ("VESTIBULE_MEDIA_SHARED_SECRET", "short", "at least 32 characters"),
        ("VESTIBULE_MEDIA_CONTROL_URL", "", "VESTIBULE_MEDIA_CONTROL_URL is not set"),
        ("VESTIBULE_MEDIA_CONTROL_URL", "10.0.1.5:8080", "http:// or https://"),
        ("VESTIBULE_MEDIA_UDP_PORTS", "40000", "must look like 40000-40999"),
        ("VESTIBULE_MEDIA_UDP_PORTS", "41000-40000", "within 1024-65535, low to high"),
        ("VESTIBULE_MEDIA_UDP_PORTS", "80-90", "within 1024-65535"),
        ("VESTIBULE_MEDIA_PUBLIC_ADDRESS", "media.example", "must be an IPv4 address"),
        ("VESTIBULE_MEDIA_CAPACITY", "lots", "must be a whole number"),
        ("VESTIBULE_MEDIA_CAPACITY", "0", "must be at least 1"),
        ("VESTIBULE_MEDIA_CONTROL_PORT", "70000", "must be at most 65535"),
        ("VESTIBULE_MEDIA_TURN_URL", "turn:t.example", "VESTIBULE_MEDIA_TURN_USERNAME is not set"),
        ("VESTIBULE_MEDIA_ALLOW_PRIVATE_CANDIDATES", "maybe", "must be 1 or 0"),
        ("VESTIBULE_STAGE", "", "VESTIBULE_STAGE is not set"),
        ("AWS_REGION", "", "AWS_REGION, AWS_DEFAULT_REGION"),
    ],
)
def test_a_bad_or_missing_value_names_the_variable(variable: str, value: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        WorkerSettings.from_environ({**MINIMAL, variable: value})
