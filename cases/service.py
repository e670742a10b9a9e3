"""Cases: opening them from citizens' messages, following up, the status workflow and what officers do with them."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.thaitime import WorkingCalendar
from agency.vocabulary import (
    INTENTS, INTENT_NAMES, OPEN_STATUSES, STATUS_NAMES, AuditAction, Channel, Intent, Status,
)
from bot import replies
from bot.outbound import CitizenUnreachable, tell_citizen
from cases.access import can_act
from cases.alerts import alert_unit, hand_over
from cases.errors import CaseError
from cases.standards import standard_for
from storage import audit
from storage.models import AuditEvent, Case, CaseNote, Contact, Correction, Message, Unit, User
from storage.tickets import next_ticket


EARLIER_MESSAGES_WINDOW = dt.timedelta(hours=24)

REOPEN_WINDOW = dt.timedelta(days=14)


def open_case(
    session: Session,
    *,
    contact: Contact,
    message: Message,
    agency: AgencyConfig,
    calendar: WorkingCalendar,
    now: dt.datetime,
) -> Case:
    """Open a case for a classified message: ticket, unit, deadlines (the unit's service standard), status new."""
    unit = session.get(Unit, message.unit_code) if message.unit_code else None
    unit_code = unit.code if unit is not None and unit.active else agency.triage_unit
    priority = message.priority or "normal"
    standard = standard_for(agency, unit=unit_code, intent=message.intent or Intent.OTHER, priority=priority)
    case = Case(
        ticket=next_ticket(session, prefix=agency.ticket_prefix, now=now),
        contact_id=contact.id,
        channel=message.channel,
        intent=message.intent or Intent.OTHER,
        intent_confidence=message.intent_confidence or 0.0,
        sentiment=message.sentiment,
        unit_code=unit_code,
        unit_confidence=message.unit_confidence or 0.0,
        status=Status.NEW,
        summary=message.text[:500],
        topics=list(message.topics or []),
        created_at=now,
        updated_at=now,
        respond_due_at=calendar.add_working_days(now, standard.respond_days),
        due_at=calendar.add_working_days(now, standard.resolve_days),
        citizen_group=contact.citizen_group,
        priority=priority,
        priority_reason=message.priority_reason,
        unit_candidates=message.unit_candidates,
    )
    if unit is not None and unit.code == unit_code:
        case.unit = unit  # held by the case: its acknowledgement names the unit without reading it again
    session.add(case)
    session.flush()
    message.case_id = case.id
    # What the citizen sent just before (a photo, a location, "สวัสดีค่ะ") belongs to the same matter.
    session.execute(
        update(Message)
        .where(Message.contact_id == contact.id, Message.case_id.is_(None), Message.direction == "in",
               Message.id < message.id, Message.received_at >= now - EARLIER_MESSAGES_WINDOW,
               Message.kind.not_in(("follow", "unfollow")))
        .values(case_id=case.id)
    )
    audit.record(session, actor="system", action=AuditAction.CASE_OPENED, entity="case", entity_id=case.id,
                 case_id=case.id, ticket=case.ticket, intent=case.intent, unit=case.unit_code, message_id=message.id)
    if priority == "urgent":  # the unit hears at once: an inbox alert until acknowledged, and LINE where configured
        alert_unit(session, case=case, agency=agency, masked_summary=message.masked_text or "", now=now)
    return case


MAX_REPLY_CHARS = 2000  # Facebook's Send API limit (LINE allows 5,000): one limit for every channel

MAX_NOTE_CHARS = 5000

MAX_REASON_CHARS = 1000

# Which status may follow which. Reopening a resolved case puts it back in progress.

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.FORWARDED, Status.REJECTED),
    Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.RESOLVED, Status.FORWARDED, Status.REJECTED),
    Status.IN_PROGRESS: (Status.RESOLVED, Status.FORWARDED, Status.REJECTED),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.FORWARDED: (Status.CLOSED,),
    Status.REJECTED: (Status.CLOSED,),
    Status.CLOSED: (),
}

NOTE_REQUIRED = {
    Status.FORWARDED: "กรุณาระบุหน่วยงานที่ส่งต่อและรายละเอียด",
    Status.REJECTED: "กรุณาระบุเหตุผลที่ไม่รับเรื่อง",
}


def allowed_statuses(case: Case) -> tuple[str, ...]:
    """The statuses this case may move to next."""
    return TRANSITIONS.get(case.status, ())


