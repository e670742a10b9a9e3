"""A report is built once per fiscal year, reader scope and data version, kept, and built again when cases change;
its facts follow changed and newly loaded cases; a build tells its progress; on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select, update

from agency.thaitime import WorkingCalendar
from reports import cache
from reports.builder import build_report
from reports.models import CaseFacts, ReportCache
from storage.db import Database
from storage.models import Case
from tests.reports.helpers import user
from tests.reports.seed import Spec, bkk, store_case
from tests.reports.test_builder import AGENCY, NOW

CALENDAR = WorkingCalendar()


def kept(db: Database, email: str, year: int = 2569) -> dict:
    return cache.report_for(db, agency=AGENCY, calendar=CALENDAR, user=user(db, email), fiscal_year=year, now=NOW)


def test_a_report_is_kept_until_its_data_changes(db: Database) -> None:
    admin = user(db, "admin@example.go.th")
    first = kept(db, "admin@example.go.th")
    assert first["handling"]["total"]["received"] == 10
    key = cache.cache_key(fiscal_year=2569, user=admin)
    assert key == "2569:all:personal:json"
    with db.session() as session:  # mark the kept report: a request answered from the cache shows the mark
        row = session.get(ReportCache, key)
        assert (row.status, row.progress) == ("ready", 1.0)
        session.execute(update(ReportCache).where(ReportCache.key == key).values(
            body=json.dumps({**first, "scope": "จากที่เก็บไว้"}, ensure_ascii=False).encode()))
    assert kept(db, "admin@example.go.th")["scope"] == "จากที่เก็บไว้"
    # readers of another scope or without personal data have their own report, built once each
    assert kept(db, "works@example.go.th")["scope"] == "เฉพาะกองช่าง"
    assert kept(db, "analyst@example.go.th")["scope"] == "ทุกหน่วยงาน"
    with db.session() as session:
        assert sorted(session.scalars(select(ReportCache.key))) == [
            "2569:all:masked:json", "2569:all:personal:json", "2569:public_works:personal:json"]

    with db.session() as session:  # a new complaint: a new data version, so the report is built again
        store_case(session, Spec("n1", bkk(2026, 6, 2, 10), "line", "complaint", "public_works", "new", "n1",
                                 topics=("ถนนเป็นหลุม", "ซอย 9")), number=201, contacts={})
    again = kept(db, "admin@example.go.th")
    assert again["scope"] == "ทุกหน่วยงาน" and again["handling"]["total"]["received"] == 11


def test_facts_follow_changed_cases_and_history_loaded_later(db: Database) -> None:
    before = build_report(db, agency=AGENCY, calendar=CALENDAR, fiscal_year=2569, user=user(db, "admin@example.go.th"),
                          now=NOW)
    assert before["handling"]["total"]["resolved"] == 5
    with db.session() as session:
        c13 = session.scalars(select(Case).where(Case.ticket == "FS-2569-000016")).one()
        assert c13.topics == ["ไฟทางดับ"]
        c13.status, c13.resolved_at, c13.first_response_at = "resolved", bkk(2026, 9, 24, 10), bkk(2026, 9, 23, 10)
        c13.updated_at = dt.datetime.now(dt.UTC)
        # a past case loaded in bulk keeps its own old updated_at: found all the same, by its new id
        store_case(session, Spec("h1", bkk(2026, 3, 2, 10), "walk_in", "complaint", "revenue", "closed", "h1",
                                 resolved=bkk(2026, 3, 3, 10)), number=301, contacts={})
    after = build_report(db, agency=AGENCY, calendar=CALENDAR, fiscal_year=2569, user=user(db, "admin@example.go.th"),
                         now=NOW)
    total = after["handling"]["total"]
    assert (total["received"], total["resolved"]) == (11, 7)
    with db.session() as session:
        facts = session.get(CaseFacts, c13.id)
        assert (facts.status, facts.resolved, facts.resolution_days, facts.response_days) == ("resolved", True, 2, 1)


def test_a_build_tells_its_progress_and_a_failure_is_said_in_thai(db: Database) -> None:
    heard: list[tuple[str, float]] = []
    build_report(db, agency=AGENCY, calendar=CALENDAR, fiscal_year=2569, user=user(db, "analyst@example.go.th"),
                 now=NOW, progress=lambda stage, fraction: heard.append((stage, fraction)))
    fractions = [fraction for _, fraction in heard]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(heard) >= 4
    assert heard[-1][0] == "จัดทำรายงานแล้ว" and any("ร้องเรียน" in stage for stage, _ in heard)

    admin = user(db, "admin@example.go.th")

    def broken(report: dict) -> bytes:
        raise ValueError("renderer broke")

    with db.session() as session:
        version = cache.data_version(session, agency=AGENCY, fiscal_year=2569, now=NOW)
    future = cache.start_build(db, agency=AGENCY, calendar=CALENDAR, user=admin, fiscal_year=2569, version=version,
                               format="pdf", render=broken)
    with pytest.raises(ValueError):
        future.result()
    with db.session() as session:
        failed = cache.build_state(session, key=cache.cache_key(fiscal_year=2569, user=admin, format="pdf"))
        assert failed["status"] == "failed" and failed["error"].startswith("จัดทำรายงานไม่สำเร็จ")
        # the JSON report the file was to be made from was built and kept on the way
        assert cache.cached(session, key=cache.cache_key(fiscal_year=2569, user=admin), version=version) is not None


def test_a_file_build_starts_its_renderer_beside_the_queries_and_a_failed_start_is_not_the_build(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    admin = user(db, "admin@example.go.th")
    started = threading.Event()

    def render(report: dict) -> bytes:
        assert started.wait(10)  # the start-up ran (in its own thread) before the render was asked for
        return f"file of {report['fiscal_year']}".encode()

    def prepare() -> None:
        started.set()
        raise RuntimeError("no font here")

    render.prepare = prepare  # type: ignore[attr-defined]
    with db.session() as session:
        version = cache.data_version(session, agency=AGENCY, fiscal_year=2569, now=NOW)
    future = cache.start_build(db, agency=AGENCY, calendar=CALENDAR, user=admin, fiscal_year=2569, version=version,
                               format="probe-file", render=render)
    assert future.result() == b"file of 2569"
    assert "preparing the report's renderer failed" in caplog.text
