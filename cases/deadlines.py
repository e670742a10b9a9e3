"""Deadlines: overdue cases, escalation to the unit's admins, and time left in Thai."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.thaitime import WorkingCalendar
from agency.vocabulary import OPEN_STATUSES, AuditAction, Role
from cases.access import visible_cases
from cases.service import change_fields
from cases.standards import standard_for
from storage.models import Case, User


def is_overdue(case: Case, *, now: dt.datetime) -> bool:
    """An open case past its resolution deadline."""
    return case.status in OPEN_STATUSES and case.due_at < now


def due_dates(*, agency: AgencyConfig, calendar: WorkingCalendar, unit: str | None, intent: str,
              since: dt.datetime, priority: str = "normal") -> tuple[dt.datetime, dt.datetime]:
    """A case's response and resolution deadlines: its service standard's working days counted from `since`."""
    standard = standard_for(agency, unit=unit, intent=intent, priority=priority)
    respond = calendar.add_working_days(since, standard.respond_days)
    return respond, calendar.add_working_days(since, standard.resolve_days)


def escalate_overdue(session: Session, *, now: dt.datetime, limit: int = 500) -> list[Case]:
    """Mark open cases past their deadline as escalated, audited, with the unit's admins notified in the app."""
    cases = list(session.scalars(
        select(Case).where(Case.status.in_(OPEN_STATUSES), Case.due_at < now, Case.escalated_at.is_(None))
        .order_by(Case.due_at).limit(limit)
    ))
    for case in cases:
        admins = unit_admins(session, unit_code=case.unit_code)
        change_fields(session, case=case, actor="system", action=AuditAction.ESCALATED, now=now,
                      details={"notified": admins, "due_at": case.due_at.isoformat()}, escalated_at=now)
    return cases


def unit_admins(session: Session, *, unit_code: str) -> list[str]:
    """The emails of the admins of a unit (all admins when the unit has none of its own)."""
    admins = list(session.scalars(select(User.email).where(User.role == Role.ADMIN, User.active.is_(True),
                                                           User.unit_code == unit_code)))
    return admins or list(session.scalars(select(User.email).where(User.role == Role.ADMIN, User.active.is_(True))))


def escalated_count(session: Session, *, user: User) -> int:
    """Escalated open cases this user should see (the in-app notice for admins)."""
    query = visible_cases(user).where(Case.status.in_(OPEN_STATUSES), Case.escalated_at.is_not(None))
    if user.role == Role.ADMIN and user.unit_code:
        query = query.where(Case.unit_code == user.unit_code)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def time_left(case: Case, *, now: dt.datetime) -> str:
    """How long until the deadline, in Thai (or how late the case is)."""
    if case.status not in OPEN_STATUSES:
        return ""
    seconds = (case.due_at - now).total_seconds()
    span = _span(abs(seconds))
    return f"เหลือ {span}" if seconds >= 0 else f"เกินกำหนด {span}"


def _span(seconds: float) -> str:
    """A duration as Thai words: 3 วัน 4 ชั่วโมง, 2 ชั่วโมง 5 นาที, 12 นาที."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} วัน {hours} ชั่วโมง" if hours else f"{days} วัน"
    if hours:
        return f"{hours} ชั่วโมง {minutes} นาที" if minutes else f"{hours} ชั่วโมง"
    return f"{minutes} นาที"