def first_inbound(case: Case) -> Message | None:
    """The citizen's first message in the case (the text the classifier labelled)."""
    return next((m for m in case.messages if m.direction == "in"), None)


def change_fields(
    session: Session, *, case: Case, actor: User | str, action: str, now: dt.datetime, **changes: object
) -> AuditEvent:
    """Set fields on a case and audit them as {field: [old, new]} in one event (plus any `details`)."""
    details = changes.pop("details", None) or {}
    diff = audit.apply_changes(case, changes)
    case.updated_at = now
    event = audit.record(session, actor=_actor(actor), action=action, entity="case", entity_id=case.id,
                         case_id=case.id, changes=diff, **details)
    session.flush()
    return event


def _move(session: Session, *, case: Case, through: tuple[str, ...], actor: User | str, action: str,
          now: dt.datetime, **changes: object) -> AuditEvent:
    """Move the case along the workflow, through each status in turn (each step allowed by TRANSITIONS, else
    CaseError), with its other fields, as one audited change."""
    return change_fields(session, case=case, actor=actor, action=action, now=now,
                         status=_check_path(case, through), **changes)


def _check_path(case: Case, through: tuple[str, ...]) -> str:
    """The status the case ends in after these steps; CaseError (Thai) if the workflow forbids one of them."""
    status = case.status
    for step in through:
        if step not in TRANSITIONS.get(status, ()):
            raise CaseError(f"เปลี่ยนสถานะจาก “{STATUS_NAMES[status]}” เป็น “{STATUS_NAMES[step]}” ไม่ได้")
        status = step
    return status


def reopen(session: Session, *, case: Case, reason: str, now: dt.datetime) -> AuditEvent:
    """The citizen says the problem is not fixed: a resolved case back in progress (audited), the unit told by a
    case note."""
    event = _move(session, case=case, through=(Status.IN_PROGRESS,), actor="citizen", action=AuditAction.REOPENED,
                  now=now, details={"reason": reason}, resolved_at=None)
    session.add(CaseNote(case_id=case.id, author_user_id=None, created_at=now,
                         text=f"ประชาชนแจ้งว่า{reason} ระบบเปิดเรื่องอีกครั้ง กรุณาดำเนินการต่อค่ะ"))
    session.flush()
    return event


def record_praise(session: Session, *, case: Case, now: dt.datetime) -> AuditEvent:
    """Praise is passed on to the staff and needs no action: resolved and closed at once (one audited change),
    so it never counts as overdue."""
    return _move(session, case=case, through=(Status.RESOLVED, Status.CLOSED), actor="system",
                 action=AuditAction.PRAISE_RECORDED, now=now, resolved_at=now, closed_at=now)


def reply(session: Session, *, case: Case, user: User, text: str, now: dt.datetime) -> Message:
    """Send an officer's reply to the citizen through the case's channel (via the outbox)."""
    _require_act(user, case)
    text = (text or "").strip()
    if not text:
        raise CaseError("กรุณาพิมพ์ข้อความตอบกลับก่อนส่ง")
    if len(text) > MAX_REPLY_CHARS:
        raise CaseError(f"ข้อความยาวเกินไป ({len(text):,} ตัวอักษร) ส่งได้ไม่เกิน {MAX_REPLY_CHARS:,} ตัวอักษรต่อครั้ง")
    contact = session.get(Contact, case.contact_id)
    assert contact is not None  # the foreign key guarantees it
    key = f"reply:{uuid.uuid4()}"
    try:
        message = tell_citizen(session, contact=contact, text=text, key=key, case_id=case.id,
                               thread_ref=_thread_ref(case), author_user_id=user.id)
    except CitizenUnreachable as exc:
        raise CaseError("ส่งข้อความไม่ได้ เนื่องจากประชาชนเลิกติดตามหรือบล็อกบัญชีของหน่วยงานแล้ว") from exc
    assert message is not None  # the key is new
    changes: dict[str, object] = {}
    if case.first_response_at is None:
        changes["first_response_at"] = now
    if case.status == Status.NEW:
        changes["status"] = Status.ACKNOWLEDGED  # answering the citizen acknowledges the case
    change_fields(session, case=case, actor=user, action=AuditAction.REPLIED, now=now,
                  details={"message_id": message.id, "chars": len(text)}, **changes)
    return message


