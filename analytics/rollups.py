"""The rollups the dashboard reads: rebuilt in full after an import, kept up to date by the worker from a watermark.

A day's rows are always recomputed whole from the raw tables (messages and cases of that Bangkok day), so a case
that changes status, unit or intent moves between rows without any bookkeeping; the worker only finds which days
were touched since its watermark (new message ids, cases changed after the last `updated_at` seen).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterator

from sqlalchemy import and_, delete, false, func, insert, or_, select
from sqlalchemy.orm import Session

from agency.thaitime import WorkingCalendar, bangkok_day_range
from agency.vocabulary import OPEN_STATUSES
from analytics.models import NONE, DailyIssue, DailyVolume, Watermark
from analytics.trends import issue_key
from conversation.models import Survey
from storage.db import upsert_insert
from storage.models import Case, Message, utcnow

log = logging.getLogger(__name__)
BANGKOK_OFFSET = dt.timedelta(hours=7)  # Asia/Bangkok has kept UTC+7 without daylight saving since 1920
EXAMPLES = 5
WATERMARK = "rollups"
BATCH = 5000
_OPEN = frozenset(OPEN_STATUSES)
_COUNTERS = ("messages", "cases", "responded", "response_days", "responded_on_time", "resolved", "resolution_days",
             "resolved_on_time", "rated", "rating_sum")


def bangkok_day(moment: dt.datetime) -> dt.date:
    """The Bangkok calendar day of a UTC moment."""
    return (moment + BANGKOK_OFFSET).date()


def _day_ranges(days: Collection[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days merged into inclusive ranges."""
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if ranges and (day - ranges[-1][1]).days == 1:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _within(column, days: Collection[dt.date] | None):
    if days is None:
        return None
    conditions = []
    for first, last in _day_ranges(days):
        start, end = bangkok_day_range(first, last)
        conditions.append(and_(column >= start, column < end))
    return or_(*conditions) if conditions else false()


def _messages(session: Session, days: Collection[dt.date] | None) -> Iterator:
    query = (select(Message.received_at, Message.channel, func.coalesce(Case.intent, Message.intent),
                    func.coalesce(Case.unit_code, Message.unit_code), func.coalesce(Case.sentiment, Message.sentiment),
                    Case.citizen_group, Case.status, Message.topics, Message.case_id)
             .outerjoin(Case, Case.id == Message.case_id)
             .where(Message.direction == "in", Message.kind == "text"))
    condition = _within(Message.received_at, days)
    if condition is not None:
        query = query.where(condition)
    yield from session.execute(query.execution_options(yield_per=BATCH))


def _cases(session: Session, days: Collection[dt.date] | None) -> Iterator:
    query = (select(Case.created_at, Case.channel, Case.intent, Case.unit_code, Case.sentiment, Case.citizen_group,
                    Case.status, Case.first_response_at, Case.respond_due_at, Case.resolved_at, Case.due_at,
                    Survey.score).outerjoin(Survey, Survey.case_id == Case.id))
    condition = _within(Case.created_at, days)
    if condition is not None:
        query = query.where(condition)
    yield from session.execute(query.execution_options(yield_per=BATCH))


def _bucket(status: str | None) -> str:
    if status is None:
        return "none"
    return "open" if status in _OPEN else "done"


def compute_days(session: Session, *, calendar: WorkingCalendar, days: Collection[dt.date] | None = None
                 ) -> tuple[list[dict], list[dict]]:
    """The volume and issue rollup rows of these Bangkok days (all days when None), from the raw tables."""
    volumes: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(_COUNTERS))
    issues: dict[tuple, list] = {}
    for received_at, channel, intent, unit, sentiment, group, status, topics, case_id in _messages(session, days):
        day = bangkok_day(received_at)
        volumes[(day, channel, intent or NONE, unit or NONE, sentiment or NONE, group or NONE, _bucket(status))][0] += 1
        if topics:
            key = issue_key(tuple(topics))
            if key is not None:
                slot = issues.setdefault((day, key.key, unit or NONE, channel), [0, []])
                slot[0] += 1
                if case_id is not None:
                    slot[1].append(case_id)
    for (created_at, channel, intent, unit, sentiment, group, status, responded_at, respond_due, resolved_at, due_at,
         rating) in _cases(session, days):
        day = bangkok_day(created_at)
        row = volumes[(day, channel, intent or NONE, unit or NONE, sentiment or NONE, group or NONE, _bucket(status))]
        row[1] += 1
        if responded_at is not None:
            row[2] += 1
            row[3] += calendar.working_days_between(day, bangkok_day(responded_at))
            row[4] += responded_at <= respond_due
        if resolved_at is not None:
            row[5] += 1
            row[6] += calendar.working_days_between(day, bangkok_day(resolved_at))
            row[7] += resolved_at <= due_at
        if rating is not None:
            row[8] += 1
            row[9] += int(rating)
    volume_rows = [{"day": k[0], "channel": k[1], "intent": k[2], "unit_code": k[3], "sentiment": k[4],
                    "citizen_group": k[5], "status_bucket": k[6], **dict(zip(_COUNTERS, counts, strict=True))}
                   for k, counts in volumes.items()]
    issue_rows = [{"day": k[0], "issue_key": k[1][:300], "unit_code": k[2], "channel": k[3], "count": n,
                   "case_ids": sorted(set(ids), reverse=True)[:EXAMPLES]} for k, (n, ids) in issues.items()]
    return volume_rows, issue_rows


