"""`python -m bench.mutation.run`: mutate the security modules and see whether tests notice.

First the targets' tests run once unmutated with a line tracer (which tests execute which
lines of each target). Then every mutant (`bench.mutation.operators`) is written over its
module in a scratch copy of the project, and the tests that execute the mutated lines run
against it in a forked child (`pytest -x -q`); a mutant on a line no test executes (a module-level
constant, read at import) gets all of the module's tests. A mutant is killed when the tests
fail or time out; the timeout is three times what the chosen tests took unmutated (traced)
plus `--timeout` seconds, so a slow machine does not pass off slowness as a kill. Prints each
survivor's location and change, and the score per module; `--source` mutates another
checkout (e.g. an export of an older commit, to compare scores).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.mutation import runner
from bench.mutation.operators import Mutant, mutants_of

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONAL = "tests/functional/"
SECURITY = FUNCTIONAL + "test_security_rules.py"
SESSIONS = FUNCTIONAL + "test_session_standing.py"
CODES = FUNCTIONAL + "test_access_code_races.py"
SIGN_IN = FUNCTIONAL + "test_clinician_sign_in.py"
LINKS = FUNCTIONAL + "test_participant_links.py"
SOCKETS = FUNCTIONAL + "test_websocket_handlers.py"

#: Each target module and the test files that speak for it.
TARGETS: dict[str, tuple[str, ...]] = {
    "chalicelib/auth/secret_tokens.py": (SECURITY, LINKS),
    "chalicelib/auth/single_use.py": (SECURITY, SIGN_IN, SOCKETS),
    "chalicelib/auth/tickets.py": (SECURITY, SESSIONS, SOCKETS, SIGN_IN),
    "chalicelib/auth/clinician_sessions.py": (SECURITY, SESSIONS, SIGN_IN),
    "chalicelib/auth/magic_links.py": (SECURITY, SIGN_IN),
    "chalicelib/auth/rate_limits.py": (SECURITY, SIGN_IN),
    "chalicelib/participants/links.py": (SECURITY, CODES, SESSIONS, LINKS),
    "chalicelib/participants/access_codes.py": (SECURITY, CODES, LINKS),
}
#: What the scratch copy needs to run the functional tests.
COPIED = ("app.py", "chalicelib", "tests", "pyproject.toml", "web")


@dataclass(frozen=True)
class Outcome:
    module: str
    mutant: Mutant
    killed: bool


def scratch_copy(source: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="vestibule-mutation-"))
    for name in COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            shutil.copy2(path, target / name)
    return target


def tests_for(
    mutant: Mutant, lines: dict[int, list[str]], found: runner.LineMap, most: int
) -> list[str]:
    """The tests that execute any line of the mutant's node, at most `most` of them: those
    of `test_security_rules` first (written to catch exactly these changes), then the
    fastest. Empty if no test executes those lines."""
    span = range(mutant.line, mutant.end_line + 1)
    chosen = {test for line in span for test in lines.get(line, [])}
    return sorted(chosen, key=lambda t: (SECURITY not in t, found.seconds.get(t, 0.0)))[:most]


def time_allowed(tests: list[str], found: runner.LineMap, margin: float) -> float:
    chosen = [s for test, s in found.seconds.items() if any(test.startswith(t) for t in tests)]
    return 3 * sum(chosen) + margin


def run_module(
    copy: Path,
    module: str,
    tests: list[str],
    found: runner.LineMap,
    margin: float,
    most: int,
    only: set[tuple[str, int, str]] | None = None,
) -> list[Outcome]:
    """Every mutant of `module` in `copy` (or those in `only`); the module is restored."""
    path = copy / module
    original = path.read_text()
    lines = found.lines.get(module, {})
    outcomes = []
    try:
        for mutant in mutants_of(original):
            if only is not None and (module, mutant.line, mutant.description) not in only:
                continue
            path.write_text(mutant.source)
            chosen = [t for t in tests_for(mutant, lines, found, most) if t.split("::")[0] in tests]
            if only is not None:  # a recheck: every test of the module, new ones included
                chosen = tests
            allowed = time_allowed(chosen or tests, found, margin)
            killed = not runner.tests_pass(copy, chosen or tests, allowed)
            outcomes.append(Outcome(module, mutant, killed))
            mark = "killed" if killed else "SURVIVED"
            print(f"{mark:8} {module}:{mutant.line} {mutant.description}", flush=True)
    finally:
        path.write_text(original)
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to mutate")
    parser.add_argument("--only", action="append", help="a target module path (repeatable)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per mutant beyond 3x the tests' time"
    )
    parser.add_argument(
        "--most-tests", type=int, default=12, help="tests run per mutant, at most (0: all)"
    )
    parser.add_argument("--map", type=Path, help="reuse this line map (else traced, saved)")
    parser.add_argument(
        "--survivors",
        type=Path,
        help="rerun only the survivors printed in this earlier output, against all their tests",
    )
    parser.add_argument("--list", action="store_true", help="count the mutants, run nothing")
    options = parser.parse_args()
    targets = {m: t for m, t in TARGETS.items() if not options.only or m in options.only}
    if options.list:
        for module in targets:
            count = sum(1 for _ in mutants_of((options.source / module).read_text()))
            print(f"{count:4} {module}")
        return 0
    started = time.monotonic()
    runner.preload()
    copy = scratch_copy(options.source)
    try:
        present = {m: [t for t in tests if (copy / t).exists()] for m, tests in TARGETS.items()}
        every = sorted({test for tests in present.values() for test in tests})
        if options.map and options.map.exists():
            found: runner.LineMap | None = runner.read_line_map(options.map)
        else:
            saved = options.map or copy / "lines.json"
            found = runner.line_map(copy, list(TARGETS), every, timeout=3600, output=saved)
        if found is None:
            print("the tests fail unmutated: no mutation run", flush=True)
            return 1
        print(f"traced the unmutated tests in {(time.monotonic() - started) / 60:.1f} min")
        outcomes = [
            outcome
            for module in targets
            for outcome in run_module(
                copy,
                module,
                present[module],
                found,
                options.timeout,
                options.most_tests or 10**6,
                survivors_in(options.survivors) if options.survivors else None,
            )
        ]
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    report(targets, outcomes, minutes=(time.monotonic() - started) / 60)
    return 0


def survivors_in(output: Path) -> set[tuple[str, int, str]]:
    """(module, line, change) of each `SURVIVED` line of an earlier run's output."""
    found = set()
    for line in output.read_text().splitlines():
        if line.startswith("SURVIVED "):
            where, _, change = line.removeprefix("SURVIVED ").strip().partition(" ")
            module, _, number = where.rpartition(":")
            found.add((module, int(number), change))
    return found


def report(targets: dict[str, tuple[str, ...]], outcomes: list[Outcome], minutes: float) -> None:
    survivors = [outcome for outcome in outcomes if not outcome.killed]
    print("\nSurvivors:")
    for outcome in survivors:
        print(f"  {outcome.module}:{outcome.mutant.line}  {outcome.mutant.description}")
    killed = len(outcomes) - len(survivors)
    score = 100 * killed / len(outcomes) if outcomes else 0.0
    print(f"\n{killed} of {len(outcomes)} mutants killed ({score:.1f}%) in {minutes:.1f} min")
    for module in targets:
        mine = [outcome for outcome in outcomes if outcome.module == module]
        if mine:
            print(f"  {sum(o.killed for o in mine):4}/{len(mine):<4} {module}")


if __name__ == "__main__":
    raise SystemExit(main())
