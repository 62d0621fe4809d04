"""The command-line options of the local stack and the addresses they lead to.

The supervisor and the app host read the same options, so one parser serves both; the
supervisor hands its parsed options to the app host with `to_argv`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

#: The route of the websocket gateway; the Management API emulation lives under it.
WS_PATH = "/ws"


@dataclass(frozen=True, kw_only=True)
class StackOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 4566
    api_port: int = 8001
    media_port: int = 8002
    turn_port: int = 3490
    media_udp_ports: str = "40000-40199"
    turn_relay_ports: str = "49160-49359"
    sweep_interval: float = 60.0
    ws_idle_timeout: float = 600.0

    @property
    def front_url(self) -> str:
        """Web UI, `/api/*`, websockets and developer pages: one origin, like CloudFront."""
        return f"http://{self.host}:{self.port}"

    @property
    def status_url(self) -> str:
        return f"{self.front_url}/dev/"

    @property
    def outbox_url(self) -> str:
        return f"{self.front_url}/dev/outbox"

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.host}:{self.port}{WS_PATH}"

    @property
    def management_endpoint(self) -> str:
        """Where `apigatewaymanagementapi` is reached; botocore appends `/@connections/{id}`."""
        return f"{self.front_url}{WS_PATH}"

    @property
    def api_url(self) -> str:
        """Chalice's local REST server itself, behind the front server's `/api/*`."""
        return f"http://{self.host}:{self.api_port}"

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    @property
    def media_url(self) -> str:
        """The media worker's control API (the app signs its requests)."""
        return f"http://{self.host}:{self.media_port}"

    @property
    def turn_address(self) -> str:
        """coturn: STUN and TURN over UDP and TCP (never 3478, a system coturn's port)."""
        return f"{self.host}:{self.turn_port}"

    @property
    def tcp_ports(self) -> tuple[int, ...]:
        """Every TCP port the stack listens on (coturn also takes `turn_port` over UDP)."""
        return (self.port, self.moto_port, self.api_port, self.media_port, self.turn_port)

    @property
    def udp_port_ranges(self) -> tuple[range, ...]:
        """The UDP ports the media worker's ICE and coturn's relays take, as they need them."""
        return tuple(
            range(int(low), int(high) + 1)
            for low, _, high in (
                text.partition("-") for text in (self.media_udp_ports, self.turn_relay_ports)
            )
        )


def parse(argv: Sequence[str] | None = None, *, prog: str = "python -m devstack") -> StackOptions:
    defaults = StackOptions()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run all of Vestibule on this machine, with moto as the AWS.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default=defaults.host, help="address to bind every server to")
    parser.add_argument(
        "--port", type=_port, default=defaults.port, help="front server: web UI, /api, /ws, /dev"
    )
    parser.add_argument(
        "--moto-port", type=_port, default=defaults.moto_port, help="moto server (the AWS)"
    )
    parser.add_argument(
        "--api-port", type=_port, default=defaults.api_port, help="Chalice's local REST server"
    )
    parser.add_argument(
        "--media-port", type=_port, default=defaults.media_port, help="media worker control API"
    )
    parser.add_argument(
        "--turn-port", type=_port, default=defaults.turn_port, help="coturn (STUN and TURN)"
    )
    parser.add_argument(
        "--media-udp-ports",
        type=_port_range,
        default=defaults.media_udp_ports,
        help="UDP ports of the media worker's ICE candidates",
    )
    parser.add_argument(
        "--turn-relay-ports",
        type=_port_range,
        default=defaults.turn_relay_ports,
        help="UDP ports of coturn's relayed candidates",
    )
    parser.add_argument(
        "--sweep-interval",
        type=_seconds,
        default=defaults.sweep_interval,
        help="seconds between two runs of the scheduled sweeper (AWS: 60)",
    )
    parser.add_argument(
        "--ws-idle-timeout",
        type=_seconds,
        default=defaults.ws_idle_timeout,
        help="seconds after which an idle websocket is closed (API Gateway: 600)",
    )
    args = parser.parse_args(argv)
    options = StackOptions(**vars(args))
    ports = options.tcp_ports
    if len(set(ports)) != len(ports):
        parser.error("--port, --moto-port, --api-port, --media-port and --turn-port must differ")
    return options


def to_argv(options: StackOptions) -> list[str]:
    return [
        f"--host={options.host}",
        f"--port={options.port}",
        f"--moto-port={options.moto_port}",
        f"--api-port={options.api_port}",
        f"--media-port={options.media_port}",
        f"--turn-port={options.turn_port}",
        f"--media-udp-ports={options.media_udp_ports}",
        f"--turn-relay-ports={options.turn_relay_ports}",
        f"--sweep-interval={options.sweep_interval}",
        f"--ws-idle-timeout={options.ws_idle_timeout}",
    ]


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _port_range(text: str) -> str:
    low, _, high = text.partition("-")
    if not (low.isdigit() and high.isdigit() and 1024 <= int(low) <= int(high) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not a port range like 40000-40199")
    return text