def change_status(
    session: Session, *, case: Case, user: User, status: str, note: str | None, agency: AgencyConfig,
    now: dt.datetime,
) -> AuditEvent:
    """Move the case along the workflow and tell the citizen, in Thai, when it concerns them."""
    _require_act(user, case)
    note = (note or "").strip()
    if status not in TRANSITIONS:
        raise CaseError(f"ไม่รู้จักสถานะ “{status}”")
    _check_path(case, (status,))
    if status in NOTE_REQUIRED and not note:
        raise CaseError(NOTE_REQUIRED[status])
    if len(note) > MAX_REASON_CHARS:
        raise CaseError(f"หมายเหตุยาวเกินไป ส่งได้ไม่เกิน {MAX_REASON_CHARS:,} ตัวอักษร")
    changes: dict[str, object] = {"status": status}
    if status in (Status.RESOLVED, Status.FORWARDED, Status.REJECTED):
        changes["resolved_at"] = now
    if status == Status.CLOSED:
        changes["closed_at"] = now
    if status == Status.IN_PROGRESS and case.status == Status.RESOLVED:
        changes["resolved_at"] = None
    if case.first_response_at is None:
        changes["first_response_at"] = now
    unit = session.get(Unit, case.unit_code)
    text = replies.status_update(ticket=case.ticket, status=status, note=note or None,
                               unit_name=unit.name if unit else case.unit_code, agency=agency.short_name)
    event = change_fields(session, case=case, actor=user, action=AuditAction.STATUS_CHANGED, now=now,
                          details={"note": note} if note else None, **changes)
    event.details = {**event.details, "citizen_told": _notify(session, case=case, text=text,
                                                               key=f"status:{case.id}:{event.id}")}
    return event


def assign(
    session: Session, *, case: Case, user: User, unit_code: str, reason: str, agency: AgencyConfig,
    now: dt.datetime,
) -> AuditEvent:
    """Reassign the case to another unit, keep the correction for training, and tell the citizen."""
    _require_act(user, case)
    reason = (reason or "").strip()
    unit = session.get(Unit, unit_code) if unit_code else None
    if unit is None or not unit.active:
        raise CaseError(f"ไม่พบหน่วยงาน “{unit_code}” กรุณาเลือกหน่วยงานจากรายการ")
    if unit.code == case.unit_code:
        raise CaseError(f"เรื่องนี้อยู่ในความรับผิดชอบของ{unit.name}อยู่แล้ว")
    if case.status not in OPEN_STATUSES:
        raise CaseError("เรื่องที่ดำเนินการเสร็จหรือปิดแล้ว ส่งต่อหน่วยงานไม่ได้")
    if not reason:
        raise CaseError("กรุณาระบุเหตุผลที่ส่งต่อหน่วยงาน")
    if len(reason) > MAX_REASON_CHARS:
        raise CaseError(f"เหตุผลยาวเกินไป ระบุได้ไม่เกิน {MAX_REASON_CHARS:,} ตัวอักษร")
    _keep_correction(session, case=case, user=user, unit_code=unit.code)
    event = change_fields(session, case=case, actor=user, action=AuditAction.REASSIGNED, now=now,
                          details={"reason": reason}, unit_code=unit.code, escalated_at=None)
    if case.priority == "urgent":  # the new unit hears at once too
        hand_over(session, case=case, user=user, agency=agency, now=now)
    text = replies.unit_changed(ticket=case.ticket, unit_name=unit.name, agency=agency.short_name)
    event.details = {**event.details, "citizen_told": _notify(session, case=case, text=text,
                                                               key=f"unit:{case.id}:{event.id}")}
    return event


def relabel(
    session: Session, *, case: Case, user: User, intent: str, agency: AgencyConfig, calendar: WorkingCalendar,
    now: dt.datetime,
) -> AuditEvent:
    """Correct the case's intent (kept for training); the deadlines follow the new intent's standard."""
    _require_act(user, case)
    if intent not in INTENTS:
        raise CaseError(f"ไม่รู้จักประเภทเรื่อง “{intent}”")
    if intent == case.intent:
        raise CaseError(f"เรื่องนี้เป็น{INTENT_NAMES[intent]}อยู่แล้ว")
    _keep_correction(session, case=case, user=user, intent=intent)
    standard = standard_for(agency, unit=case.unit_code, intent=intent, priority=case.priority or "normal")
    return change_fields(
        session, case=case, actor=user, action=AuditAction.RELABELLED, now=now, intent=intent, intent_confidence=1.0,
        respond_due_at=calendar.add_working_days(case.created_at, standard.respond_days),
        due_at=calendar.add_working_days(case.created_at, standard.resolve_days),
    )


