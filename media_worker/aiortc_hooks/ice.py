"""Hooks into aioice: UDP host candidates in a port range, and a public address announced.

Checked against aioice 0.13.0 under aiortc 1.16.0 (`CHECKED_AIOICE_VERSIONS`);
`check_compatible()` fails loudly when an upgrade moves what the hooks rely on. The worker
installs them once at start (`install`); they act on every ICE connection of the worker's
process, and only there. To be merged with `media_worker/aiortc_hooks/pass_through.py` (every other
hook into aiortc's internals) when both halves of the worker have settled.

Why. aioice binds each host candidate's UDP socket to port 0, so the kernel picks any
ephemeral port, and it offers no option to change that (aiortc #75, #487; aioice #47); a
security group must then open every UDP port. On ECS Fargate the task sees only its
private address, while browsers reach it at its public one (1:1 NAT, same port); aiortc
would announce the private address, which no browser can reach.

What.
1. `aioice.ice.Connection.get_component_candidates(component, addresses, timeout)` gathers
   a connection's candidates; for each host address it awaits
   `loop.create_datagram_endpoint(factory, local_addr=(address, 0))`. It is wrapped:
   - while the original runs, a context variable carries the port range. The worker's
     event loop (`PortRangeUvloop`) reads it: a datagram endpoint asked for port 0 while
     it is set is bound to a free port of the range instead (tried from a random start;
     when none is free the bind fails as aioice expects, and aioice skips that address).
     Other sockets (the TURN client's, mDNS, the control API's) never see the variable;
   - afterwards, each IPv4 host candidate that is not link-local is replaced, in the list
     the original returns (and so in what aiortc puts into the SDP), by a copy announcing
     the public address with the same port. The socket, and the candidate aioice pairs
     with remote ones (`protocol.local_candidate`), keep the private address: packets
     leave from it and the NAT rewrites them, as ICE expects of a host behind 1:1 NAT.
2. `PortRangeBinding` overrides that one method of an event loop; the worker runs on
   `PortRangeUvloop`, uvloop with it (`asyncio.Runner(loop_factory=PortRangeUvloop)`).
   With a port range installed, gathering on any other loop raises instead of ignoring
   the range.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import inspect
import ipaddress
import random
import socket
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import aioice
import aioice.ice
import uvloop
from aioice.candidate import Candidate

from media_worker.settings import PortRange

CHECKED_AIOICE_VERSIONS = frozenset({"0.13.0"})

_host_ports: ContextVar[PortRange | None] = ContextVar("host_ports", default=None)
_ORIGINAL = aioice.ice.Connection.get_component_candidates


class IncompatibleAioice(RuntimeError):
    """aioice no longer looks the way these hooks expect; re-check them before upgrading."""


@dataclass(frozen=True)
class NetworkConfig:
    udp_ports: PortRange | None = None
    public_address: str | None = None


class PortRangeBinding:
    """Binds aioice's host candidates inside the port range that is set while they gather.

    Mixed into an event loop class, before it (`PortRangeUvloop`).
    """

    async def create_datagram_endpoint(
        self, protocol_factory: Any, local_addr: Any = None, remote_addr: Any = None, **kwargs: Any
    ) -> Any:
        ports = _host_ports.get()
        if ports is None or local_addr is None or local_addr[1] != 0 or kwargs.get("sock"):
            return await super().create_datagram_endpoint(  # type: ignore[misc]
                protocol_factory, local_addr, remote_addr, **kwargs
            )
        sock = _bound_in_range(local_addr[0], ports)
        return await super().create_datagram_endpoint(  # type: ignore[misc]
            protocol_factory, remote_addr=remote_addr, sock=sock, **kwargs
        )


def _bound_in_range(host: str, ports: PortRange) -> socket.socket:
    """A UDP socket bound to `host` on a free port of `ports` (tried from a random start).

    Bound here rather than by the loop, so that a port in use costs a closed socket and
    never a half-made transport (uvloop leaves one behind on a failed bind).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for port in _ports_from_random_start(ports):
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError as error:
            sock.close()
            if error.errno != errno.EADDRINUSE:
                raise
            continue
        sock.setblocking(False)
        return sock
    raise OSError(errno.EADDRINUSE, f"no free UDP port in {ports}")


