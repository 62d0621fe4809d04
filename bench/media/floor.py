"""`python -m bench.media.floor`: what the worker's forwarding logic costs, and what stays.

The same calls on the forwarding worker and on `worker_process.FloorWorker` (each packet
decrypted, encrypted and sent as it is: the socket calls, SRTP both ways, the event loop
and aiortc's RTCP, with none of the forwarding logic), alternately `--rounds` times at
each of `--calls` (default 1 and 16 calls), so that both see the same machine. The
floor's CPU per call is what no change to the logic in Python can go below; it bounds the
ratio to transcoding and the calls per core this stack can reach.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from bench.media.run import alternate
from bench.media.synthetic import encode_media

MODES = ("forward", "floor")


async def compare(calls: list[int], rounds: int, seconds: float) -> dict[str, dict[str, float]]:
    media = encode_media()
    variants = {mode: {"mode": mode} for mode in MODES}
    means: dict[str, dict[str, float]] = {}
    for count in calls:
        mean = await alternate(media, count, rounds, seconds, variants)
        mean["floor_share"] = round(mean["floor"] / mean["forward"], 3)
        means[f"{count} calls"] = mean
    return means


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(compare(args.calls, args.rounds, args.seconds)), indent=2))


if __name__ == "__main__":
    main()
