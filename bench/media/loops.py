"""`python -m bench.media.loops`: the forwarding worker on asyncio's loop and on uvloop.

The same number of forwarded calls (`--calls`, default 8) on the worker running on the
standard selector event loop, then on uvloop, alternately `--rounds` times, so that both
see the same machine; prints each window and the mean CPU per call of each loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from bench.media.run import alternate
from bench.media.synthetic import encode_media

LOOPS = ("asyncio", "uvloop")


async def compare(calls: int, rounds: int, seconds: float) -> dict[str, float]:
    variants = {loop: {"loop": loop} for loop in LOOPS}
    return await alternate(encode_media(), calls, rounds, seconds, variants)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    means = asyncio.run(compare(args.calls, args.rounds, args.seconds))
    print(
        json.dumps(
            {
                "cpu_per_call": means,
                "uvloop_over_asyncio": round(means["uvloop"] / means["asyncio"], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
