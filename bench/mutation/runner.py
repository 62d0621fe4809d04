"""Running pytest for the mutation run: in forked children of a process that has already
imported the heavy libraries, with a timeout, and once with a line tracer that records
which tests execute which lines of a target module (so each mutant runs only those).

Forking saves the seconds that importing boto3, moto, Chalice and PynamoDB take in every
fresh interpreter; `chalicelib` and the tests are never imported by the parent, so each
child imports the module as it is on disk at that moment, mutated or not.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

PRELOADED = ("boto3", "botocore", "moto", "chalice", "pynamodb", "aws_lambda_powertools")
PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider")


def preload() -> None:
    """Import what every child needs, once, before the first fork."""
    for name in PRELOADED:
        __import__(name)


def _in_child(copy: Path, work: Callable[[], int], timeout: float) -> int | None:
    """Run `work` in a forked child inside `copy`; its exit code, or None on timeout."""
    pid = os.fork()
    if pid == 0:  # the child: quiet, in the scratch copy, never back to the caller
        code = 70
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.chdir(copy)
            sys.path.insert(0, str(copy))
            code = work()
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def tests_pass(copy: Path, tests: list[str], timeout: float) -> bool:
    """Whether `tests` (paths or node ids) all pass in `copy` within `timeout` seconds."""
    code = _in_child(copy, lambda: int(pytest.main([*PYTEST_ARGS, *tests])), timeout)
    return code == 0


class _LineTracer:
    """A pytest plugin: for each test, the lines of the target files it executes (in every
    thread), and how long it took (traced, so with some margin)."""

    def __init__(self, filenames: dict[str, str]) -> None:
        self._modules = filenames  # absolute file name -> module path as given
        self._test = ""
        self.lines: defaultdict[str, defaultdict[int, set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        self.seconds: dict[str, float] = {}

    def _trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename not in self._modules:
            return None
        return self._local

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            module = self._modules[frame.f_code.co_filename]
            self.lines[module][frame.f_lineno].add(self._test)
        return self._local

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any) -> Iterator[None]:
        self._test = item.nodeid
        started = time.monotonic()
        sys.settrace(self._trace)
        threading.settrace(self._trace)
        try:
            return (yield)
        finally:
            sys.settrace(None)
            threading.settrace(None)  # type: ignore[arg-type]
            self.seconds[item.nodeid] = time.monotonic() - started


@dataclass(frozen=True)
class LineMap:
    """For each target module, which tests execute each of its lines; each test's time."""

    lines: dict[str, dict[int, list[str]]]
    seconds: dict[str, float]


def line_map(
    copy: Path, modules: list[str], tests: list[str], timeout: float, output: Path
) -> LineMap | None:
    """Which tests execute each line of `modules`, from one traced run of `tests` in `copy`
    (also written to `output`); None when the tests do not all pass unmutated."""

    def traced() -> int:
        tracer = _LineTracer({str((copy / module).resolve()): module for module in modules})
        code = int(pytest.main(["-q", "-p", "no:cacheprovider", *tests], plugins=[tracer]))
        lines = {
            module: {line: sorted(ids) for line, ids in found.items()}
            for module, found in tracer.lines.items()
        }
        output.write_text(json.dumps({"lines": lines, "seconds": tracer.seconds}))
        return code

    if _in_child(copy, traced, timeout) != 0:
        return None
    return read_line_map(output)


def read_line_map(path: Path) -> LineMap:
    found = json.loads(path.read_text())
    lines = {
        module: {int(line): ids for line, ids in by_line.items()}
        for module, by_line in found["lines"].items()
    }
    return LineMap(lines, found["seconds"])
