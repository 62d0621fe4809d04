"""The media worker's settings, read once from the environment with typed values.

`WorkerSettings.from_environ()` reads `os.environ`; tests pass their own mapping. A missing
or malformed value raises `SettingsError` naming the variable, so a misconfigured task
stops at start with a message an operator can act on. The variables:

| variable | meaning | default |
|---|---|---|
| `VESTIBULE_MEDIA_SHARED_SECRET` | checks the app's signed requests (32+ characters) | required |
| `VESTIBULE_MEDIA_CONTROL_URL` | where the app reaches this worker's control API | required |
| `VESTIBULE_MEDIA_CONTROL_HOST`, `..._PORT` | where the control API listens | `0.0.0.0`, 8080 |
| `VESTIBULE_MEDIA_WORKER_ID` | this worker's id in the registry | random per start |
| `VESTIBULE_MEDIA_POOL` | the registry's pool the app assigns from | `default` |
| `VESTIBULE_MEDIA_UDP_PORTS` | `low-high`: the only UDP ports ICE binds | the kernel's |
| `VESTIBULE_MEDIA_PUBLIC_ADDRESS` | announced instead of the private IPv4 (NAT 1:1) | none |
| `VESTIBULE_MEDIA_ALLOW_PRIVATE_CANDIDATES` | `1`: keep browsers' non-public candidates | `0` |
| `VESTIBULE_MEDIA_STUN_URL` | the worker's own STUN server | none |
| `VESTIBULE_MEDIA_TURN_URL`, `..._USERNAME`, `..._PASSWORD` | the worker's own TURN | none |
| `VESTIBULE_MEDIA_CAPACITY` | participants + connection tests before new rooms wait | 20 |
| `VESTIBULE_MEDIA_HEARTBEAT_SECONDS` | between two registry heartbeats | 10 |
| `VESTIBULE_MEDIA_DRAIN_SECONDS` | longest wait for calls to end after SIGTERM | 100 |
| `VESTIBULE_TABLE_PREFIX` | the tables' prefix, as the app's | `vestibule-<stage>-` |
| `VESTIBULE_STAGE`, `AWS_REGION` (or `AWS_DEFAULT_REGION`) | as the app's | required |

No ICE server at all is a valid choice (a worker with a public address needs none); aiortc
is always given the list explicitly, since its default is a public STUN server.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.env_reader import EnvReader


class SettingsError(Exception):
    """A variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class PortRange:
    low: int
    high: int

    def __len__(self) -> int:
        return self.high - self.low + 1

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.low <= port <= self.high

    def __str__(self) -> str:
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class IceServer:
    """One STUN or TURN server, as `aiortc.RTCIceServer` takes it."""

    url: str
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True, kw_only=True)
class WorkerSettings:
    shared_secret: str
    worker_id: str
    pool: str
    control_host: str
    control_port: int
    control_url: str
    udp_ports: PortRange | None
    public_address: str | None
    allow_private_candidates: bool
    ice_servers: tuple[IceServer, ...]
    capacity: int
    heartbeat_seconds: float
    drain_seconds: float
    table_prefix: str
    region: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        env = _Reader(os.environ if environ is None else environ, error=SettingsError)
        stage = env.text("VESTIBULE_STAGE")
        return cls(
            shared_secret=env.secret("VESTIBULE_MEDIA_SHARED_SECRET"),
            worker_id=env.text("VESTIBULE_MEDIA_WORKER_ID", default=_random_worker_id()),
            pool=env.text("VESTIBULE_MEDIA_POOL", default="default"),
            control_host=env.text("VESTIBULE_MEDIA_CONTROL_HOST", default="0.0.0.0"),  # noqa: S104
            control_port=env.integer(
                "VESTIBULE_MEDIA_CONTROL_PORT", default=8080, minimum=1, maximum=65535
            ),
            control_url=env.url("VESTIBULE_MEDIA_CONTROL_URL"),
            udp_ports=env.port_range("VESTIBULE_MEDIA_UDP_PORTS"),
            public_address=env.ipv4("VESTIBULE_MEDIA_PUBLIC_ADDRESS"),
            allow_private_candidates=env.flag("VESTIBULE_MEDIA_ALLOW_PRIVATE_CANDIDATES"),
            ice_servers=env.ice_servers(),
            capacity=env.integer("VESTIBULE_MEDIA_CAPACITY", default=20, minimum=1),
            heartbeat_seconds=env.integer(
                "VESTIBULE_MEDIA_HEARTBEAT_SECONDS", default=10, minimum=1
            ),
            drain_seconds=env.integer("VESTIBULE_MEDIA_DRAIN_SECONDS", default=100, minimum=0),
            table_prefix=env.text("VESTIBULE_TABLE_PREFIX", default=f"vestibule-{stage}-"),
            region=env.first("AWS_REGION", "AWS_DEFAULT_REGION"),
        )


def _random_worker_id() -> str:
    return f"worker-{secrets.token_hex(6)}"


class _Reader(EnvReader):
    """The app's reader, plus the worker's own kinds of value."""

    def url(self, key: str) -> str:
        value = self.text(key)
        if not value.startswith(("http://", "https://")):
            raise self.fail(f"{key} must be an http:// or https:// URL")
        return value.rstrip("/")

    def port_range(self, key: str) -> PortRange | None:
        raw = self.optional(key)
        if raw is None:
            return None
        low, _, high = raw.partition("-")
        if not (low.strip().isdigit() and high.strip().isdigit()):
            raise self.fail(f"{key} must look like 40000-40999, not {raw!r}")
        ports = PortRange(int(low), int(high))
        if not 1024 <= ports.low <= ports.high <= 65535:
            raise self.fail(f"{key} must be a range within 1024-65535, low to high")
        return ports

    def flag(self, key: str) -> bool:
        raw = (self.optional(key) or "0").lower()
        if raw not in ("0", "1", "true", "false"):
            raise self.fail(f"{key} must be 1 or 0, not {raw!r}")
        return raw in ("1", "true")

    def ipv4(self, key: str) -> str | None:
        raw = self.optional(key)
        if raw is None:
            return None
        try:
            return str(ipaddress.IPv4Address(raw))
        except ValueError:
            raise self.fail(f"{key} must be an IPv4 address, not {raw!r}") from None

    def ice_servers(self) -> tuple[IceServer, ...]:
        servers = []
        if stun := self.optional("VESTIBULE_MEDIA_STUN_URL"):
            servers.append(IceServer(stun))
        if turn := self.optional("VESTIBULE_MEDIA_TURN_URL"):
            servers.append(
                IceServer(
                    turn,
                    username=self.text("VESTIBULE_MEDIA_TURN_USERNAME"),
                    credential=self.text("VESTIBULE_MEDIA_TURN_PASSWORD"),
                )
            )
        return tuple(servers)
