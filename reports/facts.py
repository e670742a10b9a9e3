"""The report's per-case facts: what each case contributes to the PMQA tables, derived once and kept up to date.

Each case's working days to the first answer and to resolution, its standards met, complaint category, issue, flow
steps and repeat are computed in Python once (they need the agency's calendar, keywords and rules), stored in
`report_case_facts`, and recomputed only for the cases changed since the last refresh (their `updated_at`, past the
watermark). The report itself is then GROUP BY queries over these rows. Reading and computing happen in read
sessions; each chunk is written in its own short transaction, so SQLite's write lock is never held across the slow
part. Repeats are recomputed from the earliest changed case on (a change can only alter the later cases' repeats).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.thaitime import BANGKOK, WorkingCalendar
from agency.thaitime import fiscal_year as fiscal_year_of
from analytics.models import Watermark
from analytics.trends import issue_key
from cases.standards import standard_for
from reports import repeats as repeat_rule
from reports.flow import reached_and_gaps, step_moments
from reports.models import CaseFacts
from storage.db import Database, upsert_insert
from storage.models import AgencyHoliday, Case, utcnow

log = logging.getLogger(__name__)
WATERMARK = "report_facts"  # the watermark's name is this and the basis's hash
FACTS_FORMAT = 2  # raise when what a facts row means changes: every case is computed again
CHUNK = 5000
REREAD = dt.timedelta(minutes=10)  # longer than any write transaction: changes committed late are still read
RESOLVED_STATUSES = ("resolved", "closed")
OTHER_CATEGORY = "other"
Progress = Callable[[str, float], None]
_refreshing = threading.Lock()  # one refresh at a time in a process (the worker's job and a report build)


def category_of(agency: AgencyConfig, *, summary: str | None, topics: Sequence[Any] | None) -> str:
    """The agency's complaint category whose keywords the text or topics contain first, else "other"."""
    words = " ".join([summary or "", *(str(t) for t in topics or ())])
    return agency.complaint_category(words) or OTHER_CATEGORY


def facts_basis(session: Session, *, agency: AgencyConfig) -> tuple[str, frozenset[dt.date]]:
    """What every case's facts depend on beside the case itself, as a short hash: the agency's days off (its config's
    and those an admin added), its service standards, complaint categories and triage unit; and the days off."""
    days_off = frozenset([*agency.extra_holidays, *session.scalars(select(AgencyHoliday.day))])
    basis = repr((FACTS_FORMAT, sorted(days_off), sorted(agency.standards.items()), agency.unit_standards,
                  agency.complaint_categories, agency.triage_unit))
    return hashlib.sha1(basis.encode()).hexdigest()[:16], days_off


def refresh_facts(db: Database, *, agency: AgencyConfig, calendar: WorkingCalendar,
                  progress: Progress | None = None) -> int:
    """Bring the facts up to date with the cases changed since the last refresh; returns how many were recomputed.

    The watermark is kept under the basis's hash (`facts_basis`): a changed holiday calendar or published standard
    finds no watermark of its own, so every case is computed again. Changes are read again from REREAD before the
    watermark (a transaction that committed after a later one was read), and every case with no facts yet is computed
    whatever its `updated_at` (an imported history keeps its old times, and its transaction may commit late); of the
    changed ones, only cases whose facts are of another `updated_at` are computed again."""
    tell = progress or (lambda stage, fraction: None)
    with _refreshing:
        with db.read_session() as session:
            basis, days_off = facts_basis(session, agency=agency)
            if days_off != calendar.days_off:  # an admin changed the days off since this process read them
                calendar = WorkingCalendar(extra_holidays=days_off)
            name = f"{WATERMARK}:{basis}"
            mark = session.get(Watermark, name)
            after, last_id = (mark.case_updated_at, mark.message_id) if mark is not None else (None, 0)
            columns = (Case.id, Case.updated_at, Case.created_at)
            if after is None:
                changed = session.execute(select(*columns)).all()
            else:
                stale = (CaseFacts.case_id.is_(None)) | (CaseFacts.case_updated_at != Case.updated_at)
                base = select(*columns).outerjoin(CaseFacts, CaseFacts.case_id == Case.id).where(stale)
                queries = [base.where(Case.updated_at >= after - REREAD)]
                if _cases_without_facts(session):  # the anti-join over every case only when one has none
                    queries.append(base.where(CaseFacts.case_id.is_(None)))
                changed = list({row.id: row for query in queries for row in session.execute(query)}.values())
        if not changed:
            return 0
        ids = sorted(row.id for row in changed)
        latest = max(row.updated_at for row in changed)
        latest = latest if after is None or latest > after else after
        since = min(row.created_at for row in changed)
        standards: dict[tuple[str, str, str], int] = {}
        columns_set = [column.name for column in CaseFacts.__table__.columns if column.name != "case_id"]
        for done in range(0, len(ids), CHUNK):
            tell("ปรับข้อมูลเรื่องที่เปลี่ยนแปลง", done / len(ids) * 0.8)
            chunk = ids[done:done + CHUNK]
            with db.read_session() as session:
                rows = _facts(session, chunk, agency=agency, calendar=calendar, standards=standards)
            with db.session() as session:  # an upsert (a worker and a web process may refresh at once), executemany
                statement = upsert_insert(session, CaseFacts.__table__)
                session.connection().execute(statement.on_conflict_do_update(index_elements=["case_id"], set_={
                    column: statement.excluded[column] for column in columns_set}), rows)
        tell("ตรวจเรื่องร้องเรียนซ้ำ", 0.8)
        _refresh_repeats(db, agency=agency, since=since)
        with db.session() as session:
            # the shared watermark table: message_id holds the last case id seen here; older bases' marks go
            values = {"case_updated_at": latest, "message_id": max(ids[-1], last_id), "updated_at": utcnow()}
            session.execute(upsert_insert(session, Watermark).values(name=name, **values)
                            .on_conflict_do_update(index_elements=["name"], set_=values))
            session.execute(delete(Watermark).where(Watermark.name.like(f"{WATERMARK}%"), Watermark.name != name))
        tell("ปรับข้อมูลเรื่องแล้ว", 1.0)
        return len(ids)


