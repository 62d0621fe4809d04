"""`python -m bench.media.profile`: the forwarding worker under load, sampled by py-spy.

Starts the worker process (`worker_process`, mode `forward`), connects `--calls` 1:1 calls
of the benchmark's synthetic media, lets them settle, then runs `py-spy record` on the
worker's process for `--seconds` and writes the samples (`--format raw`: one collapsed
stack per line with its count, the input of flame graph tools) to `--output`.
py-spy is a tool of the benchmark only (`bench/requirements.txt`); it needs ptrace on the
worker's process (root, or `kernel.yama.ptrace_scope` 0).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from pathlib import Path

from bench.media.run import WorkerProcess
from bench.media.synthetic import Participant, connect_call, encode_media


async def _profile(
    calls: int, seconds: int, output: str, rate: int, loop: str, native: bool
) -> None:
    media = encode_media()
    participants: list[Participant] = []
    with WorkerProcess("forward", loop) as worker:
        for index in range(calls):
            participants += await connect_call(media, worker.join, f"call-{index}")
        await asyncio.sleep(3)
        pid = await worker.call("pid")
        py_spy = str(Path(sys.executable).with_name("py-spy"))
        command = [py_spy, "record", "--pid", str(pid), "--duration", str(seconds)]
        command += ["--rate", str(rate), "--format", "raw", "--output", output]
        command += ["--native"] if native else ["--nonblocking"]
        spy = await asyncio.create_subprocess_exec(*command, stdout=sys.stderr)
        await spy.wait()
        for participant in participants:
            await participant.close()
    if spy.returncode:
        raise SystemExit(f"py-spy failed ({spy.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--output", default="bench/results/media-profile.txt")
    parser.add_argument(
        "--loop",
        default="asyncio",
        choices=("asyncio", "uvloop"),
        help="asyncio (default): py-spy sees no Python frames inside uvloop's C loop, and "
        "counts its waiting as busy",
    )
    parser.add_argument(
        "--native",
        action="store_true",
        help="also sample C frames (libuv, libsrtp, the kernel calls); pauses the worker at "
        "each sample, and counts the loop's waiting: the summary leaves that out",
    )
    args = parser.parse_args()
    asyncio.run(_profile(args.calls, args.seconds, args.output, args.rate, args.loop, args.native))
    summary = [sys.executable, "-m", "bench.media.collapse", args.output]
    summary += ["--busy"] if args.native else []
    subprocess.run(summary, check=True)  # noqa: S603  # our own module, our own file


if __name__ == "__main__":
    main()
