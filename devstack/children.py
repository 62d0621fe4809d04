"""The supervisor's handle on one child process: start it, wait for it, stop it.

Each child runs `python -m <module>` from the project root in its own process group, so a
Ctrl-C in the terminal reaches the supervisor alone and the supervisor stops the children
in order. Stopping is SIGTERM, a bounded wait, then SIGKILL.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence

from devstack import PROJECT_ROOT

logger = logging.getLogger("devstack")

#: Never go through an HTTP proxy from the shell's environment to reach 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class StartupFailed(Exception):
    """A child exited or did not become ready while the stack was starting."""


class StopRequested(Exception):
    """Ctrl-C or SIGTERM arrived while the stack was starting."""


class StopFlag:
    """Set from a signal handler; everything that waits polls it (no locks in handlers)."""

    def __init__(self) -> None:
        self.requested = False

    def request(self, *_: object) -> None:
        self.requested = True

    def sleep(self, seconds: float) -> bool:
        """Sleep a little; True when a stop has been requested."""
        if not self.requested:
            time.sleep(seconds)
        return self.requested


class Child:
    def __init__(
        self, name: str, module: str, args: Sequence[str], *, env: Mapping[str, str]
    ) -> None:
        self.name = name
        self._argv = [sys.executable, "-m", module, *args]
        self._env = dict(env)
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            self._argv,
            cwd=PROJECT_ROOT,
            env=self._env,
            stdin=subprocess.DEVNULL,
            process_group=0,
        )

    @property
    def exit_code(self) -> int | None:
        """None while the child runs (or before it starts)."""
        return None if self._process is None else self._process.poll()

    def wait_until_ready(self, url: str, *, timeout: float, stop: StopFlag) -> None:
        """Poll `url` until it answers 200; fail early if the child exits."""
        self.wait_until(lambda: _answers(url), f"{url} did not answer", timeout=timeout, stop=stop)

    def wait_until(
        self, ready: Callable[[], bool], problem: str, *, timeout: float, stop: StopFlag
    ) -> None:
        """Poll `ready()` until it is true; fail early if the child exits."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self.exit_code is not None:
                raise StartupFailed(f"{self.name} exited with code {self.exit_code} while starting")
            self._tick(deadline, stop, problem)

    def wait_for_success(self, *, timeout: float, stop: StopFlag) -> None:
        """For a run-to-completion child: wait until it exits 0."""
        deadline = time.monotonic() + timeout
        while self.exit_code is None:
            self._tick(deadline, stop, "it did not finish")
        if self.exit_code != 0:
            raise StartupFailed(f"{self.name} failed (exit code {self.exit_code})")

    def stop(self, *, timeout: float = 10.0) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop within %.0f s; killing it", self.name, timeout)
            self._process.kill()
            self._process.wait()

    def _tick(self, deadline: float, stop: StopFlag, problem: str) -> None:
        if time.monotonic() > deadline:
            raise StartupFailed(f"{self.name} was not ready in time: {problem}")
        if stop.sleep(0.1):
            raise StopRequested


def _answers(url: str) -> bool:
    try:
        with _OPENER.open(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
