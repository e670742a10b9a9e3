"""Past cases written in bulk (an agency's imported history, the demo history) under the case domain's own rules.

Ticket numbers come from storage's one counter, deadlines from the service standards (cases.deadlines), statuses and
intents from the vocabulary. Nothing is sent to citizens: each case and its first message go straight in with Core
executemany, in their original status and dated as given; ids are reserved in blocks beside a running service.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.thaitime import WorkingCalendar, bangkok_date, buddhist_year
from agency.vocabulary import CASE_STATUSES, INTENTS, OPEN_STATUSES, Intent, Status
from cases.deadlines import due_dates
from storage.models import Case, Message, Unit
from storage.tickets import reserve_numbers

HISTORY_MODEL = "history-import"


@dataclass
class PastCase:
    """One past matter as the history knows it, already classified: its first message and its case."""

    text: str
    masked_text: str
    received_at: dt.datetime
    channel: str
    status: str
    contact_id: int
    intent: str | None = None
    sentiment: str | None = None
    unit: str | None = None
    topics: Sequence[str] = ()
    responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    group: str | None = None
    ticket: str | None = None


def resolution_of(*, status: str, received_at: dt.datetime, resolved_at: dt.datetime | None) -> dt.datetime | None:
    """When a past case was finished: as given, else when it came in if its status is a finished one; None if open."""
    if status in OPEN_STATUSES:
        return None
    return resolved_at or received_at


def used_tickets(session: Session, *, tickets: Iterable[str | None]) -> set[str]:
    """The ticket numbers among these that a case already has."""
    wanted = [t for t in tickets if t]
    return set(session.scalars(select(Case.ticket).where(Case.ticket.in_(wanted)))) if wanted else set()


def past_tickets(session: Session, *, prefix: str, cases: Sequence[PastCase]) -> list[str]:
    """Each case's ticket: the one it came with, else the next of its B.E. year from the one counter (in a block)."""
    wanted: dict[int, int] = {}
    for case in cases:
        if not case.ticket:
            year = buddhist_year(case.received_at)
            wanted[year] = wanted.get(year, 0) + 1
    next_of = {year: reserve_numbers(session, year_be=year, count=n) for year, n in wanted.items()}
    tickets = []
    for case in cases:
        if case.ticket:
            tickets.append(case.ticket)
            continue
        year = buddhist_year(case.received_at)
        tickets.append(f"{prefix}-{year}-{next_of[year]:06d}")
        next_of[year] += 1
    return tickets


def reserve_ids(session: Session, *, model: type, count: int) -> list[int]:
    """Ids for rows inserted with explicit ids: from PostgreSQL's sequence (a running worker takes its ids from the
    same one), or after the largest on SQLite (the load holds the database's one write lock)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        table = model.__tablename__
        return list(session.scalars(text(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"), {"n": count}))
    first = (session.scalar(select(func.max(model.id))) or 0) + 1
    return list(range(first, first + count))


def insert_past_cases(session: Session, *, cases: Sequence[PastCase], agency: AgencyConfig,
                      calendar: WorkingCalendar) -> list[int]:
    """Write past cases and their first messages in two INSERTs; returns the case ids in the same order."""
    if not cases:
        return []
    known_units = set(session.scalars(select(Unit.code)))
    tickets = past_tickets(session, prefix=agency.ticket_prefix, cases=cases)
    case_ids = reserve_ids(session, model=Case, count=len(cases))
    message_ids = reserve_ids(session, model=Message, count=len(cases))
    deadlines: dict[tuple[dt.date, str, str], tuple[dt.datetime, dt.datetime]] = {}  # a day's deadlines, once
    case_rows, message_rows = [], []
    for n, (case, ticket) in enumerate(zip(cases, tickets, strict=True)):
        if case.status not in CASE_STATUSES:
            raise ValueError(f"unknown case status {case.status!r}")
        intent = case.intent if case.intent in INTENTS else Intent.OTHER
        unit = case.unit if case.unit in known_units else agency.triage_unit
        received = case.received_at
        key = (bangkok_date(received), intent, unit)
        if key not in deadlines:
            deadlines[key] = due_dates(agency=agency, calendar=calendar, unit=unit, intent=intent, since=received)
        respond_due, due = deadlines[key]
        resolved = resolution_of(status=case.status, received_at=received, resolved_at=case.resolved_at)
        topics = list(case.topics or ())
        case_rows.append({
            "id": case_ids[n], "ticket": ticket, "contact_id": case.contact_id, "channel": str(case.channel),
            "intent": str(intent), "intent_confidence": 1.0, "sentiment": case.sentiment, "unit_code": unit,
            "unit_confidence": 1.0, "status": str(case.status), "summary": case.masked_text[:500], "topics": topics,
            "created_at": received, "updated_at": max(resolved or received, received),
            "respond_due_at": respond_due, "due_at": due,
            "first_response_at": case.responded_at or resolved,
            "resolved_at": resolved if case.status in (Status.RESOLVED, Status.CLOSED) else None,
            "closed_at": resolved if case.status == Status.CLOSED else None, "escalated_at": None,
            "priority": "normal", "priority_reason": None, "unit_candidates": None, "citizen_group": case.group,
        })
        message_rows.append({
            "id": message_ids[n], "direction": "in", "channel": str(case.channel), "kind": "text", "sender_id": None,
            "sender_name": None, "contact_id": case.contact_id, "case_id": case_ids[n], "inbound_event_id": None,
            "external_id": None, "text": case.text, "attachments": [], "location": None, "reply_token": None,
            "thread_ref": None, "sent_at": received, "received_at": received, "processed_at": received,
            "intent": str(intent), "intent_confidence": 1.0, "sentiment": case.sentiment, "unit_code": unit,
            "unit_confidence": 1.0, "topics": topics, "masked_text": case.masked_text, "model_version": HISTORY_MODEL,
            "embedding": None, "priority": None, "priority_reason": None, "unit_candidates": None,
            "author_user_id": None, "delivery": None,
        })
    session.execute(insert(Case.__table__), case_rows)
    session.execute(insert(Message.__table__), message_rows)
    return case_ids

