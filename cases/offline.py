"""Recording a case that arrived off-line (walk-in, phone, letter, comment box…): classified, routed and audited
exactly like a LINE message; nothing is sent to the citizen, the officer gives them the ticket."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

import classifier
from agency.config import AgencyConfig
from agency.thaitime import BANGKOK, WorkingCalendar
from agency.vocabulary import AuditAction, Role
from cases.service import CaseError, open_case
from storage import audit
from storage.models import Case, Contact, Message, Unit, User

MAX_TEXT_CHARS = 5000
MAX_NAME_CHARS = 200
MAX_PHONE_CHARS = 64
# A clock a few minutes fast on the officer's computer is not "a date in the future".
CLOCK_SLACK = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class OfflineMatter:
    """What the officer wrote down: the channel code, the matter, who brought it and when it arrived."""

    channel: str
    text: str
    citizen_name: str = ""
    citizen_phone: str = ""
    group: str = ""
    received_at: dt.datetime | None = None
    unit: str = ""


def parse_received_at(value: str | None) -> dt.datetime | None:
    """An ISO date or moment typed by the officer; a date or a moment without zone is Bangkok time."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CaseError("วันเวลาที่รับเรื่องไม่ถูกต้อง กรุณาระบุในรูปแบบ ปปปป-ดด-วว ชช:นน") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BANGKOK)
    return moment


def record_offline_case(
    session: Session, *, matter: OfflineMatter, user: User, agency: AgencyConfig, calendar: WorkingCalendar,
    now: dt.datetime,
) -> Case:
    """Store the citizen, their message and a case; CaseError (Thai) on bad input, and then nothing is stored."""
    if user.role not in (Role.ADMIN, Role.OFFICER):
        raise PermissionError("only officers and admins record cases")
    channels = {c.code: c.name for c in agency.offline_channels}
    text = (matter.text or "").strip()
    name = (matter.citizen_name or "").strip()
    phone = (matter.citizen_phone or "").strip()
    group = (matter.group or "").strip() or None
    if matter.channel not in channels:
        raise CaseError(f"ไม่รู้จักช่องทาง “{matter.channel}” กรุณาเลือกจาก: {', '.join(channels.values())}")
    if not text:
        raise CaseError("กรุณากรอกรายละเอียดเรื่องที่ประชาชนแจ้ง")
    if len(text) > MAX_TEXT_CHARS:
        raise CaseError(f"รายละเอียดยาวเกินไป ระบุได้ไม่เกิน {MAX_TEXT_CHARS:,} ตัวอักษร")
    if len(name) > MAX_NAME_CHARS or len(phone) > MAX_PHONE_CHARS:
        raise CaseError("ชื่อหรือหมายเลขโทรศัพท์ของผู้แจ้งยาวเกินไป")
    if group is not None and group not in agency.citizen_groups:
        raise CaseError(f"ไม่รู้จักกลุ่มผู้รับบริการ “{group}” กรุณาเลือกจากรายการ")
    received = matter.received_at or now
    if received.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    if received > now + CLOCK_SLACK:
        raise CaseError("วันเวลาที่รับเรื่องเป็นเวลาในอนาคต กรุณาตรวจสอบอีกครั้ง")
    unit_code = _chosen_unit(session, matter=matter, user=user)

    prediction = classifier.classify(text)
    contact = Contact(channel=matter.channel, external_id=f"offline:{uuid.uuid4().hex}", display_name=name or None,
                      phone=phone or None, following=False, citizen_group=group, created_at=received,
                      last_seen_at=received)
    session.add(contact)
    session.flush()
    message = Message(
        direction="in", channel=matter.channel, kind="text", sender_id=contact.external_id,
        sender_name=name or None, contact_id=contact.id, text=text, sent_at=received, received_at=received,
        processed_at=now, intent=prediction.intent, intent_confidence=prediction.intent_confidence,
        sentiment=prediction.sentiment, unit_code=unit_code or prediction.unit,  # the classifier sends unsure ones to triage
        unit_confidence=1.0 if unit_code else prediction.unit_confidence, topics=list(prediction.topics),
        masked_text=prediction.masked_text,
        model_version=str(getattr(classifier.current(), "version", "keyword-rules"))[:64],
    )
    session.add(message)
    session.flush()
    case = open_case(session, contact=contact, message=message, agency=agency, calendar=calendar, now=received)
    audit.record(session, actor=user.email, action=AuditAction.RECORDED_OFFLINE, entity="case", entity_id=case.id,
                 case_id=case.id, channel=matter.channel, received_at=received.isoformat(), group=group)
    session.flush()
    return case


def _chosen_unit(session: Session, *, matter: OfflineMatter, user: User) -> str | None:
    """The unit the officer chose, else an officer's own unit; None lets the classifier route it (admins)."""
    code = (matter.unit or "").strip()
    if code:
        unit = session.get(Unit, code)
        if unit is None or not unit.active:
            raise CaseError(f"ไม่พบหน่วยงาน “{code}” กรุณาเลือกหน่วยงานจากรายการ")
        return unit.code
    return user.unit_code if user.role == Role.OFFICER else None

