"""The report's per-case facts stay true: the flow moments read in one GROUP BY match the audit trail read event by
event; a new day off or a changed published standard recomputes every case (and changes the report's version); any
change of a case stamps it; a change committed after a later one was read is still found; a report request holds no
read transaction while the report is built; stopping the service ends the report pool. On SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from agency.config import ServiceStandard
from agency.thaitime import BANGKOK, WorkingCalendar
from bench.pmqa_bulk import bulk_load
from cases.standards import standard_for
from reports import cache
from reports.facts import refresh_facts
from reports.flow import ANSWERED_STATUSES, step_moments
from reports.models import CaseFacts
from reports.views import _body
from storage.db import Database
from storage.models import AgencyHoliday, AuditEvent, Case, utcnow
from analytics.models import Watermark
from tests.reports.helpers import user
from tests.reports.seed import Spec, bkk, store_case
from tests.reports.test_builder import AGENCY, NOW

CALENDAR = WorkingCalendar()


def facts_of(db: Database) -> dict[int, CaseFacts]:
    with db.read_session() as session:
        return {row.case_id: row for row in session.scalars(select(CaseFacts))}


def moments_event_by_event(session: Any, rows: list[Any], *, triage_unit: str) -> dict[int, dict[str, dt.datetime]]:
    """The audit trail read one event at a time, in Python (what the report did before one GROUP BY did it)."""
    moments: dict[int, dict[str, dt.datetime]] = defaultdict(dict)

    def first(case_id: int, step: str, at: dt.datetime | None) -> None:
        if at is not None and (step not in moments[case_id] or at < moments[case_id][step]):
            moments[case_id][step] = at

    for case_id, action, at, details in session.execute(
            select(AuditEvent.case_id, AuditEvent.action, AuditEvent.at, AuditEvent.details)
            .where(AuditEvent.case_id.in_([row.id for row in rows]))):
        change = (details or {}).get("changes", {}).get("status")
        status = change[1] if isinstance(change, list) and len(change) == 2 else None
        if action in ("case_opened", "recorded_offline"):
            first(case_id, "register", at)
            if details.get("unit") and details["unit"] != triage_unit:
                first(case_id, "route", at)
        elif action == "reassigned":
            unit = (details.get("changes", {}).get("unit_code") or [None, None])[1]
            if unit and unit != triage_unit:
                first(case_id, "route", at)
        if action == "replied" or status == "acknowledged":
            first(case_id, "acknowledge", at)
        if status == "in_progress":
            first(case_id, "act", at)
        if status in ANSWERED_STATUSES:
            first(case_id, "answer", at)
        if status == "closed":
            first(case_id, "close", at)
    for row in rows:
        mine = moments[row.id]
        first(row.id, "receive", row.created_at)
        for step, fallback, applies in (
                ("register", row.created_at, True), ("route", row.created_at, row.unit_code != triage_unit),
                ("acknowledge", row.first_response_at, True),
                ("answer", row.resolved_at, row.status in (*ANSWERED_STATUSES, "closed")),
                ("close", row.closed_at or row.resolved_at, row.status == "closed")):
            if step not in mine and applies:
                first(row.id, step, fallback)
    return moments


def test_flow_moments_from_one_group_by_match_the_audit_trail_read_event_by_event(db: Database) -> None:
    # a bulk history as the bench writes it: opened, routed from triage, replied, each status change, reopened
    bulk_load(db, agency=AGENCY, calendar=CALENDAR, messages=3000, months=12, say=lambda *a, **k: None)
    with db.session() as session:  # one complaint reopened and resolved again, with a malformed change beside
        case = session.scalars(select(Case).where(Case.intent == "complaint", Case.status == "closed")).first()
        for at, action, details in (
                (case.created_at + dt.timedelta(hours=1), "reopened", {"changes": {"status": ["resolved", "in_progress"]}}),
                (case.created_at + dt.timedelta(minutes=1), "status_changed", {"changes": {"status": "closed"}}),
                (case.created_at + dt.timedelta(minutes=2), "note_added", {"changes": {}})):
            session.add(AuditEvent(at=at, actor="x", action=action, entity="case", entity_id=str(case.id),
                                   case_id=case.id, details=details))
    with db.read_session() as session:
        rows = session.execute(select(Case.id, Case.created_at, Case.unit_code, Case.first_response_at,
                                      Case.resolved_at, Case.closed_at, Case.status)
                               .where(Case.intent == "complaint")).all()
        assert len(rows) > 500
        grouped = step_moments(session, rows, triage_unit=AGENCY.triage_unit)
        expected = moments_event_by_event(session, rows, triage_unit=AGENCY.triage_unit)
    assert {k: dict(v) for k, v in grouped.items()} == {k: dict(v) for k, v in expected.items()}
    assert sum("route" in m for m in grouped.values()) > 100 and sum("act" in m for m in grouped.values()) > 100


def test_a_new_day_off_recomputes_every_case_and_changes_the_report_version(db: Database) -> None:
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) > 0
    before = facts_of(db)
    with db.read_session() as session:
        version = cache.data_version(session, agency=AGENCY, fiscal_year=2569, now=NOW)
        answered = session.execute(select(Case).where(Case.first_response_at.is_not(None))
                                   .order_by(Case.id)).scalars().all()
    slow = next(case for case in answered if before[case.id].response_days and before[case.id].response_days >= 1)
    day = slow.created_at.astimezone(BANGKOK).date() + dt.timedelta(days=1)
    while not CALENDAR.is_working_day(day):
        day += dt.timedelta(days=1)
    with db.session() as session:  # an admin adds a day off; this process's calendar does not know it yet
        session.add(AgencyHoliday(day=day, name="วันหยุดของหน่วยงาน"))
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) == len(before)  # every case, not only changed ones
    after = facts_of(db)
    assert after[slow.id].response_days == before[slow.id].response_days - 1
    with_day_off = WorkingCalendar(extra_holidays=[day])
    assert all(after[case.id].response_days == with_day_off.working_days_between(case.created_at,
                                                                                  case.first_response_at)
               for case in answered)
    with db.read_session() as session:
        assert cache.data_version(session, agency=AGENCY, fiscal_year=2569, now=NOW) != version
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) == 0  # and then nothing more to do


def test_a_changed_published_standard_recomputes_every_case(db: Database) -> None:
    refresh_facts(db, agency=AGENCY, calendar=CALENDAR)
    before = facts_of(db)
    stricter = dataclasses.replace(AGENCY, unit_standards=(), standards={
        **AGENCY.standards, "complaint": ServiceStandard(respond_days=0, resolve_days=0)})
    with db.read_session() as session:
        assert (cache.data_version(session, agency=stricter, fiscal_year=2569, now=NOW)
                != cache.data_version(session, agency=AGENCY, fiscal_year=2569, now=NOW))
    assert refresh_facts(db, agency=stricter, calendar=CALENDAR) == len(before)
    after = facts_of(db)
    for case_id, facts in after.items():
        found = standard_for(stricter, unit=facts.unit_code, intent=facts.intent)
        limit = found.stages[0] if found.stages else found.resolve_days
        assert facts.first_within == (facts.response_days is not None and facts.response_days <= limit)
    assert any(before[i].first_within and not after[i].first_within for i in after)


def test_any_change_of_a_case_stamps_it_and_its_facts_follow(db: Database) -> None:
    refresh_facts(db, agency=AGENCY, calendar=CALENDAR)
    with db.session() as session:  # as the retention masking does: a field changed, updated_at not set by hand
        case = session.scalars(select(Case).where(Case.intent == "complaint").order_by(Case.id)).first()
        stamped, case_id = case.updated_at, case.id
        case.topics = ["น้ำประปาไม่ไหล"]
    with db.read_session() as session:
        assert session.get(Case, case_id).updated_at > stamped
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) == 1
    assert facts_of(db)[case_id].issue == "น้ำประปาไม่ไหล"


def test_a_change_committed_after_a_later_one_was_read_is_still_found(db: Database) -> None:
    refresh_facts(db, agency=AGENCY, calendar=CALENDAR)
    with db.read_session() as session:
        first, second = session.scalars(select(Case.id).where(Case.intent == "complaint").order_by(Case.id)
                                         .limit(2)).all()
    stamped = utcnow()  # the first change is stamped now but its transaction commits only later
    with db.session() as session:
        later = session.get(Case, second)
        later.status, later.updated_at = "in_progress", stamped + dt.timedelta(seconds=5)
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) == 1  # the watermark moves past the first's stamp
    with db.read_session() as session:
        version = cache.data_version(session, agency=AGENCY, fiscal_year=2569, now=NOW)
    with db.session() as session:
        late = session.get(Case, first)
        late.status, late.resolved_at, late.updated_at = "resolved", bkk(2026, 9, 1, 10), stamped
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) == 1
    with db.read_session() as session:  # a report kept before the late change is not served after it
        assert cache.data_version(session, agency=AGENCY, fiscal_year=2569, now=NOW) != version
    facts = facts_of(db)
    assert (facts[first].status, facts[first].resolved) == ("resolved", True)
    assert facts[second].status == "in_progress"
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) == 0  # read again, but not computed again


def test_a_history_case_committed_after_many_newer_cases_is_still_computed(db: Database) -> None:
    refresh_facts(db, agency=AGENCY, calendar=CALENDAR)
    with db.session() as session:  # meanwhile twenty thousand live cases were refreshed (the last id seen moved on)
        mark = session.scalars(select(Watermark).where(Watermark.name.like("report_facts:%"))).one()
        mark.message_id += 20_000
        # an import's long transaction commits now: its past case keeps its old updated_at and a low id
        store_case(session, Spec("h1", bkk(2026, 3, 2, 10), "walk_in", "complaint", "revenue", "closed", "h1",
                                 resolved=bkk(2026, 3, 3, 10)), number=301, contacts={})
        imported = session.scalars(select(Case.id).where(Case.ticket.like("%000301"))).one()
    assert refresh_facts(db, agency=AGENCY, calendar=CALENDAR) == 1
    assert facts_of(db)[imported].status == "closed"


def test_a_report_request_holds_no_read_transaction_while_the_report_is_built(db: Database) -> None:
    runtime = SimpleNamespace(db=db, agency=AGENCY, calendar=CALENDAR)
    seen: list[bool] = []
    with db.read_session() as session:
        def render(report: dict[str, Any]) -> bytes:  # runs in the report pool while the request waits
            seen.append(session.in_transaction())
            return b"built"

        body = asyncio.run(_body(session, runtime, user=user(db, "admin@example.go.th"), fiscal_year=2569,
                                 format="probe", render=render))
    assert body == b"built" and seen == [False]


def test_stopping_the_service_ends_the_report_pool(database: Database, monkeypatch: Any) -> None:
    monkeypatch.setattr(cache, "POOL_THREADS", 1)
    admin = SimpleNamespace(email="a@example.go.th", role="admin", unit_code=None)
    release, started = threading.Event(), threading.Event()

    def slow(report: dict[str, Any]) -> bytes:
        started.set()
        release.wait(30)
        return b"slow"

    def build(format: str, render: Any) -> Any:
        return cache.start_build(database, agency=AGENCY, calendar=CALENDAR, user=admin, fiscal_year=2569,
                                 version="v1", format=format, render=render)

    running = build("slow", slow)
    assert started.wait(30)
    queued = build("queued", lambda report: b"never")
    pool = cache._pools[id(database)]
    stopper = threading.Thread(target=cache.stop_builds, args=(database,))
    stopper.start()
    release.set()
    stopper.join(30)
    assert not stopper.is_alive()
    assert running.result() == b"slow" and queued.cancelled()
    assert not any(thread.is_alive() for thread in pool._threads)
    # the next app on the same process gets a pool of its own
    again = build("again", lambda report: b"again")
    assert again.result(timeout=60) == b"again"
    cache.stop_builds(database)