class PortRangeUvloop(PortRangeBinding, uvloop.Loop):  # type: ignore[misc]
    """uvloop (libuv), binding host candidates in the port range: the worker's loop.

    bench/media/loops.py measured the forwarding worker on uvloop at about 0.8 of its CPU
    per call on asyncio's selector loop (same calls, same run).
    """


def _ports_from_random_start(ports: PortRange) -> Iterator[int]:
    start = random.randrange(len(ports))  # noqa: S311 - spreading load, not a secret
    for offset in range(len(ports)):
        yield ports.low + (start + offset) % len(ports)


def check_compatible() -> None:
    """Raise `IncompatibleAioice` naming what changed, if anything the hooks use did."""
    problems = []
    if aioice.__version__ not in CHECKED_AIOICE_VERSIONS:
        problems.append(f"aioice {aioice.__version__} is not a checked version")
    parameters = list(inspect.signature(_ORIGINAL).parameters)
    if parameters[:3] != ["self", "component", "addresses"]:
        problems.append(f"get_component_candidates takes {parameters}")
    source = inspect.getsource(_ORIGINAL)
    if "create_datagram_endpoint(" not in source or "local_addr=(address, 0)" not in source:
        problems.append("get_component_candidates no longer binds host candidates to port 0")
    expected = {"foundation", "component", "transport", "priority", "host", "port", "type"}
    if not expected <= set(inspect.signature(Candidate).parameters):
        problems.append("aioice.Candidate's constructor changed")
    if problems:
        raise IncompatibleAioice("; ".join(problems))


def install(config: NetworkConfig) -> None:
    """Apply `config` to every ICE connection gathered from now on in this process."""
    check_compatible()

    async def get_component_candidates(
        self: aioice.ice.Connection, component: int, addresses: list[str], timeout: int = 5
    ) -> list[Candidate]:
        if config.udp_ports is not None and not isinstance(
            asyncio.get_running_loop(), PortRangeBinding
        ):
            raise RuntimeError("a UDP port range needs the worker's PortRangeUvloop")
        token = _host_ports.set(config.udp_ports)
        try:
            candidates: list[Candidate] = await _ORIGINAL(self, component, addresses, timeout)
        finally:
            _host_ports.reset(token)
        if config.public_address is None:
            return candidates
        return [announced(c, config.public_address) for c in candidates]

    aioice.ice.Connection.get_component_candidates = get_component_candidates  # type: ignore[method-assign]


def uninstall() -> None:
    aioice.ice.Connection.get_component_candidates = _ORIGINAL  # type: ignore[method-assign]


@contextlib.contextmanager
def installed(config: NetworkConfig) -> Iterator[None]:
    install(config)
    try:
        yield
    finally:
        uninstall()


def announced(candidate: Candidate, public_address: str) -> Candidate:
    """A private IPv4 host candidate as the public address shows it; others unchanged."""
    if candidate.type != "host":
        return candidate
    address = ipaddress.ip_address(candidate.host)
    if address.version != 4 or address.is_link_local:
        return candidate
    return Candidate(
        foundation=candidate.foundation,
        component=candidate.component,
        transport=candidate.transport,
        priority=candidate.priority,
        host=public_address,
        port=candidate.port,
        type=candidate.type,
        generation=candidate.generation,
    )


def announced_addresses(config: NetworkConfig) -> list[str]:
    """What browsers are told to reach: the public address, or the host's own addresses."""
    if config.public_address is not None:
        return [config.public_address]
    return aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True)