def _insert(session: Session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])


def refresh_days(session: Session, *, calendar: WorkingCalendar, days: Collection[dt.date]) -> int:
    """Recompute the rollups of these days (delete and insert); returns the number of rows written."""
    if not days:
        return 0
    volume_rows, issue_rows = compute_days(session, calendar=calendar, days=days)
    for first, last in _day_ranges(days):
        session.execute(delete(DailyVolume).where(DailyVolume.day.between(first, last)))
        session.execute(delete(DailyIssue).where(DailyIssue.day.between(first, last)))
    _insert(session, DailyVolume.__table__, volume_rows)
    _insert(session, DailyIssue.__table__, issue_rows)
    return len(volume_rows) + len(issue_rows)


def _watermark(session: Session) -> Watermark:
    """The rollups' watermark, locked for this transaction; created at zero by whichever worker comes first
    (ON CONFLICT DO NOTHING: two workers starting together never race on the key)."""
    session.execute(upsert_insert(session, Watermark).values(name=WATERMARK, message_id=0, case_updated_at=None,
                                                              updated_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["name"]))
    mark = session.get(Watermark, WATERMARK, with_for_update=True, populate_existing=True)
    assert mark is not None
    return mark


def rebuild_rollups(session: Session, *, calendar: WorkingCalendar) -> int:
    """Recompute every rollup row from the raw tables and move the watermark to now (after an import or demo data)."""
    mark = _watermark(session)
    last_message = session.scalar(select(func.max(Message.id))) or 0
    last_change = session.scalar(select(func.max(Case.updated_at)))
    volume_rows, issue_rows = compute_days(session, calendar=calendar, days=None)
    session.execute(delete(DailyVolume))
    session.execute(delete(DailyIssue))
    _insert(session, DailyVolume.__table__, volume_rows)
    _insert(session, DailyIssue.__table__, issue_rows)
    mark.message_id, mark.case_updated_at, mark.updated_at = last_message, last_change, utcnow()
    return len(volume_rows) + len(issue_rows)


def touched_days(session: Session, *, after_message: int, after_change: dt.datetime | None,
                 limit: int = 20000) -> tuple[set[dt.date], int, dt.datetime | None]:
    """Bangkok days with new messages or changed cases since the watermark, and the watermark to move to."""
    days: set[dt.date] = set()
    messages = session.execute(
        select(Message.id, Message.received_at, Case.created_at).outerjoin(Case, Case.id == Message.case_id)
        .where(Message.id > after_message).order_by(Message.id).limit(limit)).all()
    last_message = after_message
    for message_id, received_at, case_created in messages:
        days.add(bangkok_day(received_at))
        if case_created is not None:
            days.add(bangkok_day(case_created))
        last_message = message_id
    changed = select(Case.updated_at, Case.created_at).order_by(Case.updated_at).limit(limit)
    if after_change is not None:
        changed = changed.where(Case.updated_at > after_change)
    last_change = after_change
    for updated_at, created_at in session.execute(changed):
        days.add(bangkok_day(created_at))
        last_change = updated_at
    return days, last_message, last_change


def update_rollups(session: Session, *, calendar: WorkingCalendar) -> set[dt.date]:
    """The worker's step: recompute only the days touched since the watermark, then move it."""
    mark = _watermark(session)
    days, last_message, last_change = touched_days(session, after_message=mark.message_id,
                                                   after_change=mark.case_updated_at)
    if days:
        refresh_days(session, calendar=calendar, days=days)
    mark.message_id, mark.case_updated_at, mark.updated_at = last_message, last_change, utcnow()
    return days


def rollup_job(runtime) -> set[dt.date]:
    """Periodic job: bring the rollups up to date (a few days' worth of rows per run)."""
    with runtime.db.session() as session:
        days = update_rollups(session, calendar=runtime.calendar)
    if days:
        log.info("analytics rollups refreshed for %d day(s)", len(days))
    return days
