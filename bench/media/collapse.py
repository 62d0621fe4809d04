"""`python -m bench.media.collapse FILE`: where a py-spy profile (raw format) spends its time.

Prints the share of all samples spent inside each function (inclusive, deepest first
excluded: a function that recurses counts once per sample) and in each function's own code
(self), the top `--top` of each, so the step-by-step table in `bench/media/README.md` can be
read off a profile. With `--busy`, samples waiting in the event loop's `epoll_pwait` (which
py-spy's `--native` mode records as if busy) are left out, so the shares are of the time
the worker was working.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

#: The leaf frame of a sample in which the event loop waits for the sockets.
IDLE_LEAF = "epoll_pwait"


def summarize(
    lines: list[str], *, busy_only: bool = False
) -> tuple[int, Counter[str], Counter[str]]:
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [_short(frame) for frame in stack.split(";")]
        if busy_only and frames[-1].startswith(IDLE_LEAF):
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    return total, inclusive, own


def _short(frame: str) -> str:
    """`function (path/to/module.py:line)` -> `function (module.py)`."""
    name, _, where = frame.partition(" (")
    module = where.split(":")[0].rsplit("/", 1)[-1]
    return f"{name} ({module})" if module else name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--busy", action="store_true", help="leave out the idle event loop")
    args = parser.parse_args()
    lines = Path(args.profile).read_text().splitlines()
    total, inclusive, own = summarize(lines, busy_only=args.busy)
    print(f"{total} samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"--- {title}")
        for frame, count in counter.most_common(args.top):
            print(f"{100 * count / total:6.1f}%  {frame}")


if __name__ == "__main__":
    main()
