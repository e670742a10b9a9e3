"""Trending issues at scale: rollup rows from a demo history, then a 90-day period against 4 earlier ones.

Usage: python bench/analytics_trends.py [--messages 1000000] [--months 12]
Reports: issue keys per second (what the worker pays once per message), rollup rows kept, time to sum a 90-day
period from rollup rows in Python (the database does this with GROUP BY), and time to rank the summed keys.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from history.demo import demo_rows  # noqa: E402
from agency.thaitime import bangkok_date  # noqa: E402
from analytics.trends import TopicMessage, period_counts, rank_issues, rollup  # noqa: E402


def main() -> None:
    """Generate, roll up, rank; print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    end = dt.date(2025, 10, 31)
    messages = [TopicMessage(i, bangkok_date(r["received_at"]), r["topics"], r["unit"], r["channel"])
                for i, r in enumerate(demo_rows(messages=args.messages, months=args.months, end=end, seed=1))
                if r["topics"]]
    began = time.process_time()
    rows = rollup(messages)
    keyed = time.process_time() - began
    began = time.process_time()
    counts = period_counts(rows, date_from=end - dt.timedelta(days=89), date_to=end, baseline_periods=3)
    summed = time.process_time() - began
    began = time.process_time()
    topics = rank_issues(counts, baseline_periods=3)
    ranked = time.process_time() - began
    print(f"{len(messages):,} messages with phrases → {len(rows):,} rollup rows; issue keys + rollup "
          f"{keyed:.1f} s CPU ({len(messages) / keyed:,.0f} messages/s)")
    print(f"90-day period vs 3 earlier: summing rollup rows in Python {summed:.2f} s CPU, ranking {len(counts):,} keys "
          f"{ranked:.3f} s CPU")
    for topic in topics[:8]:
        print(f"  {topic.trend:7} {topic.score:6.2f}  {topic.count:6,} (เดิม {topic.baseline:,.1f})  {topic.label}")


if __name__ == "__main__":
    main()
