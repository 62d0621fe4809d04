"""Starts and stops the real local stack (`python -m devstack`) for the end-to-end tests.

The stack runs as a subprocess on free ports with dummy credentials and its own table
prefix; its output goes to a file that failures show. Stopping is what a person does:
Ctrl-C (SIGINT) to the supervisor, which must exit 0 and leave no child behind.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from chalice import Chalice

from chalicelib import wiring
from devstack import PROJECT_ROOT
from devstack.environment import app_environment, child_environment, with_secrets
from devstack.options import StackOptions, to_argv

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class RunningStack:
    options: StackOptions
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes] = field(repr=False)
    #: This stack's table prefix and generated shared secrets.
    variables: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def app_env(self) -> dict[str, str]:
        """The environment the app reads in this stack, for the test process's own app."""
        return app_environment(self.options, self.variables)

    def output(self, last_lines: int = 150) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-last_lines:])

    def status(self) -> dict[str, Any]:
        return get_json(f"{self.options.front_url}/dev/status.json")


def _table_prefix(options: StackOptions) -> dict[str, str]:
    """A prefix per stack: PynamoDB keeps a model's connection, and so the endpoint it was
    made for, as long as the model's table name stays the same."""
    return {"VESTIBULE_TABLE_PREFIX": f"vestibule-e2e-{options.moto_port}-"}


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free for both TCP and UDP, outside the UDP ranges a running
    stack's media worker and coturn take (the TURN port is a UDP port too)."""
    taken = StackOptions().udp_port_ranges
    chosen: list[int] = []
    while len(chosen) < count:
        port = _free_tcp_port()
        if port not in chosen and not any(port in r for r in taken) and _udp_free(port):
            chosen.append(port)
    return chosen


def _free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start(directory: Path, **options: Any) -> RunningStack:
    """Start a stack and wait until its status page reports every component healthy."""
    port, moto_port, api_port, media_port, turn_port = free_ports(5)
    stack_options = StackOptions(
        port=port,
        moto_port=moto_port,
        api_port=api_port,
        media_port=media_port,
        turn_port=turn_port,
        **options,
    )
    variables = with_secrets(_table_prefix(stack_options))
    env = child_environment(stack_options, {**os.environ, **variables})
    log_path = directory / "devstack.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", *to_argv(stack_options)],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    stack = RunningStack(stack_options, process, log_path, log_file, variables)
    try:
        wait_until_healthy(stack)
    except BaseException:
        stop(stack, check=False)
        raise
    return stack


def wait_until_healthy(stack: RunningStack, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    last_seen: object = "no answer yet"
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            pytest.fail(f"the stack exited with {stack.process.returncode}:\n{stack.output()}")
        try:
            report = stack.status()
        except (urllib.error.URLError, OSError, ValueError) as error:
            last_seen = error
        else:
            if report["healthy"]:
                return
            last_seen = [c for c in report["components"] if not c["healthy"]]
        time.sleep(0.3)
    pytest.fail(f"the stack was not healthy within {timeout:g} s: {last_seen}\n{stack.output()}")


def stop(stack: RunningStack, *, check: bool = True) -> None:
    """Ctrl-C the supervisor; with `check`, it must exit 0 and no child may survive it."""
    children = descendants(stack.process.pid)
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
    try:
        code = stack.process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        stack.process.wait()
        code = None
    finally:
        stack.log_file.close()
    survivors = {pid for pid in children if Path(f"/proc/{pid}").exists()}
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    if check and (code != 0 or survivors):
        pytest.fail(
            f"Ctrl-C: exit code {code}, surviving children {sorted(survivors)}\n{stack.output()}"
        )


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def get_json(url: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(get_text(url))
    return document


def get_text(url: str) -> str:
    with _OPENER.open(url, timeout=30) as response:
        return str(response.read().decode("utf-8"))


@contextmanager
def app_for(stack: RunningStack) -> Iterator[Chalice]:
    """The app imported in this process, wired to `stack` (its moto, tables, gateway).

    `app.websocket_api` caches its endpoint and client, so the cache is dropped on the way
    in and out; on the way out the app's services go back to being built on first use, from
    whatever environment the next test has.
    """
    with pytest.MonkeyPatch.context() as patch:
        for key, value in stack.app_env.items():
            patch.setenv(key, value)
        from app import app

        _forget_websocket_endpoint(app)
        wiring.configure(app)
        try:
            yield app
        finally:
            _forget_websocket_endpoint(app)
            wiring.install(app)


def _forget_websocket_endpoint(app: Chalice) -> None:
    app.websocket_api._endpoint = None
    app.websocket_api._client = None
