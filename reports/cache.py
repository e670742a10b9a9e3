"""Built reports kept until their data changes, built off the request in a small pool, with their progress.

A report (and each file rendered from it) is kept in `report_cache` under its fiscal year, the reader's scope
(all units or one officer's unit, with or without personal data) and format, beside the data version it was built
from: the cases (how many, the last change, the last id), the report facts' last refresh (which recomputes a
change committed late), surveys, register entries and merges, and for a year not
yet over the day (overdue counts move with the date). A request whose version matches is answered from the row; any
new or changed case gives a new version, so the next request builds again. Builds run in a thread pool sized to the
machine (one at a time on a 2-core machine), one pool per database, never on the web's event loop, and stopped with
the service (`stop_builds`); a build writes its stage and percent to
its row in short transactions, which the report page polls. Each key is built once at a time per process.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from analytics.models import Watermark
from agency.thaitime import BANGKOK, WorkingCalendar, fiscal_year_bounds
from cases.access import sees_personal_data
from conversation.models import Survey
from reports.builder import build_report
from reports.facts import WATERMARK, facts_basis
from reports.models import Improvement, ReportCache
from reports.repeats import MERGES
from storage.db import Database, upsert_insert
from storage.models import Case, User, utcnow

log = logging.getLogger(__name__)
JSON = "json"
POOL_THREADS = max(1, (os.cpu_count() or 2) // 2)
_pools: dict[int, ThreadPoolExecutor] = {}  # one per database (an app's runtime), stopped with it
_stopping: dict[int, threading.Event] = {}
_running: dict[tuple[str, str], Future] = {}
_lock = threading.Lock()


class ReportBuildFailed(RuntimeError):
    """The build raised; the message is Thai."""


class BuildStopped(RuntimeError):
    """The service is stopping: the build gives up at its next stage."""


def stop_builds(db: Database) -> None:
    """At shutdown: builds of this database not yet started are cancelled, a running one stops at its next stage,
    and the pool's threads end (waited for)."""
    with _lock:
        pool = _pools.pop(id(db), None)
        stopping = _stopping.pop(id(db), None)
    if stopping is not None:
        stopping.set()
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool_of(db: Database) -> tuple[ThreadPoolExecutor, threading.Event]:
    """This database's build pool (with _lock held), started on first use."""
    if id(db) not in _pools:
        _pools[id(db)] = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="fangsiang-report")
        _stopping[id(db)] = threading.Event()
    return _pools[id(db)], _stopping[id(db)]


def cache_key(*, fiscal_year: int, user: User, format: str = JSON) -> str:
    """Where a reader's report of a year is kept: year, scope (all or the officer's unit), personal data, format."""
    scope = user.unit_code if user.role == "officer" and user.unit_code else "all"
    return f"{fiscal_year}:{scope}:{'personal' if sees_personal_data(user) else 'masked'}:{format}"


def data_version(session: Session, *, agency: AgencyConfig, fiscal_year: int, now: dt.datetime) -> str:
    """What the report is built from, in one string: any new or changed case, survey, register entry or merge
    changes it, so do the days off and the published standards (`facts_basis`), and for the current fiscal year
    the date."""
    basis = facts_basis(session, agency=agency)[0]
    parts: list[Any] = [basis,
                        # the facts' last refresh: a change committed late (older updated_at) is recomputed there
                        session.scalar(select(Watermark.updated_at).where(Watermark.name == f"{WATERMARK}:{basis}")),
                        *session.execute(select(func.count(), func.max(Case.updated_at), func.max(Case.id))).one(),
                        *session.execute(select(func.count(), func.max(Survey.answered_at),
                                                func.count(Survey.reason))).one(),  # a reason comes after the score
                        *session.execute(select(func.count(), func.max(Improvement.updated_at))).one(),
                        session.scalar(select(func.count()).select_from(MERGES))]
    _, end = fiscal_year_bounds(fiscal_year)
    if now < end:
        parts.append(now.astimezone(BANGKOK).date())
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def cached(session: Session, *, key: str, version: str) -> bytes | None:
    """The kept body for this key if it was built from this version of the data."""
    row = session.get(ReportCache, key)
    return row.body if row is not None and row.status == "ready" and row.data_version == version else None


def build_state(session: Session, *, key: str) -> dict[str, Any] | None:
    """The build's status ("building", "ready", "failed"), stage and percent, or None when none was started."""
    row = session.get(ReportCache, key)
    if row is None:
        return None
    return {"status": row.status, "stage": row.stage, "percent": round(row.progress * 100),
            "error": row.error, "data_version": row.data_version}


def clear_cache(session: Session) -> None:
    """Forget every kept report (the bench's cold start; tests)."""
    session.query(ReportCache).delete()


def start_build(db: Database, *, agency: AgencyConfig, calendar: WorkingCalendar, user: User, fiscal_year: int,
                version: str, format: str = JSON, render: Callable[[dict[str, Any]], bytes] | None = None) -> Future:
    """The build of this key and version: the one already running in this process, or a new one in the pool.
    Its result is the body (JSON bytes, or the file `render` makes from the report)."""
    key = cache_key(fiscal_year=fiscal_year, user=user, format=format)
    user = User(email=user.email, role=user.role, unit_code=user.unit_code)  # the request's row stays with it
    with _lock:
        running = _running.get((key, version))
        if running is not None:
            return running
        pool, stopping = _pool_of(db)
        future = pool.submit(_build, db, agency=agency, calendar=calendar, user=user, fiscal_year=fiscal_year,
                             key=key, version=version, format=format, render=render, stopping=stopping)
        _running[(key, version)] = future
        future.add_done_callback(lambda _: _forget(key, version))
        return future


