"""PMQA report speed on a loaded database: a cold build (the cache emptied) and a cached one, per format.

Usage: DATABASE_URL=... FANGSIANG_DATA_DIR=... python bench/pmqa_report.py [--bulk 1000000 | --load 50000]
       [--months 36] [--fiscal-year 2569] [--repeat 3] [--postgres [--keep]]
--bulk writes about that many messages (with their contacts, cases, audit trail and surveys) straight into the
tables (`bench/pmqa_bulk.py`: executemany on SQLite, COPY on PostgreSQL; minutes for a million), unless the database
already holds that many. --postgres runs on a database of its own (`pmqa_bench` on FANGSIANG_BENCH_POSTGRES, default
postgresql://root@127.0.0.1:5432/test), created first and dropped afterwards unless --keep.
--load bulk-inserts a demo history first (`history.demo.demo_rows` through the history loader, the corpus share
off so no classifier is needed; then the rollups rebuilt), unless the database already holds that many messages.
Prints wall-clock seconds for: bringing the report's per-case facts up to date (what the worker's job does; every
case once after a bulk load), a cold build (the cache emptied, the facts current: what a request waits for after new
cases), a cached build, and the PDF, XLSX and CSV renderings from the cached report; run `uptime` beside it (the
machine may be shared).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agency.settings import get_settings  # noqa: E402

BATCH = 20_000
PG_DATABASE = "pmqa_bench"


def load(runtime, *, messages: int, months: int) -> None:  # type: ignore[no-untyped-def]
    """Bulk-insert `messages` demo messages (as cases) and rebuild the rollups."""
    from analytics.rollups import rebuild_rollups
    from history.demo import demo_rows
    from history.loading import HistoryRow, Loader

    started, loaded, batch = time.monotonic(), 0, []

    def flush() -> None:
        nonlocal loaded
        with runtime.db.session() as session:
            Loader(session=session, agency=runtime.agency, calendar=runtime.calendar, source="bench-pmqa").load(batch)
        loaded += len(batch)
        batch.clear()
        print(f"\r  loaded {loaded:,} messages ({time.monotonic() - started:,.0f} s)", end="", flush=True)

    for n, row in enumerate(demo_rows(messages=messages, months=months, seed=7, corpus_share=0.0)):
        batch.append(HistoryRow(
            text=row["text"], received_at=row["received_at"], channel=row["channel"], status=row["status"],
            unit=row["unit"], intent=row["intent"], sentiment=row["sentiment"], topics=row["topics"],
            responded_at=row["responded_at"], resolved_at=row["resolved_at"], group=row["group"],
            satisfaction=row["satisfaction"], line=n, citizen=row["citizen"], surveyed=row["surveyed"],
            survey_reason=row["survey_reason"], survey_answered_at=row["survey_answered_at"]))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    print()
    with runtime.db.session() as session:
        rebuild_rollups(session, calendar=runtime.calendar)
    print(f"loaded {loaded:,} messages and rebuilt the rollups in {time.monotonic() - started:,.0f} s", flush=True)


def main() -> None:
    """Load (optionally), then time the builds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=0)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--fiscal-year", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--bulk", type=int, default=0, help="messages to write straight into the tables")
    parser.add_argument("--postgres", action="store_true", help="on a database of its own: pmqa_bench")
    parser.add_argument("--keep", action="store_true", help="keep the --postgres database afterwards")
    args = parser.parse_args()
    if args.postgres:
        with bench_database(keep=args.keep) as url:
            run(args, get_settings().model_copy(update={"database_url": url}))
    else:
        run(args, get_settings())


