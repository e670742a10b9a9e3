"""Cases: opening them from citizens' messages, finding them, and what officers may see."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage import audit
from storage.agency import AgencyConfig
from storage.calendar import WorkingCalendar
from storage.models import OPEN_STATUSES, Case, Contact, Message, Unit, User
from storage.tickets import next_ticket


def find_open_case(session: Session, *, contact_id: int) -> Case | None:
    """The citizen's most recent case that is still open, if any."""
    return session.scalars(
        select(Case)
        .where(Case.contact_id == contact_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id.desc())
        .limit(1)
    ).first()


def open_case(
    session: Session,
    *,
    contact: Contact,
    message: Message,
    agency: AgencyConfig,
    calendar: WorkingCalendar,
    now: dt.datetime,
) -> Case:
    """Open a case for a classified message: ticket, unit, deadlines, status new."""
    standard = agency.standard(message.intent or "other")
    unit = session.get(Unit, message.unit_code) if message.unit_code else None
    case = Case(
        ticket=next_ticket(session, prefix=agency.ticket_prefix, now=now),
        contact_id=contact.id,
        channel=message.channel,
        intent=message.intent or "other",
        intent_confidence=message.intent_confidence or 0.0,
        sentiment=message.sentiment,
        unit_code=unit.code if unit is not None and unit.active else agency.triage_unit,
        unit_confidence=message.unit_confidence or 0.0,
        status="new",
        summary=message.text[:500],
        topics=list(message.topics or []),
        created_at=now,
        updated_at=now,
        respond_due_at=calendar.add_working_days(now, standard.respond_days),
        due_at=calendar.add_working_days(now, standard.resolve_days),
    )
    session.add(case)
    session.flush()
    message.case_id = case.id
    audit.record(session, actor="system", action="case_opened", entity="case", entity_id=case.id, case_id=case.id,
                 ticket=case.ticket, intent=case.intent, unit=case.unit_code, message_id=message.id)
    return case


def visible_cases(user: User) -> Select[tuple[Case]]:
    """The cases this user may see: officers their own unit's, admins and analysts all."""
    query = select(Case)
    if user.role == "officer":
        query = query.where(Case.unit_code == user.unit_code)
    return query


def can_see(user: User, case: Case) -> bool:
    """Whether this user may open this case."""
    return user.role in ("admin", "analyst") or (user.role == "officer" and case.unit_code == user.unit_code)
