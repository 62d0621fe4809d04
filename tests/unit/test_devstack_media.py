"""The local stack's media pieces without running them: STUN parsing, coturn's configuration,
the generated secrets, and what the status page says when coturn is not installed."""

from __future__ import annotations

import asyncio
import secrets
import struct
from pathlib import Path

import pytest

from devstack import status_media
from devstack.coturn_process import INSTALL_HINT, config_text
from devstack.environment import (
    MEDIA_SECRET_VARIABLE,
    TURN_SECRET_VARIABLE,
    app_environment,
    media_worker_environment,
    with_secrets,
)
from devstack.options import StackOptions
from devstack.stun_probe import MAGIC_COOKIE, StunError, parse_binding_success

TRANSACTION = secrets.token_bytes(12)


def binding_success(address: str, port: int, *, transaction: bytes = TRANSACTION) -> bytes:
    """A Binding success with an XOR-MAPPED-ADDRESS, after a SOFTWARE attribute (padded)."""
    software = b"coturn"  # 6 bytes, padded to 8
    mapped_ip = struct.unpack("!I", bytes(int(part) for part in address.split(".")))[0]
    attributes = (
        struct.pack("!HH", 0x8022, len(software))
        + software
        + b"\0\0"
        + struct.pack("!HHBBH", 0x0020, 8, 0, 1, port ^ (MAGIC_COOKIE >> 16))
        + struct.pack("!I", mapped_ip ^ MAGIC_COOKIE)
    )
    return struct.pack("!HHI12s", 0x0101, len(attributes), MAGIC_COOKIE, transaction) + attributes


def test_a_binding_success_gives_the_mapped_address() -> None:
    assert parse_binding_success(binding_success("192.0.2.1", 32853), TRANSACTION) == (
        "192.0.2.1",
        32853,
    )


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (b"HTTP/1.1 400", "too short"),
        (binding_success("192.0.2.1", 1, transaction=b"x" * 12), "another request"),
        (struct.pack("!HHI12s", 0x0111, 0, MAGIC_COOKIE, TRANSACTION), "not a Binding success"),
        (struct.pack("!HHI12s", 0x0101, 0, MAGIC_COOKIE, TRANSACTION), "no IPv4 XOR-MAPPED"),
    ],
)
def test_anything_else_is_a_stun_error(answer: bytes, problem: str) -> None:
    with pytest.raises(StunError, match=problem):
        parse_binding_success(answer, TRANSACTION)


def test_coturn_listens_on_the_host_only_checks_the_apps_credentials_and_has_no_tls() -> None:
    text = config_text(
        host="127.0.0.1",
        port=3490,
        relay_ports="49160-49359",
        secret="s" * 40,
        directory=Path("/tmp/x"),
    )
    lines = set(text.splitlines())

    assert {"listening-ip=127.0.0.1", "listening-port=3490", "min-port=49160"} <= lines
    assert {"max-port=49359", "use-auth-secret", f"static-auth-secret={'s' * 40}"} <= lines
    assert {"no-tls", "no-dtls", "no-cli", "log-file=stdout"} <= lines


def test_the_stack_generates_its_secrets_unless_the_shell_sets_them() -> None:
    generated, again = with_secrets({}), with_secrets({})
    chosen = with_secrets({MEDIA_SECRET_VARIABLE: "m" * 40})

    assert (
        len(generated[MEDIA_SECRET_VARIABLE]) >= 32 and len(generated[TURN_SECRET_VARIABLE]) >= 32
    )
    assert generated[MEDIA_SECRET_VARIABLE] != again[MEDIA_SECRET_VARIABLE]
    assert chosen[MEDIA_SECRET_VARIABLE] == "m" * 40


def test_the_app_and_the_worker_share_the_secrets_of_one_stack() -> None:
    options, base = StackOptions(), with_secrets({})

    app = app_environment(options, base)
    worker = media_worker_environment(options, base, with_turn=True)

    assert (
        app[MEDIA_SECRET_VARIABLE] == worker[MEDIA_SECRET_VARIABLE] == base[MEDIA_SECRET_VARIABLE]
    )
    assert worker["VESTIBULE_MEDIA_TURN_USERNAME"].endswith(":local-worker")
    assert worker["VESTIBULE_MEDIA_ALLOW_PRIVATE_CANDIDATES"] == "1"  # browser on this machine
    assert "VESTIBULE_MEDIA_TURN_URL" not in media_worker_environment(
        options, base, with_turn=False
    )
    with pytest.raises(ValueError, match="with_secrets"):
        app_environment(options, {})


def test_without_turnserver_coturn_is_reported_failing_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    healthy, detail = asyncio.run(status_media.coturn(StackOptions()))

    assert (healthy, detail) == (False, INSTALL_HINT)
    assert "apt-get install coturn" in detail


def test_a_stacks_udp_ranges_are_its_ice_and_relay_ports() -> None:
    options = StackOptions(media_udp_ports="41000-41009", turn_relay_ports="50000-50001")
    assert options.udp_port_ranges == (range(41000, 41010), range(50000, 50002))
