"""Finding cases: filters, search, the inbox's order, counts per status, changes for live updates, history."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Select, Text, cast, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from agency.vocabulary import CASE_STATUSES, OPEN_STATUSES
from cases.access import sees_personal_data, visible_cases
from storage.models import AuditEvent, Case, CaseNote, User, utcnow


def filtered_cases(
    user: User, *, now: dt.datetime, status: str | None = None, intent: str | None = None,
    channel: str | None = None, unit: str | None = None, overdue: bool | None = None, q: str | None = None,
    created_from: dt.datetime | None = None, created_before: dt.datetime | None = None, sentiment: str | None = None,
    group: str | None = None, topic: str | None = None, open_only: bool = False,
) -> Select[tuple[Case]]:
    """The user's visible cases narrowed by filters and a search on ticket (and text, except for analysts).

    `topic` is an issue key ("issue" or "issue|place"): cases whose stored topics hold every part of it."""
    query = visible_cases(user)
    for column, value in ((Case.status, status), (Case.intent, intent), (Case.channel, channel),
                          (Case.unit_code, unit), (Case.sentiment, sentiment), (Case.citizen_group, group)):
        if value:
            query = query.where(column == value)
    if created_from is not None:
        query = query.where(Case.created_at >= created_from)
    if created_before is not None:
        query = query.where(Case.created_at < created_before)
    if open_only:
        query = query.where(Case.status.in_(OPEN_STATUSES))
    for part in (topic or "").split("|"):
        if part.strip():  # JSON keeps Thai as \u escapes: match the stored form of the phrase
            query = query.where(cast(Case.topics, Text).like(f"%{json.dumps(part.strip())[1:-1]}%", escape="^"))
    if overdue is not None:
        late = Case.status.in_(OPEN_STATUSES) & (Case.due_at < now)
        query = query.where(late if overdue else ~late)
    q = (q or "").replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL; nobody searches for one
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(Case.ticket.ilike(pattern), Case.summary.ilike(pattern)) if sees_personal_data(user)
                            else Case.ticket.ilike(pattern))
    return query


def most_urgent_first(query: Select[tuple[Case]]) -> Select[tuple[Case]]:
    """Open cases first, urgent ones (danger to people) before the rest, nearest deadline first; then finished ones."""
    is_open = Case.status.in_(OPEN_STATUSES)
    finished = when((is_open, 0), else_=1)
    urgent_first = when((is_open & (Case.priority == "urgent"), 0), else_=1)
    return query.order_by(finished, urgent_first, when((is_open, Case.due_at), else_=None),
                          Case.updated_at.desc(), Case.id)


def status_counts(session: Session, *, user: User) -> dict[str, int]:
    """How many of the user's visible cases are in each status, and how many are overdue."""
    sub = visible_cases(user).subquery()
    rows = session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    counts = {status: 0 for status in CASE_STATUSES}
    counts.update({status: n for status, n in rows})
    late = visible_cases(user).where(Case.status.in_(OPEN_STATUSES), Case.due_at < utcnow()).subquery()
    counts["overdue"] = session.scalar(select(func.count()).select_from(late)) or 0
    return counts


def changed_since(session: Session, *, user: User, since: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """Visible cases opened or changed (a new citizen message, an officer's action) after `since`."""
    query = visible_cases(user).where(Case.updated_at > since).order_by(Case.updated_at).limit(200)
    return [(c.id, c.updated_at) for c in session.scalars(query)]


def case_history(session: Session, *, case: Case) -> list[AuditEvent]:
    """Every change to the case, oldest first."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)))


def case_notes(session: Session, *, case: Case) -> list[CaseNote]:
    """The internal notes of a case, oldest first."""
    return list(session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)))
