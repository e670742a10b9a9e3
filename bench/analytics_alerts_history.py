"""Spike alerts on a whole loaded history: false alerts per month an agency would see, and planted spikes found.

Usage: python bench/analytics_alerts_history.py [--messages 100000] [--months 24] [--seed 0]
Loads `fangsiang demo-data` into a fresh SQLite database (or DATABASE_URL; the trained classifier labels its corpus
texts, as on import), then replays the worker's spike job over the history as if it had run every day (each run
looks at its last RECENT_DAYS days, so every day is examined once) and sorts the alerts it raises: an alert is
true when it names a planted spike's issue or unit and starts within two days of it, false otherwise.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MARGIN = dt.timedelta(days=2)
HISTORY_ONLY_DAYS = 56  # the detector's first eight weeks are baseline


def main() -> None:
    """Load, replay, count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("FANGSIANG_DATA_DIR", tempfile.mkdtemp(prefix="fs-alerts-bench-"))

    import classifier
    from agency.settings import get_settings
    from analytics.alerts import RECENT_DAYS, raise_alerts
    from history.service import load_demo
    from history.demo import _history_bounds, planted_spikes
    from fangsiang.runtime import build_runtime

    settings = get_settings()
    runtime = build_runtime(settings)
    classifier.configure(classifier.load_or_train(settings.model_dir))
    started = time.monotonic()
    load_demo(runtime, messages=args.messages, months=args.months, seed=args.seed)
    print(f"loaded {args.messages:,} messages over {args.months} months in {time.monotonic() - started:,.0f} s")
    first, last = _history_bounds(months=args.months, end=None)
    planted = planted_spikes(messages=args.messages, start=first, end=last)
    replay_from = first + dt.timedelta(days=HISTORY_ONLY_DAYS)
    alerts = []
    started = time.monotonic()
    day = replay_from
    while day <= last:
        with runtime.db.session() as session:
            alerts += [(a.series_key, a.unit_code, a.started_at, a.label, a.count, a.expected)
                       for a in raise_alerts(session, calendar=runtime.calendar, today=day)]
        day += dt.timedelta(days=RECENT_DAYS)
    print(f"replayed the daily spike job over {(last - replay_from).days:,} days in {time.monotonic() - started:,.0f} s")

    def planted_match(series_key: str, unit: str | None, start: dt.date):  # type: ignore[no-untyped-def]
        for spike in planted:
            issue = spike.issue_key.split("|", 1)[0]
            window = spike.first_day - MARGIN <= start <= spike.first_day + dt.timedelta(days=spike.days) + MARGIN
            if window and (issue in series_key or series_key == f"unit:{spike.unit}"):
                return spike
        return None

    true, false = [], []
    for series_key, unit, start, label, count, expected in alerts:
        (true if planted_match(series_key, unit, start) else false).append((start, label, count, expected))
    found = {s.label for s in planted if any(planted_match(k, u, st) is s for k, u, st, *_ in alerts)}
    months = (last - replay_from).days / 30.44
    print(f"alerts: {len(alerts)} — {len(true)} on planted spikes, {len(false)} false")
    print(f"planted spikes found: {len(found)} of {len(planted)} ({', '.join(sorted(found))})")
    print(f"false alerts per month (the whole agency): {len(false) / months:.2f} over {months:.1f} months")
    for start, label, count, expected in sorted(false)[:20]:
        print(f"  false: {start} {label}: {count} vs {expected:.1f} expected")
    runtime.close()


if __name__ == "__main__":
    main()
