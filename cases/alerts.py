"""Urgent cases alert their unit at once: an alert every officer of the unit sees on the inbox until one of them
acknowledges it, and, where the agency config gives the unit a LINE group or user id (`alert_line_to`), a LINE push
through the outbox. An open urgent case moved to another unit alerts that unit too (the old unit's alert is settled by
the move). All audited."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from agency.config import AgencyConfig
from agency.vocabulary import OPEN_STATUSES, AuditAction, Channel, Role
from bot.replies import clip
from cases.errors import CaseError
from storage import audit, outbox
from storage.models import Base, Case, Message, Unit, User, utcnow

ALERT_SUMMARY_CHARS = 120  # of the masked text, in the LINE push


class UnitAlert(Base):
    """An urgent case's alert to its unit, shown on the inbox until an officer of the unit acknowledges it."""

    __tablename__ = "unit_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column()
    acknowledged_by: Mapped[str | None] = mapped_column(String(254))


def unit_staff(session: Session, *, unit_code: str) -> list[str]:
    """The emails of a unit's active officers and admins (who hear at once of an urgent case)."""
    return list(session.scalars(select(User.email).where(
        User.unit_code == unit_code, User.active.is_(True), User.role.in_((Role.OFFICER, Role.ADMIN))).order_by(User.email)))


def alert_text(*, case: Case, unit_name: str, summary: str) -> str:
    """The LINE push to the unit's group: to whom, which case and why, the citizen's words masked, what to do."""
    reason = f" · {case.priority_reason}" if case.priority_reason else ""
    words = " ".join((summary or "").split())
    about = f"\nข้อความจากประชาชน: {clip(words, ALERT_SUMMARY_CHARS)}" if words else ""
    return (f"แจ้งเตือนเรื่องเร่งด่วน\nเรียน {unit_name}\nเลขที่เรื่อง {case.ticket}{reason}{about}\n"
            "กรุณาเปิดดูในกล่องเรื่องร้องเรียนของระบบฟังเสียงและดำเนินการโดยทันทีค่ะ")


def alert_unit(session: Session, *, case: Case, agency: AgencyConfig, masked_summary: str, now: dt.datetime) -> UnitAlert:
    """Alert the urgent case's unit at once: the inbox alert, and a LINE push where the unit has an alert id."""
    alert = UnitAlert(case_id=case.id, unit_code=case.unit_code, reason=case.priority_reason, created_at=now)
    session.add(alert)
    session.flush()
    configured = agency.unit(case.unit_code)
    line_to = configured.alert_line_to if configured is not None else ""
    if line_to:
        unit = session.get(Unit, case.unit_code)
        text = alert_text(case=case, unit_name=unit.name if unit else case.unit_code, summary=masked_summary)
        outbox.enqueue(session, key=f"urgent-alert:{alert.id}", channel=Channel.LINE, recipient=line_to,
                       payload={"text": text}, case_id=case.id)
    audit.record(session, actor="system", action=AuditAction.URGENT_NOTIFIED, entity="case", entity_id=case.id,
                 case_id=case.id, reason=case.priority_reason, alert_id=alert.id, line=bool(line_to),
                 notified=unit_staff(session, unit_code=case.unit_code))
    return alert


def hand_over(session: Session, *, case: Case, user: User, agency: AgencyConfig, now: dt.datetime) -> None:
    """An open urgent case reassigned: the old unit's waiting alert is settled by the officer who moved it, and the
    new unit is alerted at once."""
    for waiting in session.scalars(select(UnitAlert).where(UnitAlert.case_id == case.id,
                                                           UnitAlert.acknowledged_at.is_(None))):
        _acknowledge(session, alert=waiting, user=user, now=now)
    first = session.scalars(select(Message.masked_text).where(Message.case_id == case.id, Message.direction == "in")
                            .order_by(Message.id).limit(1)).first()
    alert_unit(session, case=case, agency=agency, masked_summary=first or "", now=now)


def open_alerts(session: Session, *, user: User) -> list[tuple[UnitAlert, Case]]:
    """The alerts still waiting for the user's acknowledgement: their unit's for an officer, every unit's for an
    admin, none for an analyst; newest first."""
    if user.role not in (Role.OFFICER, Role.ADMIN):
        return []
    query = (select(UnitAlert, Case).join(Case, Case.id == UnitAlert.case_id)
             .where(UnitAlert.acknowledged_at.is_(None), Case.status.in_(OPEN_STATUSES))  # a finished case alerts no more
             .order_by(UnitAlert.id.desc()))
    if user.role == Role.OFFICER:
        query = query.where(UnitAlert.unit_code == user.unit_code)
    return [(alert, case) for alert, case in session.execute(query).all()]


def acknowledge_alert(session: Session, *, alert_id: int, user: User, now: dt.datetime) -> UnitAlert:
    """An officer of the unit (or an admin) acknowledges the alert for the whole unit; CaseError in Thai if it is not
    theirs. Acknowledging twice changes nothing."""
    alert = session.get(UnitAlert, alert_id, with_for_update=True)
    if alert is None or user.role not in (Role.OFFICER, Role.ADMIN) or \
            (user.role == Role.OFFICER and alert.unit_code != user.unit_code):
        raise CaseError("ไม่พบการแจ้งเตือนนี้ในหน่วยงานของท่าน")
    _acknowledge(session, alert=alert, user=user, now=now)
    return alert


def _acknowledge(session: Session, *, alert: UnitAlert, user: User, now: dt.datetime) -> None:
    """Mark the alert acknowledged by the user (once), audited."""
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, user.email
        audit.record(session, actor=user.email, action=AuditAction.ALERT_ACKNOWLEDGED, entity="case",
                     entity_id=alert.case_id, case_id=alert.case_id, alert_id=alert.id)
