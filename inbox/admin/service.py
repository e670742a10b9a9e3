"""What admins change: units, accounts, reply templates and the agency's own days off. Every change is audited."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.sessions import end_user_sessions
from accounts.service import AccountError, create_user
from storage import audit
from web.thaidate import TypedDateError, parse_typed_day
from agency.vocabulary import ROLES, AuditAction, Role
from storage.models import AgencyHoliday, ReplyTemplate, Unit, User
from web.deps import MAX_ROW_ID

UNIT_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class AdminError(ValueError):
    """An admin's change cannot be made; the message is Thai and shown as is."""


def add_unit(session: Session, *, code: str, name: str, actor: User) -> Unit:
    """Add a unit that cases can be routed or reassigned to."""
    code, name = code.strip().lower(), name.strip()
    if not UNIT_CODE.match(code):
        raise AdminError("รหัสหน่วยงานต้องเป็นภาษาอังกฤษตัวเล็ก ตัวเลข หรือ _ (2–64 ตัวอักษร) เช่น parks")
    if not name:
        raise AdminError("กรุณาระบุชื่อหน่วยงาน")
    if session.get(Unit, code) is not None:
        raise AdminError(f"มีหน่วยงานรหัส {code} อยู่แล้ว")
    unit = Unit(code=code, name=name[:200], topics=[], is_triage=False, active=True)
    session.add(unit)
    audit.record(session, actor=actor.email, action=AuditAction.UNIT_ADDED, entity="unit", entity_id=code,
                 name=unit.name)
    return unit


def update_unit(session: Session, *, code: str, name: str, active: bool, actor: User) -> Unit:
    """Rename a unit or (de)activate it; the triage unit always stays active."""
    unit = session.get(Unit, code)
    if unit is None:
        raise AdminError("ไม่พบหน่วยงานนี้")
    name = name.strip()
    if not name:
        raise AdminError("กรุณาระบุชื่อหน่วยงาน")
    if unit.is_triage and not active:
        raise AdminError("ปิดใช้งานศูนย์คัดกรองเรื่องไม่ได้ เพราะเป็นที่รับเรื่องที่ระบบจัดหน่วยงานไม่ได้")
    changes = {k: [old, new] for k, old, new in (("name", unit.name, name[:200]), ("active", unit.active, active))
               if old != new}
    unit.name, unit.active = name[:200], active
    audit.record(session, actor=actor.email, action=AuditAction.UNIT_UPDATED, entity="unit", entity_id=code,
                 changes=changes)
    return unit


def add_user(session: Session, *, email: str, password: str, role: str, unit_code: str | None,
             display_name: str | None, actor: User) -> User:
    """Create an account (through the accounts service), with Thai messages for the admin."""
    try:
        return create_user(session, email=email, password=password, role=role, unit_code=unit_code or None,
                           display_name=(display_name or "").strip() or None, actor=actor.email)
    except AccountError as exc:
        raise AdminError(exc.thai) from exc


def update_user(session: Session, *, user_id: int, role: str, unit_code: str | None, active: bool,
                actor: User) -> User:
    """Change an account's role, unit or whether it may sign in."""
    user = session.get(User, user_id)
    if user is None:
        raise AdminError("ไม่พบบัญชีผู้ใช้นี้")
    if role not in ROLES:
        raise AdminError("บทบาทไม่ถูกต้อง")
    unit_code = unit_code or None
    if role == Role.OFFICER and not unit_code:
        raise AdminError("เจ้าหน้าที่ต้องสังกัดหน่วยงาน กรุณาเลือกหน่วยงาน")
    if unit_code and session.get(Unit, unit_code) is None:
        raise AdminError("ไม่พบหน่วยงานที่เลือก")
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise AdminError("ไม่สามารถลดสิทธิ์หรือปิดบัญชีของตนเองได้")
    changes = {k: [old, new] for k, old, new in (("role", user.role, role), ("unit", user.unit_code, unit_code),
                                                 ("active", user.active, active)) if old != new}
    user.role, user.unit_code, user.active = role, unit_code, active
    # What the account may see changed: every session of it ends and the person signs in again.
    ended = end_user_sessions(session, user_id=user.id, reason="account_changed") if changes else 0
    audit.record(session, actor=actor.email, action=AuditAction.USER_UPDATED, entity="user", entity_id=user.id,
                 changes=changes, sessions_ended=ended)
    return user


