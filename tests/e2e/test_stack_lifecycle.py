"""The supervisor's promises: Ctrl-C stops everything, a dead child stops the rest, and
idle websockets are closed like API Gateway's. Each test runs its own short-lived stack.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from devstack.options import StackOptions
from tests.e2e import local_stack
from tests.e2e.clients import connection_ids, eventually, participant_ticket, run, websocket

pytestmark = pytest.mark.timeout(120)


def _children_by_module(pid: int) -> dict[str, int]:
    children = {}
    for child in local_stack.descendants(pid):
        command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        module = next((part.decode() for part in command if part.startswith(b"devstack.")), "")
        children[module] = child
    return children


def test_ctrl_c_stops_every_child_and_exits_0(tmp_path: Path) -> None:
    stack = local_stack.start(tmp_path)
    children = _children_by_module(stack.process.pid)
    assert {
        "devstack.moto_process",
        "devstack.app_host",
        "devstack.media_worker_process",
        "devstack.coturn_process",
    } <= set(children)

    local_stack.stop(stack)  # fails unless the exit code is 0 and no child survives

    assert "devstack: stopped" in stack.output()


def test_when_a_child_dies_the_supervisor_names_it_and_stops_the_rest(tmp_path: Path) -> None:
    stack = local_stack.start(tmp_path)
    children = _children_by_module(stack.process.pid)

    os.kill(children["devstack.moto_process"], signal.SIGKILL)
    code = stack.process.wait(30)
    local_stack.stop(stack, check=False)

    assert code == 1
    assert "moto stopped unexpectedly" in stack.output()
    assert not Path(f"/proc/{children['devstack.app_host']}").exists()


def test_an_idle_connection_is_closed_with_1001_and_forgotten(
    tmp_path: Path, consultation_id: str
) -> None:
    stack = local_stack.start(tmp_path, ws_idle_timeout=1.0)
    try:
        with local_stack.app_for(stack):

            async def scenario() -> tuple[float, int | None, bool]:
                started = time.monotonic()
                async with websocket(stack, participant_ticket(consultation_id)) as socket:
                    message = await socket.receive(timeout=10)
                    assert message.type is aiohttp.WSMsgType.CLOSE
                    idle_for = time.monotonic() - started
                    forgotten = await eventually(lambda: connection_ids(consultation_id) == [])
                    return idle_for, socket.close_code, forgotten

            idle_for, close_code, forgotten = run(scenario())
    finally:
        local_stack.stop(stack)

    assert 0.9 <= idle_for < 5
    assert close_code == 1001
    assert forgotten


def test_ports_for_a_second_stack_avoid_the_first_stacks_udp_ranges() -> None:
    ports = local_stack.free_ports(40)
    assert len(set(ports)) == 40
    taken = StackOptions().udp_port_ranges
    assert not [port for port in ports if any(port in r for r in taken)]