def add_note(session: Session, *, case: Case, user: User, text: str, now: dt.datetime) -> CaseNote:
    """Add an internal note; it is never sent to the citizen."""
    _require_act(user, case)
    text = (text or "").strip()
    if not text:
        raise CaseError("กรุณาพิมพ์บันทึกก่อนบันทึก")
    if len(text) > MAX_NOTE_CHARS:
        raise CaseError(f"บันทึกยาวเกินไป ระบุได้ไม่เกิน {MAX_NOTE_CHARS:,} ตัวอักษร")
    note = CaseNote(case_id=case.id, author_user_id=user.id, text=text, created_at=now)
    session.add(note)
    session.flush()
    change_fields(session, case=case, actor=user, action=AuditAction.NOTE_ADDED, now=now, details={"note_id": note.id})
    return note


def _require_act(user: User, case: Case) -> None:
    """Refuse the action unless the user may change this case."""
    if not can_act(user, case):
        raise PermissionError("not allowed to change this case")


def _keep_correction(session: Session, *, case: Case, user: User, intent: str | None = None,
                     unit_code: str | None = None) -> None:
    """Store an officer's correction of the classifier as a training example."""
    message = first_inbound(case)
    session.add(Correction(
        case_id=case.id, message_id=message.id if message else None,
        text=message.text if message and message.text else case.summary,
        intent=intent, unit_code=unit_code,
        previous_intent=case.intent if intent else None, previous_unit_code=case.unit_code if unit_code else None,
        author_user_id=user.id,
    ))


def _notify(session: Session, *, case: Case, text: str | None, key: str) -> bool:
    """Tell the citizen about a change when there is something to say and they can be reached."""
    if text is None:
        return False
    contact = session.get(Contact, case.contact_id)
    assert contact is not None  # the foreign key guarantees it
    try:
        return tell_citizen(session, contact=contact, text=text, key=key, case_id=case.id,
                            thread_ref=_thread_ref(case)) is not None
    except CitizenUnreachable:
        return False


def _thread_ref(case: Case) -> str | None:
    """Where to answer: the comment id for Page comments, nothing for private chats."""
    if case.channel != Channel.FACEBOOK_COMMENT:
        return None
    first = first_inbound(case)
    return first.thread_ref if first else None


def _actor(actor: User | str) -> str:
    """The audit trail's name for who did it."""
    return actor if isinstance(actor, str) else actor.email


def set_citizen_group(
    session: Session, *, group: str | None, agency: AgencyConfig, actor: User | str, now: dt.datetime,
    case: Case | None = None, contact: Contact | None = None,
) -> None:
    """Set the citizen's group (as the agency configures them) on a case, or on a contact and its unfinished cases.

    On a case, the contact takes the group too when it has none yet. `None` clears it. Audited; CaseError (Thai)
    for a group not in the config or an officer of another unit.
    """
    if group is not None and group not in agency.citizen_groups:
        raise CaseError(f"ไม่รู้จักกลุ่มผู้รับบริการ “{group}” กรุณาเลือกจากรายการ")
    if case is None and contact is None:
        raise ValueError("set_citizen_group needs a case or a contact")
    if case is not None:
        if isinstance(actor, User):
            _require_act(actor, case)
        change_fields(session, case=case, actor=actor, action=AuditAction.GROUP_SET, now=now, citizen_group=group)
        contact = contact or session.get(Contact, case.contact_id)
        if contact is None or contact.citizen_group is not None:
            return
    assert contact is not None
    if contact.citizen_group != group:
        audit.record(session, actor=_actor(actor), action=AuditAction.GROUP_SET, entity="contact",
                     entity_id=contact.id, changes={"citizen_group": [contact.citizen_group, group]})
        contact.citizen_group = group
    if case is None:
        for open_case_ in session.scalars(select(Case).where(Case.contact_id == contact.id,
                                                             Case.status.in_(OPEN_STATUSES),
                                                             Case.citizen_group.is_(None))):
            change_fields(session, case=open_case_, actor=actor, action=AuditAction.GROUP_SET, now=now,
                          citizen_group=group)
    session.flush()
