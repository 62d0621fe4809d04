"""Cold start: how long `import app` takes against `import boto3` alone, as a ratio.

Each sample is a fresh Python process that times one import with `time.perf_counter`
(interpreter start-up excluded); the two kinds of process alternate, so both see the same
machine load, and the script prints each median and the ratio of the medians. Bytecode is
compiled once into a temporary cache (`PYTHONPYCACHEPREFIX`) before the timed rounds, so
both sides load cached bytecode whatever `PYTHONDONTWRITEBYTECODE` says. The
environment is the caller's: outside Lambda the Tracer (and the X-Ray SDK) is not loaded.
`--lambda-tracing` sets the variables of a Lambda with tracing on, to show what a traced
cold start imports on top (for information: there the X-Ray SDK is the price of tracing).

    .venv/bin/python bench/cold_start.py            # 7 rounds
    .venv/bin/python bench/cold_start.py --rounds 11

Run it on two commits in the same session to compare them: the ratio, not the seconds,
is what carries from one machine to another.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_TIMED_IMPORT = (
    "import time\n"
    "started = time.perf_counter()\n"
    "import {module}\n"
    "print(time.perf_counter() - started)\n"
)

_LAMBDA_TRACING = {
    "LAMBDA_TASK_ROOT": str(REPO),
    "AWS_LAMBDA_FUNCTION_NAME": "vestibule-bench",
    "AWS_REGION": "eu-west-1",
    "POWERTOOLS_TRACE_DISABLED": "false",
}


def time_import(module: str, env: dict[str, str]) -> float:
    """Seconds one fresh interpreter takes to import `module`."""
    completed = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", _TIMED_IMPORT.format(module=module)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="samples of each (default 7)")
    parser.add_argument(
        "--lambda-tracing", action="store_true", help="import as a Lambda with tracing on"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.lambda_tracing:
        env.update(_LAMBDA_TRACING)
    with tempfile.TemporaryDirectory(prefix="cold-start-pyc-") as bytecode:
        env["PYTHONPYCACHEPREFIX"] = bytecode
        report(args.rounds, env)


def report(rounds: int, env: dict[str, str]) -> None:
    """Warm the bytecode cache, then time both imports, interleaved, and print the ratio."""
    for module in ("boto3", "app"):  # warm the bytecode caches; not counted
        time_import(module, env)

    samples: dict[str, list[float]] = {"boto3": [], "app": []}
    for _ in range(rounds):
        for module in samples:
            samples[module].append(time_import(module, env))

    medians = {module: statistics.median(times) for module, times in samples.items()}
    for module, times in samples.items():
        shown = " ".join(f"{t * 1000:.0f}" for t in times)
        print(f"import {module:5}  median {medians[module] * 1000:6.1f} ms   ({shown})")
    print(f"ratio app / boto3: {medians['app'] / medians['boto3']:.2f}")


if __name__ == "__main__":
    main()
