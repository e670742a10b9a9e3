"""Citizens' PDPA rights and the retention period: personal data replaced by its masked form, counts kept, audited.

`erase_citizen` answers a citizen's request to erase (texts masked, names, ids, photos and locations dropped);
`apply_retention` masks the raw texts of cases closed longer ago than FANGSIANG_RETENTION_DAYS (a worker job). Every
case, message and survey row stays, so the reports' counts do not change. The composition root holds this because it
touches every room's tables (messages, cases, notes, audit, the conversation's photos and surveys).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from agency.vocabulary import OPEN_STATUSES
from classifier.privacy import mask_personal_data
from conversation.models import MediaFile, Survey
from storage import audit
from storage.models import (
    AuditEvent,
    Case,
    CaseNote,
    Contact,
    InboundEvent,
    Message,
    OutboxMessage,
    utcnow,
)

if TYPE_CHECKING:
    from fangsiang.runtime import Runtime

log = logging.getLogger(__name__)

RETENTION_ACTION = "texts_masked_for_retention"
RETENTION_BATCH = 200  # cases per run: a long backlog is worked off hour by hour
PERSONAL_DETAILS = ("note", "reason")  # officers' free text in a case's history


class CitizenNotFound(LookupError):
    """Nothing stored for this channel and user id."""


def _channels(channel: str) -> tuple[str, ...]:
    """The stored channels a citizen's id belongs to (Facebook's Messenger and comments share the word)."""
    return ("facebook", "facebook_comment") if channel == "facebook" else (channel,)


def _mask_messages(session: Session, messages: Iterable[Message], *, drop_identity: bool) -> int:
    """Texts replaced by their masked form; with drop_identity also ids, names, places, photos and raw events."""
    count = 0
    event_ids: list[int] = []
    for message in messages:
        masked = mask_personal_data(message.text or "")
        message.text = masked
        if message.direction == "in":
            message.masked_text = masked
        message.embedding = None  # a vector of the raw words
        if message.inbound_event_id is not None:
            event_ids.append(message.inbound_event_id)
        if drop_identity:
            message.sender_id = message.sender_name = message.reply_token = message.external_id = None
            message.location = None
            message.attachments = [{"type": a.get("type", "file"), "erased": True}
                                   for a in message.attachments or () if isinstance(a, dict)]
        count += 1
    for event in session.scalars(select(InboundEvent).where(InboundEvent.id.in_(event_ids))) if event_ids else ():
        event.payload = {"masked": True, "type": (event.payload or {}).get("type")}  # the raw event held the words
    return count


def _mask_case_records(session: Session, *, case_ids: list[int]) -> dict[str, int]:
    """Summaries, officers' notes, history notes/reasons and survey comments of these cases, masked."""
    counts = {"cases": 0, "notes": 0, "history": 0, "surveys": 0}
    if not case_ids:
        return counts
    for case in session.scalars(select(Case).where(Case.id.in_(case_ids))):
        case.summary = mask_personal_data(case.summary or "")
        counts["cases"] += 1
    for note in session.scalars(select(CaseNote).where(CaseNote.case_id.in_(case_ids))):
        note.text = mask_personal_data(note.text)
        counts["notes"] += 1
    for event in session.scalars(select(AuditEvent).where(AuditEvent.case_id.in_(case_ids))):
        if any(event.details.get(key) for key in PERSONAL_DETAILS):
            event.details = {**event.details, **{key: mask_personal_data(str(event.details[key]))
                                                 for key in PERSONAL_DETAILS if event.details.get(key)}}
            counts["history"] += 1
    for survey in session.scalars(select(Survey).where(Survey.case_id.in_(case_ids), Survey.free_text.is_not(None))):
        survey.free_text = mask_personal_data(survey.free_text or "")
        counts["surveys"] += 1
    return counts


def erase_citizen(session: Session, *, channel: str, user_id: str, actor: str, data_dir: Path) -> dict[str, Any]:
    """A citizen's erasure request: their texts masked, names, ids, places and photos dropped, counts kept, audited."""
    channels = _channels(channel)
    contacts = session.scalars(select(Contact).where(Contact.channel.in_(channels),
                                                     Contact.external_id == user_id)).all()
    contact_ids = [c.id for c in contacts]
    case_ids = list(session.scalars(select(Case.id).where(Case.contact_id.in_(contact_ids)))) if contact_ids else []
    conditions = [(Message.channel.in_(channels)) & (Message.sender_id == user_id)]
    if contact_ids:
        conditions.append(Message.contact_id.in_(contact_ids))
    if case_ids:
        conditions.append(Message.case_id.in_(case_ids))
    messages = session.scalars(select(Message).where(or_(*conditions))).all()
    if not contacts and not messages:
        raise CitizenNotFound(f"nothing stored for {channel} user {user_id}")
    photos = 0
    message_ids = [m.id for m in messages]
    for media in session.scalars(select(MediaFile).where(MediaFile.message_id.in_(message_ids))) if message_ids else ():
        if media.path:
            (data_dir / media.path).unlink(missing_ok=True)
            photos += 1
        media.path, media.source, media.status = None, "erased", "erased"
    for outgoing in session.scalars(select(OutboxMessage).where(
            OutboxMessage.channel.in_(channels), OutboxMessage.recipient == user_id,
            OutboxMessage.status.in_(("pending", "sending")))):
        outgoing.status = "dead"  # nothing more is sent to an id the citizen asked us to forget
    counts: dict[str, Any] = {"messages": _mask_messages(session, messages, drop_identity=True),
                              **_mask_case_records(session, case_ids=case_ids), "photos_deleted": photos}
    for contact in contacts:
        contact.external_id = f"erased-{contact.id}"
        contact.display_name = contact.phone = None
        audit.record(session, actor=actor, action="citizen_erased", entity="contact", entity_id=contact.id,
                     **counts)
    if not contacts:
        audit.record(session, actor=actor, action="citizen_erased", entity="messages", entity_id=channel, **counts)
    return counts


def apply_retention(session: Session, *, days: int, now: dt.datetime | None = None) -> int:
    """Mask the raw texts of cases closed more than `days` ago (once per case, audited); how many cases."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    done = select(AuditEvent.case_id).where(AuditEvent.action == RETENTION_ACTION, AuditEvent.case_id.is_not(None))
    case_ids = list(session.scalars(
        select(Case.id).where(Case.status.not_in(OPEN_STATUSES),
                              func.coalesce(Case.resolved_at, Case.updated_at) < cutoff, Case.id.not_in(done))
        .order_by(Case.id).limit(RETENTION_BATCH)))
    if not case_ids:
        return 0
    messages = session.scalars(select(Message).where(Message.case_id.in_(case_ids))).all()
    _mask_messages(session, messages, drop_identity=False)
    _mask_case_records(session, case_ids=case_ids)
    for case_id in case_ids:
        audit.record(session, actor="system", action=RETENTION_ACTION, entity="case", entity_id=case_id,
                     case_id=case_id, retention_days=days)
    return len(case_ids)


def retention_job(runtime: Runtime) -> int:
    """The worker's periodic job: apply FANGSIANG_RETENTION_DAYS (0 turns it off)."""
    days = runtime.settings.fangsiang_retention_days
    if days <= 0:
        return 0
    with runtime.db.session() as session:
        masked = apply_retention(session, days=days)
    if masked:
        log.info("retention: masked the texts of %d cases closed more than %d days ago", masked, days)
    return masked