def _forget(key: str, version: str) -> None:
    with _lock:
        _running.pop((key, version), None)


def report_for(db: Database, *, agency: AgencyConfig, calendar: WorkingCalendar, user: User, fiscal_year: int,
               now: dt.datetime | None = None) -> dict[str, Any]:
    """The report, from the cache when the data has not changed since it was built, else built (in the pool) and
    kept; waits for it (for callers already off the event loop: exports, the register's suggestions, the bench)."""
    return json.loads(body_for(db, agency=agency, calendar=calendar, user=user, fiscal_year=fiscal_year, now=now))


def body_for(db: Database, *, agency: AgencyConfig, calendar: WorkingCalendar, user: User, fiscal_year: int,
             now: dt.datetime | None = None, format: str = JSON,
             render: Callable[[dict[str, Any]], bytes] | None = None) -> bytes:
    """The kept body of this format, or the one built now (see report_for)."""
    key = cache_key(fiscal_year=fiscal_year, user=user, format=format)
    with db.read_session() as session:
        version = data_version(session, agency=agency, fiscal_year=fiscal_year, now=now or utcnow())
        body = cached(session, key=key, version=version)
    if body is not None:
        return body
    return start_build(db, agency=agency, calendar=calendar, user=user, fiscal_year=fiscal_year, version=version,
                       format=format, render=render).result()


def _build(db: Database, *, agency: AgencyConfig, calendar: WorkingCalendar, user: User, fiscal_year: int, key: str,
           version: str, format: str, render: Callable[[dict[str, Any]], bytes] | None,
           stopping: threading.Event | None = None) -> bytes:
    """Build and keep one body, telling its row how far it is; a failure is kept too (and raised). A file is
    rendered from the kept JSON report, built here first when there is none (never queued behind itself)."""
    shown = {"stage": "", "percent": -1}

    def progress(stage: str, fraction: float) -> None:
        if stopping is not None and stopping.is_set():
            raise BuildStopped("the service is stopping")
        percent = int(fraction * 100)
        if stage != shown["stage"] or percent >= shown["percent"] + 5:
            shown.update(stage=stage, percent=percent)
            _write(db, key=key, version=version, status="building", stage=stage, progress=fraction)

    progress("เริ่มจัดทำรายงาน", 0.0)

    def read_version(session: Session) -> None:  # after the build's own facts refresh, in the build's read session
        nonlocal version
        version = data_version(session, agency=agency, fiscal_year=fiscal_year, now=utcnow())

    try:
        json_key = cache_key(fiscal_year=fiscal_year, user=user, format=JSON)
        with db.read_session() as session:
            kept = cached(session, key=json_key, version=version)
        if kept is not None:
            report = json.loads(kept)
        else:
            _prepare_beside(render)
            report = build_report(db, agency=agency, calendar=calendar, fiscal_year=fiscal_year, user=user,
                                  now=utcnow(), reading=read_version, progress=progress if format == JSON else
                                  (lambda stage, fraction: progress(stage, fraction * 0.8)))
            kept = json.dumps(report, ensure_ascii=False).encode("utf-8")
            if format != JSON:
                _write(db, key=json_key, version=version, status="ready", stage="จัดทำรายงานแล้ว", progress=1.0,
                       body=kept)
        if format == JSON:
            body = kept
        else:
            assert render is not None
            progress("จัดทำไฟล์", 0.85)
            body = render(report)
    except BuildStopped:
        _write(db, key=key, version=version, status="failed", stage="ระบบหยุดทำงานระหว่างจัดทำรายงาน", progress=0.0,
               error="ระบบหยุดทำงานระหว่างจัดทำรายงาน กรุณาลองใหม่อีกครั้งค่ะ")
        raise
    except Exception as exc:
        log.exception("building report %s failed", key)
        _write(db, key=key, version=version, status="failed", stage="จัดทำรายงานไม่สำเร็จ", progress=0.0,
               error=f"จัดทำรายงานไม่สำเร็จ: {type(exc).__name__}")
        raise
    _write(db, key=key, version=version, status="ready", stage="จัดทำรายงานแล้ว", progress=1.0, body=body)
    return body


def _prepare_beside(render: Callable[[dict[str, Any]], bytes] | None) -> None:
    """The renderer's own start-up (`render.prepare`: the PDF's WeasyPrint and Thai font) in a thread of its own, while
    the report's queries wait on the database; a failure there is logged and met again by the render itself."""
    prepare = getattr(render, "prepare", None)
    if prepare is None:
        return

    def run() -> None:
        try:
            prepare()
        except Exception:
            log.warning("preparing the report's renderer failed (the render will say why)", exc_info=True)

    threading.Thread(target=run, name="fangsiang-report-prepare", daemon=True).start()


def _write(db: Database, *, key: str, version: str, status: str, stage: str, progress: float,
           body: bytes | None = None, error: str | None = None) -> None:
    """One short write of the key's row."""
    now = utcnow()
    values = {"data_version": version, "status": status, "stage": stage[:200], "progress": progress, "body": body,
              "error": error, "updated_at": now}
    with db.session() as session:
        started = {} if status != "building" or progress > 0 else {"started_at": now}
        session.execute(upsert_insert(session, ReportCache).values(key=key, started_at=now, **values)
                        .on_conflict_do_update(index_elements=["key"], set_={**values, **started}))