def save_template(session: Session, *, template_id: int | None, title: str, text: str, unit_code: str | None,
                  actor: User) -> ReplyTemplate:
    """Add or edit a canned reply (for every unit, or one unit's)."""
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise AdminError("กรุณาระบุชื่อและข้อความของข้อความสำเร็จรูป")
    if len(text) > 2000:
        raise AdminError("ข้อความสำเร็จรูปยาวได้ไม่เกิน 2,000 ตัวอักษร")
    if unit_code and session.get(Unit, unit_code) is None:
        raise AdminError("ไม่พบหน่วยงานที่เลือก")
    if template_id is not None and template_id > MAX_ROW_ID:  # past any row: not one to reach the database with
        raise AdminError("ไม่พบข้อความสำเร็จรูปนี้")
    template = session.get(ReplyTemplate, template_id) if template_id else ReplyTemplate()
    if template is None:
        raise AdminError("ไม่พบข้อความสำเร็จรูปนี้")
    template.title, template.text, template.unit_code = title[:200], text, unit_code or None
    session.add(template)
    session.flush()
    audit.record(session, actor=actor.email, action=AuditAction.TEMPLATE_SAVED, entity="reply_template",
                 entity_id=template.id, title=template.title)
    return template


def delete_template(session: Session, *, template_id: int, actor: User) -> None:
    """Remove a canned reply."""
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        raise AdminError("ไม่พบข้อความสำเร็จรูปนี้")
    session.delete(template)
    audit.record(session, actor=actor.email, action=AuditAction.TEMPLATE_DELETED, entity="reply_template",
                 entity_id=template_id, title=template.title)


def add_holiday(session: Session, *, day: str, name: str, actor: User) -> AgencyHoliday:
    """Add one of the agency's own days off (call Runtime.reload_calendar afterwards)."""
    try:
        date = parse_typed_day(day, label="วันหยุด")
    except TypedDateError as exc:
        raise AdminError(str(exc)) from exc
    if not name.strip():
        raise AdminError("กรุณาระบุชื่อวันหยุด")
    if session.get(AgencyHoliday, date) is not None:
        raise AdminError("วันนี้เป็นวันหยุดของหน่วยงานอยู่แล้ว")
    holiday = AgencyHoliday(day=date, name=name.strip()[:200])
    session.add(holiday)
    audit.record(session, actor=actor.email, action=AuditAction.HOLIDAY_ADDED, entity="holiday",
                 entity_id=date.isoformat(), name=holiday.name)
    return holiday


def remove_holiday(session: Session, *, day: str, actor: User) -> None:
    """Remove one of the agency's own days off (call Runtime.reload_calendar afterwards)."""
    holiday = session.get(AgencyHoliday, dt.date.fromisoformat(day)) if _is_date(day) else None
    if holiday is None:
        raise AdminError("ไม่พบวันหยุดนี้")
    session.delete(holiday)
    audit.record(session, actor=actor.email, action=AuditAction.HOLIDAY_REMOVED, entity="holiday", entity_id=day)


def listing(session: Session) -> dict[str, list]:
    """Everything the admin pages list."""
    return {
        "units": list(session.scalars(select(Unit).order_by(Unit.name))),
        "users": list(session.scalars(select(User).order_by(User.email))),
        "templates": list(session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.title))),
        "holidays": list(session.scalars(select(AgencyHoliday).order_by(AgencyHoliday.day))),
    }


def _is_date(value: str) -> bool:
    """Whether the text is an ISO date."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True
