"""Where a server's time goes, from py-spy's raw samples (``py-spy record -f raw``):
the functions with the most samples under them (inclusive), each counted once a
sample, as a share of all samples.

    python bench/send/stacks.py SAMPLES.txt [--top 40] [--match TEXT]

``run.py`` writes such a file per server with ``BENCH_PYSPY=/path/to/py-spy``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

_FRAME = re.compile(r"^(.*) \((.*?)(?::\d+)?\)$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("samples")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only samples with a frame containing this")
    args = parser.parse_args()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in open(args.samples):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if args.match and args.match not in stack:
            continue
        n = int(count)
        total += n
        seen = set()
        for frame in stack.split(";"):
            m = _FRAME.match(frame)
            key = f"{m.group(1)} ({m.group(2)})" if m else frame
            if key not in seen:
                seen.add(key)
                inclusive[key] += n
    print(f"{total} samples")
    for key, n in inclusive.most_common(args.top):
        print(f"{100 * n / total:5.1f}%  {key}")


if __name__ == "__main__":
    main()
