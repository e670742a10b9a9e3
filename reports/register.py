"""The improvement register: admins and analysts record what was changed because of what citizens said (audited)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.thaitime import BANGKOK
from classifier.privacy import mask_personal_data
from reports.models import LINK_KINDS, Improvement
from storage import audit
from storage.models import Case, Unit, User
from web.thaidate import TypedDateError, parse_typed_day

EDITOR_ROLES = ("admin", "analyst")
MAX_TEXT = 4000
FIELDS = ("day", "unit_code", "issue", "link_kind", "link_ref", "old_process", "old_steps", "old_days",
          "new_process", "new_steps", "new_days", "evidence", "citizen_group")
TICKET = re.compile(r"[A-Za-z]{1,8}-\d{4}-\d{1,9}")


class RegisterError(ValueError):
    """An entry cannot be saved; the message is Thai and shown as is."""


TEXT_FIELDS = ("issue", "link_ref", "old_process", "new_process", "evidence")  # free text anyone may have typed


def shown_entry(entry: Improvement, *, personal: bool) -> dict[str, Any]:
    """A register entry as a reader may see it: free text masked for those who see no personal data."""
    shown = {name: getattr(entry, name) for name in ("id", *FIELDS)}
    if not personal:
        shown.update({name: mask_personal_data(shown[name] or "") for name in TEXT_FIELDS})
    return shown


def may_edit(user: User) -> bool:
    """Admins and analysts keep the register; officers read it in the report."""
    return user.role in EDITOR_ROLES


def save_improvement(
    session: Session, *, form: Mapping[str, str], user: User, now: dt.datetime, entry: Improvement | None = None,
    groups: Sequence[str] = (),
) -> Improvement:
    """Create (or change) an entry from the form's text fields; RegisterError (Thai) and nothing stored on bad input."""
    if not may_edit(user):
        raise PermissionError("only admins and analysts keep the improvement register")
    values = _validated(session, form=form, now=now, groups=groups)
    if entry is None:
        entry = Improvement(created_by=user.id, created_at=now, updated_at=now, **values)
        session.add(entry)
        session.flush()
        audit.record(session, actor=user.email, action="improvement_added", entity="improvement",
                     entity_id=entry.id, unit=entry.unit_code, day=entry.day.isoformat())
        return entry
    changes = audit.apply_changes(entry, values)
    entry.updated_at = now
    audit.record(session, actor=user.email, action="improvement_changed", entity="improvement", entity_id=entry.id,
                 changes=changes)
    session.flush()
    return entry


def _validated(session: Session, *, form: Mapping[str, str], now: dt.datetime,
               groups: Sequence[str]) -> dict[str, object]:
    text = {name: str(form.get(name) or "").strip() for name in FIELDS}
    try:
        day = parse_typed_day(text["day"], label="วันที่เริ่มใช้กระบวนการใหม่")
    except TypedDateError as exc:
        raise RegisterError(str(exc)) from exc
    if day > now.astimezone(BANGKOK).date():
        raise RegisterError("วันที่เริ่มใช้กระบวนการใหม่ต้องไม่เป็นวันในอนาคต")
    unit = session.get(Unit, text["unit_code"]) if text["unit_code"] else None
    if unit is None:
        raise RegisterError("กรุณาเลือกหน่วยงานที่ปรับปรุงกระบวนการ")
    for name, label in (("issue", "ประเด็นที่ได้รับฟัง"), ("link_ref", "ที่มาของประเด็น"),
                        ("old_process", "กระบวนการเดิม"), ("new_process", "กระบวนการใหม่")):
        if not text[name]:
            raise RegisterError(f"กรุณากรอก{label}")
    for name in ("issue", "link_ref", "old_process", "new_process", "evidence"):
        if len(text[name]) > MAX_TEXT:
            raise RegisterError(f"ข้อความยาวเกินไป ระบุได้ไม่เกิน {MAX_TEXT:,} ตัวอักษรต่อช่อง")
    if text["link_kind"] not in LINK_KINDS:
        raise RegisterError("กรุณาเลือกที่มาของประเด็น: ประเด็นที่ประชาชนแจ้งมาก เรื่องร้องเรียน หรือผลสำรวจความพึงพอใจ")
    link_ref = text["link_ref"]
    if text["link_kind"] == "cases":
        tickets = sorted(set(TICKET.findall(link_ref.upper())))
        if not tickets:
            raise RegisterError("กรุณาระบุเลขที่เรื่อง เช่น FS-2569-000123 (คั่นหลายเรื่องด้วยเครื่องหมายจุลภาค)")
        known = set(session.scalars(select(Case.ticket).where(Case.ticket.in_(tickets))))
        missing = [t for t in tickets if t not in known]
        if missing:
            raise RegisterError(f"ไม่พบเรื่องเลขที่ {', '.join(missing)} ในระบบ")
        link_ref = ", ".join(tickets)
    if text["citizen_group"] and text["citizen_group"] not in groups:
        raise RegisterError("กรุณาเลือกกลุ่มผู้รับบริการจากรายการ หรือเว้นว่างไว้เมื่อการปรับปรุงใช้กับทุกกลุ่ม")
    return {
        "day": day, "unit_code": unit.code, "issue": text["issue"], "link_kind": text["link_kind"],
        "link_ref": link_ref, "old_process": text["old_process"], "new_process": text["new_process"],
        "old_steps": _number(text["old_steps"], "จำนวนขั้นตอนเดิม", whole=True),
        "old_days": _number(text["old_days"], "ระยะเวลาเดิม (วัน)"),
        "new_steps": _number(text["new_steps"], "จำนวนขั้นตอนใหม่", whole=True),
        "new_days": _number(text["new_days"], "ระยะเวลาใหม่ (วัน)"),
        "evidence": text["evidence"], "citizen_group": text["citizen_group"] or None,
    }


def _number(text: str, label: str, *, whole: bool = False) -> int | float | None:
    if not text:
        return None
    try:
        value = int(text) if whole else float(text)
    except ValueError as exc:
        raise RegisterError(f"{label} ต้องเป็นตัวเลข{'จำนวนเต็ม' if whole else ''}") from exc
    if value < 0 or value > 10_000:
        raise RegisterError(f"{label} ต้องอยู่ระหว่าง 0 ถึง 10,000")
    return value
