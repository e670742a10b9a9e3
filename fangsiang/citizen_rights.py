"""Citizens' PDPA rights and the retention period: personal data replaced by its masked form, counts kept, audited.

`erase_citizen` answers a citizen's request to erase: every word the citizen wrote or was written (their messages,
the officers' replies and notes on their cases, corrections, the outbox, raw events, history notes, survey comments)
is replaced by ERASED_TEXT, and ids, names, phone, places and photos are dropped; `erase_and_scrub` also refreshes the
analytics rows of those days and leaves no old copy in the database files (SQLite: the file and its WAL; PostgreSQL:
the dead row versions, vacuumed);
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

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from agency.vocabulary import OPEN_STATUSES
from cases.access import OFFICERS_TEXT
from classifier.privacy import mask_personal_data
from conversation.models import MediaFile, Survey
from conversation.vectors import forget_due
from places.models import CasePlace
from reports.models import CaseFacts, ReportCache
from storage import audit
from storage.models import (
    AuditEvent,
    Case,
    CaseNote,
    Contact,
    Correction,
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
PERSONAL_DETAILS = OFFICERS_TEXT  # officers' free text in a case's history
ERASED_TEXT = "[ลบข้อมูลตามคำขอของเจ้าของข้อมูล]"
# Every table erase_citizen updates: the old row versions (the citizen's words) are vacuumed away afterwards.
ERASED_TABLES = tuple(model.__tablename__ for model in (Message, InboundEvent, OutboxMessage, Contact, Case, CasePlace,
                                                        CaseNote, Correction, AuditEvent, Survey, MediaFile,
                                                        CaseFacts, ReportCache))
ERASED_DETAILS = (*OFFICERS_TEXT, "text", "comment", "title", "name", "phone", "address")  # history free text


class CitizenNotFound(LookupError):
    """Nothing stored for this channel and user id."""


def _channels(channel: str) -> tuple[str, ...]:
    """The stored channels a citizen's id belongs to (Facebook's Messenger and comments share the word)."""
    return ("facebook", "facebook_comment") if channel == "facebook" else (channel,)


def _mask_messages(session: Session, messages: Iterable[Message]) -> int:
    """Texts replaced by their masked form, the raw events and text vectors dropped (the retention period)."""
    count = 0
    event_ids: list[int] = []
    message_ids: list[int] = []
    for message in messages:
        masked = mask_personal_data(message.text or "")
        message.text = masked
        if message.direction == "in":
            message.masked_text = masked
        message.embedding = None  # a vector of the raw words
        message_ids.append(message.id)
        if message.inbound_event_id is not None:
            event_ids.append(message.inbound_event_id)
        count += 1
    forget_due(session, message_ids=message_ids)  # nor computed later by the worker's vector job
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


def _erase_messages(session: Session, messages: Iterable[Message]) -> int:
    """The citizen's messages and the replies to them: words, ids, names, places and photos gone; counts kept."""
    count = 0
    event_ids: list[int] = []
    message_ids: list[int] = []
    for message in messages:
        message.text = ERASED_TEXT
        message.masked_text = ERASED_TEXT if message.direction == "in" else None
        message.embedding = None
        message_ids.append(message.id)
        message.sender_id = message.sender_name = message.reply_token = message.external_id = None
        message.thread_ref = message.location = None
        message.topics = []  # phrases of the citizen's own words (places, house numbers)
        message.attachments = [{"type": a.get("type", "file"), "erased": True}
                               for a in message.attachments or () if isinstance(a, dict)]
        if message.inbound_event_id is not None:
            event_ids.append(message.inbound_event_id)
        count += 1
    forget_due(session, message_ids=message_ids)  # never embedded afterwards by the worker's vector job
    for event in session.scalars(select(InboundEvent).where(InboundEvent.id.in_(event_ids))) if event_ids else ():
        event.payload = {"erased": True, "type": (event.payload or {}).get("type")}
    return count