def _cases_without_facts(session: Session) -> int:
    """How many cases have no facts row yet: cases less facts rows, in one statement (one snapshot). A facts row is
    one case's (its key, a foreign key to it), so equal counts mean every case has one."""
    cases = select(func.count()).select_from(Case).scalar_subquery()
    facts = select(func.count()).select_from(CaseFacts).scalar_subquery()
    return int(session.scalar(select(cases - facts)) or 0)


def facts_job(runtime: Any) -> int:
    """The worker's periodic job: keep the report's facts current, so a report build finds little to do."""
    count = refresh_facts(runtime.db, agency=runtime.agency, calendar=runtime.calendar)
    if count:
        log.info("report facts refreshed for %d case(s)", count)
    return count


def _facts(session: Session, ids: list[int], *, agency: AgencyConfig, calendar: WorkingCalendar,
           standards: dict[tuple[str, str, str], int]) -> list[dict[str, Any]]:
    """The facts rows of these cases (repeat_of is set afterwards, over all complaints)."""
    rows = session.execute(select(
        Case.id, Case.created_at, Case.updated_at, Case.channel, Case.intent, Case.unit_code, Case.status,
        Case.citizen_group, Case.due_at, Case.priority, Case.summary, Case.topics, Case.first_response_at,
        Case.resolved_at, Case.closed_at).where(Case.id.in_(ids))).all()
    complaints = [row for row in rows if row.intent == "complaint"]
    moments = step_moments(session, complaints, triage_unit=agency.triage_unit)
    facts = []
    for row in rows:
        local = row.created_at.astimezone(BANGKOK)
        key = issue_key([str(t) for t in row.topics or []])
        resolved = row.resolved_at is not None and row.status in RESOLVED_STATUSES
        response = (calendar.working_days_between(row.created_at, row.first_response_at)
                    if row.first_response_at is not None else None)
        standard = (row.unit_code, row.intent, row.priority)
        if response is not None and standard not in standards:
            found = standard_for(agency, unit=row.unit_code, intent=row.intent, priority=row.priority)
            standards[standard] = found.stages[0] if found.stages else found.resolve_days
        complaint = row.intent == "complaint"
        reached, gaps = reached_and_gaps(moments[row.id], calendar=calendar) if complaint else (0, [None] * 6)
        facts.append({
            "case_id": row.id, "created_at": row.created_at, "fiscal_year": fiscal_year_of(row.created_at),
            "month": (local.month - 10) % 12, "channel": row.channel, "intent": row.intent,
            "unit_code": row.unit_code, "status": row.status, "citizen_group": row.citizen_group,
            "due_at": row.due_at,
            "category": category_of(agency, summary=row.summary, topics=row.topics) if complaint else None,
            "issue": key.issue[:300] if key else None, "response_days": response,
            "first_within": response is not None and response <= standards[standard], "resolved": resolved,
            "resolution_days": calendar.working_days_between(row.created_at, row.resolved_at) if resolved else None,
            "within_standard": resolved and row.resolved_at <= row.due_at, "repeat_of": None,
            "flow_reached": reached, **{f"flow_gap{n}": gap for n, gap in enumerate(gaps, start=1)},
            "case_updated_at": row.updated_at})
    return facts


def _refresh_repeats(db: Database, *, agency: AgencyConfig, since: dt.datetime) -> None:
    """Decide again which complaints received from `since` on repeat an earlier one, and store it."""
    with db.read_session() as session:
        complaints = repeat_rule.load_complaints(session, agency=agency, scoped=lambda query: query, start=since,
                                                 end=utcnow() + dt.timedelta(days=366))
    found = repeat_rule.find_repeats(complaints, since=since)
    pairs = [{"id": case_id, "earlier": earlier} for case_id, earlier in found.items()]
    with db.session() as session:
        session.execute(update(CaseFacts).where(CaseFacts.created_at >= since, CaseFacts.repeat_of.is_not(None))
                        .values(repeat_of=None))
        statement = (update(CaseFacts.__table__).where(CaseFacts.__table__.c.case_id == bindparam("id"))
                     .values(repeat_of=bindparam("earlier")))
        for start in range(0, len(pairs), CHUNK):
            session.connection().execute(statement, pairs[start:start + CHUNK])
