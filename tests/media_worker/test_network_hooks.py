"""The aioice hooks: host candidates inside the UDP port range, the public address announced.

If an aioice upgrade moves what the hooks rely on, `check_compatible` fails here first.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aioice
import aioice.ice
import pytest
from aioice.candidate import Candidate

from media_worker.aiortc_hooks.ice import (
    NetworkConfig,
    PortRangeUvloop,
    announced,
    check_compatible,
    installed,
)
from media_worker.settings import PortRange

T = TypeVar("T")
PUBLIC = "203.0.113.7"
REQUIREMENTS = Path(__file__).resolve().parents[2] / "media_worker" / "requirements.txt"
pytestmark = pytest.mark.timeout(60)


def on_worker_loop(config: NetworkConfig, scenario: Callable[[], Awaitable[T]]) -> T:
    with installed(config), asyncio.Runner(loop_factory=PortRangeUvloop) as runner:
        return runner.run(scenario())


def free_udp_range(size: int) -> PortRange:
    """`size` consecutive UDP ports that nothing holds right now."""
    for low in range(42_000, 60_000, size):
        sockets = []
        try:
            for port in range(low, low + size):
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return PortRange(low, low + size - 1)
    raise RuntimeError("no free UDP port range")


def host_candidates(addresses: list[str]) -> Callable[[], Awaitable[list[list[Candidate]]]]:
    """Gather host candidates for three connections, as aiortc's gatherer does."""

    async def scenario() -> list[list[Candidate]]:
        connections = [aioice.Connection(ice_controlling=False) for _ in range(3)]
        try:
            return [await c.get_component_candidates(1, addresses) for c in connections]
        finally:
            for connection in connections:
                await connection.close()

    return scenario


def test_the_installed_aioice_is_the_checked_one() -> None:
    check_compatible()  # raises IncompatibleAioice naming what changed
    pinned = re.search(r"^aioice==(\S+)$", REQUIREMENTS.read_text(), re.MULTILINE)
    assert pinned is not None, "pin aioice in media_worker/requirements.txt: the hooks need it"
    assert pinned.group(1) == aioice.__version__


def test_host_candidates_bind_inside_the_port_range_until_it_is_used_up() -> None:
    ports = free_udp_range(2)

    gathered = on_worker_loop(NetworkConfig(udp_ports=ports), host_candidates(["127.0.0.1"]))

    first, second, third = gathered
    assert sorted(c.port for c in first + second) == [ports.low, ports.high]
    assert third == []  # the range is full: aioice skips the address, as for any bind error


def test_without_a_range_the_kernel_picks_the_ports() -> None:
    ports = free_udp_range(2)

    gathered = on_worker_loop(NetworkConfig(), host_candidates(["127.0.0.1"]))

    assert all(len(candidates) == 1 for candidates in gathered)
    assert not {c.port for candidates in gathered for c in candidates} <= set(
        range(ports.low, ports.high + 1)
    )


def test_other_sockets_on_the_worker_loop_are_not_restricted() -> None:
    ports = free_udp_range(1)

    async def scenario() -> int:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
        )
        port: int = transport.get_extra_info("sockname")[1]
        transport.close()
        return port

    assert on_worker_loop(NetworkConfig(udp_ports=ports), scenario) not in ports


def test_a_port_range_without_the_worker_loop_fails_loudly() -> None:
    with (
        installed(NetworkConfig(udp_ports=free_udp_range(2))),
        pytest.raises(RuntimeError, match="PortRangeUvloop"),
    ):
        asyncio.run(host_candidates(["127.0.0.1"])())


def test_the_public_address_is_announced_with_the_bound_port() -> None:
    ports = free_udp_range(3)
    config = NetworkConfig(udp_ports=ports, public_address=PUBLIC)

    gathered = on_worker_loop(config, host_candidates(["127.0.0.1"]))

    announced_candidates = [c for candidates in gathered for c in candidates]
    assert [c.host for c in announced_candidates] == [PUBLIC] * 3
    assert all(c.port in ports and c.type == "host" for c in announced_candidates)


@pytest.mark.parametrize(
    ("host", "kind", "expected"),
    [
        ("10.0.1.5", "host", PUBLIC),
        ("169.254.172.2", "host", "169.254.172.2"),
        ("fd00::2", "host", "fd00::2"),
        ("10.0.1.5", "srflx", "10.0.1.5"),
    ],
)
def test_only_private_ipv4_host_candidates_are_rewritten(
    host: str, kind: str, expected: str
) -> None:
    candidate = Candidate("f", 1, "udp", 100, host, 40001, kind)

    result = announced(candidate, PUBLIC)

    assert (result.host, result.port, result.foundation, result.priority) == (
        expected,
        40001,
        "f",
        100,
    )


@pytest.mark.parametrize("public_address", [None, PUBLIC])
def test_ice_still_connects_through_a_port_of_the_range(public_address: str | None) -> None:
    """With a public address that no packet can reach here, the worker's own checks, sent
    from its private socket, still find the path (as through a real 1:1 NAT)."""
    addresses = aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
    if not addresses:
        pytest.skip("ICE needs a non-loopback IPv4 address on this machine")
    config = NetworkConfig(udp_ports=free_udp_range(4), public_address=public_address)

    async def scenario() -> tuple[bytes, Candidate]:
        worker = aioice.Connection(ice_controlling=False, use_ipv6=False)
        browser = aioice.Connection(ice_controlling=True, use_ipv6=False)
        try:
            await browser.gather_candidates()  # the browser is another process: no hooks
            with installed(config):
                await worker.gather_candidates()
            for local, remote in ((worker, browser), (browser, worker)):
                local.remote_username = remote.local_username
                local.remote_password = remote.local_password
                for candidate in remote.local_candidates:
                    await local.add_remote_candidate(candidate)
                await local.add_remote_candidate(None)
            await asyncio.wait_for(asyncio.gather(worker.connect(), browser.connect()), 20)
            await browser.send(b"hello")
            [announced_candidate] = worker.local_candidates
            return await asyncio.wait_for(worker.recv(), 5), announced_candidate
        finally:
            await worker.close()
            await browser.close()

    with asyncio.Runner(loop_factory=PortRangeUvloop) as runner:
        received, candidate = runner.run(scenario())

    assert received == b"hello"
    assert candidate.host == (public_address or addresses[0])
    assert config.udp_ports is not None and candidate.port in config.udp_ports
