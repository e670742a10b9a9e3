"""Dashboard and analytics API latency on a loaded database, beside the same questions asked of the raw tables.

Usage: DATABASE_URL=... python bench/analytics_dashboard.py [--load 1000000 --months 24] [--repeat 20]
(--load runs `fangsiang demo-data` first: bulk insert, classification of corpus texts, full rollup rebuild.)
Reports p50/p95 warm (ms) for GET /dashboard (last 30 days and fiscal year), /api/analytics/volumes|topics|alerts,
trending issues for 90 days, and the naive versions: GROUP BY on messages ⋈ cases, topics recomputed from messages.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agency.settings import get_settings


def timed(name: str, run: Callable[[], object], *, repeat: int) -> dict:
    """Run once to warm, then `repeat` times; p50/p95 in ms."""
    run()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    row = {"name": name, "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1)}
    print(f"{name:<48} p50 {row['p50_ms']:>9.1f} ms   p95 {row['p95_ms']:>9.1f} ms", flush=True)
    return row


def main() -> None:
    """Load (optionally), sign in, measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=0)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--naive-repeat", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from accounts.service import hash_password
    from history.service import load_demo
    from analytics.rollups import bangkok_day
    from agency.thaitime import bangkok_day_range
    from analytics.trends import TopicMessage, rollup, trending_issues
    from fangsiang.app import create_app
    from fangsiang.runtime import build_runtime
    from storage.models import Case, Message, User, utcnow

    runtime = build_runtime(settings)
    if args.load:
        import classifier  # the corpus texts of the demo history are labelled by the trained model, as on import

        classifier.configure(classifier.load_or_train(settings.model_dir))
        started = time.monotonic()
        load_demo(runtime, messages=args.load, months=args.months, progress=True)
        print(f"loaded {args.load:,} messages in {time.monotonic() - started:,.0f} s", flush=True)
    with runtime.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Message))
        if session.scalar(select(User).where(User.email == "bench-analyst@example.go.th")) is None:
            session.add(User(email="bench-analyst@example.go.th", role="analyst",
                             password_hash=hash_password("bench password 1")))
    print(f"database: {runtime.db.engine.dialect.name}, {total:,} messages", flush=True)
    today = bangkok_day(utcnow())
    last90 = {"from": (today - dt.timedelta(days=89)).isoformat(), "to": today.isoformat()}
    results = []
    with TestClient(create_app(settings, run_worker=False)) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"username": "bench-analyst@example.go.th", "password": "bench password 1",
                                    "csrf_token": token})
        get = client.get
        assert get("/dashboard", follow_redirects=False).status_code == 200, "the analyst could not sign in"
        for name, path, params in (
                ("GET /dashboard (30 days)", "/dashboard", {}),
                ("GET /dashboard (fiscal year)", "/dashboard", {"period": "fiscal_year"}),
                ("GET /api/analytics/volumes day×channel 90d", "/api/analytics/volumes", last90),
                ("GET /api/analytics/volumes month×unit 90d", "/api/analytics/volumes",
                 {**last90, "by": "month", "group": "unit"}),
                ("GET /api/analytics/topics 90d", "/api/analytics/topics", last90),
                ("GET /api/analytics/alerts", "/api/analytics/alerts", {})):
            results.append(timed(name, lambda p=path, q=params: get(p, params=q).raise_for_status(),
                                 repeat=args.repeat))

    from analytics.service import scope_for, topics

    analyst = User(role="analyst")
    scope90 = scope_for(analyst, date_from=today - dt.timedelta(days=89), date_to=today)

    def uncached_topics() -> object:
        with runtime.db.session() as session:
            return topics(session, scope=scope90, cached=False)

    results.append(timed("trending issues 90d, rollups, no cache", uncached_topics, repeat=max(args.repeat // 3, 3)))
    start, end = bangkok_day_range(today - dt.timedelta(days=89), today)
    base_start, _ = bangkok_day_range(today - dt.timedelta(days=89 + 270), today)

    def naive_volumes() -> object:
        with runtime.db.session() as session:
            day = func.date(Message.received_at) if runtime.db.is_sqlite else func.date_trunc("day", Message.received_at)
            return session.execute(select(day, Case.channel, func.count()).join(Case, Case.id == Message.case_id)
                                   .where(Message.received_at >= start, Message.received_at < end,
                                          Message.direction == "in").group_by(day, Case.channel)).all()

    def naive_topics() -> object:
        with runtime.db.session() as session:
            rows = session.execute(select(Message.case_id, Message.received_at, Message.topics, Message.unit_code,
                                          Message.channel).where(Message.received_at >= base_start,
                                                                 Message.received_at < end,
                                                                 Message.direction == "in")).all()
        messages = [TopicMessage(c or 0, bangkok_day(r), t or (), u, ch) for c, r, t, u, ch in rows]
        return trending_issues(rollup(messages), date_from=today - dt.timedelta(days=89), date_to=today,
                               baseline_periods=3)

    results.append(timed("naive: volumes day×channel 90d on raw tables", naive_volumes, repeat=args.naive_repeat))
    results.append(timed("naive: trending issues 90d from raw messages", naive_topics, repeat=args.naive_repeat))
    runtime.close()


if __name__ == "__main__":
    main()
