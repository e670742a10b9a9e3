"""Demo history speed: rows per second of `history.demo.demo_rows` (what `fangsiang demo-data` draws from).

Usage: python bench/analytics_demo.py [--messages 1000000] [--months 24]
Prints wall-clock and CPU time (the machine may be shared: CPU time is the figure that travels).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from history.demo import demo_rows  # noqa: E402


def main() -> None:
    """Generate and count, without storing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    began, cpu = time.perf_counter(), time.process_time()
    channels: Counter[str] = Counter()
    for row in demo_rows(messages=args.messages, months=args.months, seed=1):
        channels[row["channel"]] += 1
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    total = sum(channels.values())
    print(f"{total:,} rows over {args.months} months: {wall:.1f} s wall ({total / wall:,.0f} rows/s), "
          f"{used:.1f} s CPU ({total / used:,.0f} rows/s per core)")
    print("channels:", ", ".join(f"{name} {n / total:.1%}" for name, n in channels.most_common()))


if __name__ == "__main__":
    main()