def _erase_case_records(session: Session, *, case_ids: list[int], message_ids: list[int],
                        now: dt.datetime) -> dict[str, int]:
    """Everything written about these cases: summaries, notes, corrections, history free text, survey comments."""
    counts = {"cases": 0, "notes": 0, "corrections": 0, "history": 0, "surveys": 0, "addresses": 0}
    for case in session.scalars(select(Case).where(Case.id.in_(case_ids))) if case_ids else ():
        case.summary, case.topics, case.updated_at = ERASED_TEXT, [], now  # updated: the rollups redo its days
        counts["cases"] += 1
    if case_ids:  # the report's per-case facts hold topic phrases (recomputed from the erased case by the facts job);
        # a kept report may hold them too: every kept report is built again
        session.execute(delete(CaseFacts).where(CaseFacts.case_id.in_(case_ids)))
        session.execute(delete(ReportCache))
    for place in session.scalars(select(CasePlace).where(CasePlace.case_id.in_(case_ids),
                                                         CasePlace.address.is_not(None))) if case_ids else ():
        place.address = None  # the point stays (where the problem is); the words LINE gave may name the citizen
        counts["addresses"] += 1
    for note in session.scalars(select(CaseNote).where(CaseNote.case_id.in_(case_ids))) if case_ids else ():
        note.text = ERASED_TEXT
        counts["notes"] += 1
    about = [Correction.case_id.in_(case_ids)] if case_ids else []
    if message_ids:
        about.append(Correction.message_id.in_(message_ids))
    for correction in session.scalars(select(Correction).where(or_(*about))) if about else ():
        correction.text = ERASED_TEXT
        counts["corrections"] += 1
    for event in session.scalars(select(AuditEvent).where(AuditEvent.case_id.in_(case_ids))) if case_ids else ():
        if any(event.details.get(key) for key in ERASED_DETAILS):
            event.details = {**event.details, **{key: ERASED_TEXT for key in ERASED_DETAILS if event.details.get(key)}}
            counts["history"] += 1
    for survey in session.scalars(select(Survey).where(Survey.case_id.in_(case_ids),
                                                       Survey.free_text.is_not(None))) if case_ids else ():
        survey.free_text = ERASED_TEXT
        counts["surveys"] += 1
    return counts


def erase_citizen(session: Session, *, channel: str, user_id: str, actor: str, data_dir: Path) -> dict[str, Any]:
    """A citizen's erasure request: every text of theirs and about them replaced, ids, names, places and photos
    dropped, nothing more sent to them; cases, messages and surveys stay as rows, so the counts do not change."""
    channels = _channels(channel)
    now = utcnow()
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
        media.path, media.source, media.status, media.last_error = None, "erased", "erased", None
    sent_to = [(OutboxMessage.channel.in_(channels)) & (OutboxMessage.recipient == user_id)]
    if case_ids:
        sent_to.append(OutboxMessage.case_id.in_(case_ids))
    if message_ids:
        sent_to.append(OutboxMessage.message_id.in_(message_ids))
    outgoing_count = 0
    for outgoing in session.scalars(select(OutboxMessage).where(or_(*sent_to))):
        if outgoing.status in ("pending", "sending"):
            outgoing.status = "dead"  # nothing more is sent to an id the citizen asked us to forget
        outgoing.recipient, outgoing.payload = f"erased-{outgoing.id}", {"text": ERASED_TEXT}
        outgoing.reply_token = outgoing.thread_ref = outgoing.last_error = None
        outgoing_count += 1
    counts: dict[str, Any] = {"messages": _erase_messages(session, messages),
                              **_erase_case_records(session, case_ids=case_ids, message_ids=message_ids, now=now),
                              "outbox": outgoing_count, "photos_deleted": photos}
    for contact in contacts:
        contact.external_id = f"erased-{contact.id}"
        contact.display_name = contact.phone = None
        audit.record(session, actor=actor, action="citizen_erased", entity="contact", entity_id=contact.id,
                     **counts)
    for event in session.scalars(select(AuditEvent).where(AuditEvent.entity == "contact",
                                                          AuditEvent.entity_id.in_([str(i) for i in contact_ids]),
                                                          AuditEvent.action != "citizen_erased")) if contact_ids else ():
        event.details = {key: value for key, value in event.details.items() if not isinstance(value, str)}
    if not contacts:
        audit.record(session, actor=actor, action="citizen_erased", entity="messages", entity_id=channel, **counts)
    return counts


def erase_and_scrub(runtime: "Runtime", *, channel: str, user_id: str, actor: str) -> dict[str, Any]:
    """`erase_citizen` in one transaction, the dashboard's rows of those days recomputed, then no copy left in the
    database files (SQLite: secure_delete zeroes freed space, the WAL is checkpointed and truncated; PostgreSQL: the
    erased tables are vacuumed, which removes the old row versions the updates left behind)."""
    from analytics.rollups import update_rollups

    with runtime.db.session() as session:
        counts = erase_citizen(session, channel=channel, user_id=user_id, actor=actor,
                               data_dir=runtime.settings.data_dir)
        runtime.db.report_statistics(session)
    with runtime.db.session() as session:
        update_rollups(session, calendar=runtime.calendar)
    runtime.db.scrub(tables=ERASED_TABLES)
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
    _mask_messages(session, messages)
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
