"""History → rollups → volumes, trending issues and alerts, on SQLite and PostgreSQL (no web server)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from agency.thaitime import WorkingCalendar
from analytics.alerts import raise_alerts
from history.loading import HistoryRow, Loader
from analytics.models import SpikeAlert
from analytics.rollups import rebuild_rollups, update_rollups
from analytics.service import alerts, recent_alerts, scope_for, topics, totals, volumes
from storage.db import Database
from storage.models import AuditEvent, Case
from tests.reports.helpers import migrated, user

AGENCY = load_agency_config(DEFAULT_AGENCY_CONFIG)
CALENDAR = WorkingCalendar()


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    database = migrated(backend, tmp_path=tmp_path, request=request)
    yield database
    database.dispose()


def _history(db: Database, *, end: dt.date, spike: bool) -> None:
    """Twelve weeks of steady complaints; with `spike`, the last two days flood one street's lights."""
    import random

    rng = random.Random(1)
    rows = []
    for offset in range(84, -1, -1):
        day = end - dt.timedelta(days=offset)
        noon = dt.datetime.combine(day, dt.time(5), tzinfo=dt.UTC)
        for issue, unit, base in (("ขยะไม่เก็บ", "environment", 6), ("ถนนเป็นหลุม", "public_works", 5)):
            for n in range(base + rng.randint(-1, 1)):
                rows.append(HistoryRow(text=f"{issue} หมู่ {n % 4 + 1}", received_at=noon, channel="line",
                                       status="closed", unit=unit, intent="complaint", sentiment="neg",
                                       topics=[issue, f"หมู่ {n % 4 + 1}"]))
        if spike and offset <= 1:
            rows.extend(HistoryRow(text="ไฟถนนดับทั้งซอย ซอยสุขใจ", received_at=noon, channel="line", status="new",
                                   unit="public_works", intent="complaint", sentiment="neg",
                                   topics=["ไฟถนนดับ", "ซอยสุขใจ"]) for _ in range(15))
    with db.session() as session:
        loader = Loader(session=session, agency=AGENCY, calendar=CALENDAR, source="test")
        loader.load(rows)
        rebuild_rollups(session, calendar=CALENDAR)


def test_planted_spike_is_the_top_rising_issue_and_one_alert(db: Database) -> None:
    end = dt.date(2026, 6, 10)
    _history(db, end=end, spike=True)
    analyst, env = user(db, "analyst@example.go.th"), user(db, "env@example.go.th")
    with db.session() as session:
        found = topics(session, scope=scope_for(analyst, date_from=end - dt.timedelta(days=6), date_to=end))
        assert found[0]["trend"] == "rising" and found[0]["label"].startswith("ไฟถนนดับ")
        assert found[0]["count"] == 30 and len(found[0]["case_ids"]) == 5
        added = raise_alerts(session, calendar=CALENDAR, today=end)
        assert [a.label for a in added] == ["ไฟถนนดับ ซอยสุขใจ"]
        [shown] = alerts(session)  # examples named by their tickets, as officers say them on the phone
        tickets = dict(session.execute(select(Case.id, Case.ticket)).tuples().all())
        assert shown["examples"] == [{"id": i, "ticket": tickets[i]} for i in added[0].case_ids] and \
            all(e["ticket"].startswith("FS-2569-") for e in shown["examples"]) and len(shown["examples"]) == 5
        assert recent_alerts(session, unit=None, days=100_000)[0]["examples"] == shown["examples"]
        assert raise_alerts(session, calendar=CALENDAR, today=end) == []  # raised once
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "spike_alert")) == 1
        # an officer of another unit sees none of it
        mine = topics(session, scope=scope_for(env, date_from=end - dt.timedelta(days=6), date_to=end, unit="public_works"))
        assert all(not t["label"].startswith("ไฟถนนดับ") for t in mine)
        assert {t["label"].split()[0] for t in mine} <= {"ขยะไม่เก็บ"}


def test_steady_history_raises_no_alert(db: Database) -> None:
    end = dt.date(2026, 6, 10)
    _history(db, end=end, spike=False)
    with db.session() as session:
        assert raise_alerts(session, calendar=CALENDAR, today=end, recent_days=60) == []
        assert session.scalar(select(func.count()).select_from(SpikeAlert)) == 0


def test_worker_rollups_follow_new_and_changed_cases(db: Database) -> None:
    end = dt.date(2026, 6, 10)
    _history(db, end=end, spike=False)
    moment = dt.datetime.combine(end, dt.time(6), tzinfo=dt.UTC)
    analyst = user(db, "analyst@example.go.th")
    with db.session() as session:
        scope = scope_for(analyst, date_from=end, date_to=end)
        before = totals(session, scope=scope)["messages"]
        loader = Loader(session=session, agency=AGENCY, calendar=CALENDAR, source="later")
        [case_id] = loader.load([HistoryRow(text="ไฟถนนดับ หมู่ 2", received_at=moment, channel="facebook",
                                            status="new", unit="public_works", intent="complaint", sentiment="neg",
                                            topics=["ไฟถนนดับ", "หมู่ 2"])])
    with db.session() as session:
        assert update_rollups(session, calendar=CALENDAR) == {end}
        assert totals(session, scope=scope)["messages"] == before + 1
        case = session.get(Case, case_id)
        case.unit_code, case.updated_at = "environment", moment + dt.timedelta(hours=1)
    with db.session() as session:
        update_rollups(session, calendar=CALENDAR)
        moved = scope_for(analyst, date_from=end, date_to=end, unit="environment", channel="facebook")
        assert totals(session, scope=moved)["cases"] == 1


def test_an_issue_s_examples_include_its_places_on_every_database(db: Database) -> None:
    """Keys "issue|place" are found by prefix, whatever order the database's collation gives "|" (PostgreSQL in a
    Thai or English locale ignores it)."""
    from analytics.models import DailyIssue
    from analytics.service import Scope, example_cases

    day = dt.date(2026, 3, 2)
    with db.session() as session:
        session.add_all([DailyIssue(day=day, issue_key="ไฟถนนดับ|ซอย 5", unit_code="public_works", channel="line",
                                    count=1, case_ids=[11]),
                         DailyIssue(day=day, issue_key="ไฟถนนดับ", unit_code="public_works", channel="line", count=1,
                                    case_ids=[12]),
                         DailyIssue(day=day, issue_key="ไฟถนนดับ_x|ซอย 5", unit_code="public_works", channel="line",
                                    count=1, case_ids=[13])])
        session.flush()
        found = example_cases(session, scope=Scope(date_from=day, date_to=day), keys=["ไฟถนนดับ", "ไฟถนนดับ|ซอย 5"])
    assert sorted(found["ไฟถนนดับ"]) == [11, 12] and found["ไฟถนนดับ|ซอย 5"] == [11]