@contextmanager
def bench_database(*, keep: bool) -> Iterator[str]:
    """The bench's own PostgreSQL database, created (if missing) and dropped afterwards unless `keep`."""
    import psycopg

    admin = os.environ.get("FANGSIANG_BENCH_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + PG_DATABASE
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


def run(args: argparse.Namespace, settings: Any) -> None:
    """Load as asked, then time the builds."""
    from sqlalchemy import func, select

    from fangsiang.runtime import build_runtime
    from storage.models import Case, Message

    runtime = build_runtime(settings)
    with runtime.db.session() as session:
        have = session.scalar(select(func.count()).select_from(Message)) or 0
    if args.bulk and have < args.bulk:
        from bench.pmqa_bulk import bulk_load

        started, cpu = time.perf_counter(), time.process_time()
        counts = bulk_load(runtime.db, agency=runtime.agency, calendar=runtime.calendar, messages=args.bulk - have,
                           months=args.months)
        print(f"bulk load: {counts} in {time.perf_counter() - started:,.0f} s wall, "
              f"{time.process_time() - cpu:,.0f} s CPU", flush=True)
    elif args.load and have < args.load:
        load(runtime, messages=args.load - have, months=args.months)
    with runtime.db.session() as session:
        messages = session.scalar(select(func.count()).select_from(Message))
        cases = session.scalar(select(func.count()).select_from(Case))
    print(f"database: {runtime.db.engine.dialect.name}, {messages:,} messages, {cases:,} cases", flush=True)
    if args.load_only:
        runtime.close()
        return
    measure(runtime, fiscal_year=args.fiscal_year, repeat=args.repeat)
    runtime.close()


def measure(runtime, *, fiscal_year: int | None, repeat: int) -> None:  # type: ignore[no-untyped-def]
    """The facts refresh; each format built cold (the cache emptied: the JSON report, then the file); the cached
build; each file rendered from the kept report. Wall and CPU seconds (the process's, all threads), with the load."""
    from sqlalchemy import select

    from reports import render_csv_zip, render_pdf, render_xlsx
    from reports.builder import parse_fiscal_year
    from reports.cache import body_for, clear_cache, report_for
    from storage.models import User, utcnow

    now = utcnow()
    year = fiscal_year or parse_fiscal_year(None, now=now) - 1
    with runtime.db.session() as session:
        admin = User(email="bench-admin@example.go.th", role="admin", password_hash="-")
        if session.scalar(select(User).where(User.email == admin.email)) is None:
            session.add(admin)
    with runtime.db.session() as session:
        admin = session.scalars(select(User).where(User.email == "bench-admin@example.go.th")).one()
        session.expunge(admin)

    from reports.facts import refresh_facts

    started, cpu = time.perf_counter(), time.process_time()
    count = refresh_facts(runtime.db, agency=runtime.agency, calendar=runtime.calendar)
    print(f"facts refresh: {count:,} cases in {time.perf_counter() - started:6.2f} s wall, "
          f"{time.process_time() - cpu:6.2f} s CPU (the worker's job; all cases once after a bulk load)", flush=True)

    def build() -> dict:
        return report_for(runtime.db, agency=runtime.agency, calendar=runtime.calendar, user=admin,
                          fiscal_year=year)

    def load_now() -> str:
        return os.popen("uptime").read().strip().split("load average:")[-1].strip()

    formats = (("web page data (json)", "json", None), ("pdf", "pdf", render_pdf), ("xlsx", "xlsx", render_xlsx),
               ("csv zip", "csv", render_csv_zip))
    for attempt in range(repeat):
        for label, key, render in formats:  # each cold: the cache emptied, the facts current
            with runtime.db.session() as session:
                clear_cache(session)
            started, cpu = time.perf_counter(), time.process_time()
            body = body_for(runtime.db, agency=runtime.agency, calendar=runtime.calendar, user=admin,
                            fiscal_year=year, format=key, render=render)
            print(f"cold {label:<21} (attempt {attempt + 1}): {time.perf_counter() - started:6.2f} s wall, "
                  f"{time.process_time() - cpu:6.2f} s CPU, {len(body):,} bytes; load {load_now()}", flush=True)
    report = build()
    print(f"fiscal year {year}: complaints {report['handling']['total']['received']:,}, "
          f"repeats {report['handling']['total']['repeat']:,}", flush=True)
    started = time.perf_counter()
    for _ in range(repeat):
        build()
    print(f"cached build: {(time.perf_counter() - started) / repeat * 1000:8.1f} ms", flush=True)
    for name, render in (("pdf", render_pdf), ("xlsx", render_xlsx), ("csv zip", render_csv_zip)):
        started, cpu = time.perf_counter(), time.process_time()
        body = render(report)
        print(f"render {name:<8} from the kept report: {time.perf_counter() - started:6.2f} s wall, "
              f"{time.process_time() - cpu:6.2f} s CPU ({len(body):,} bytes)", flush=True)
    from reports.cache import stop_builds

    stop_builds(runtime.db)


if __name__ == "__main__":
    main()
