"""A citizen with an open (or lately resolved) case writes again: the same matter (attached, acknowledged at most
every few minutes), a question "เพิ่มเติมเรื่องเดิม / แจ้งเรื่องใหม่" when unsure, reopening when the problem is
back, thanks after resolution — or a new matter."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from classifier.thaiscript import THAI_DIGITS
from agency.vocabulary import OPEN_STATUSES, AuditAction, Status
from cases.service import REOPEN_WINDOW, reopen
from bot import replies
from conversation.acknowledgement import open_and_acknowledge
from bot.postbacks import FollowUpChoice
from conversation.models import VectorDue
from conversation.same_matter import NewMessage, OpenCase, same_matter
from conversation.tickets import Reading
from conversation.turn import Turn, case_facts, owns
from conversation.vectors import words_of
from storage import audit
from storage.models import AuditEvent, Case, Contact, Message, OutboxMessage, Unit, utcnow

FOLLOW_UP_ACK_EVERY = dt.timedelta(minutes=5)  # one "ได้รับข้อมูลเพิ่มเติม" per case in this span
CAROUSEL_CASES = 10


def _message_embedding(message: Message) -> np.ndarray | None:
    if not message.embedding:
        return None
    return np.frombuffer(message.embedding, dtype=np.float16).astype(np.float32)


def _case_embedding(session: Session, case: Case) -> np.ndarray | None:
    first = session.scalars(select(Message).where(Message.case_id == case.id, Message.direction == "in",
                                                  Message.embedding.is_not(None)).order_by(Message.id).limit(1)).first()
    return _message_embedding(first) if first is not None else None


class VectorNeeded(Exception):
    """A follow-up is compared by meaning but its vector was left for later (the citizen's case was opened after the
    first read, by another worker): the caller embeds it with no transaction open and routes the message again."""


@dataclass(frozen=True)
class Compared:
    """What answering a citizen's message must know before it, for a follow-up compared by meaning: whether the
    citizen has cases a new message is compared with (open, or resolved within the reopening window), and the
    opening messages of those cases whose vectors are still due, as (message id, words)."""

    has_cases: bool = False
    due: tuple[tuple[int, str], ...] = ()


def _comparable_cases(session: Session, *, contact_id: int, now: dt.datetime) -> list[int]:
    """The ids of the contact's cases a new message is compared with, newest first."""
    return list(session.scalars(
        select(Case.id).where(Case.contact_id == contact_id,
                              or_(Case.status.in_(OPEN_STATUSES),
                                  and_(Case.status == Status.RESOLVED, Case.resolved_at >= now - REOPEN_WINDOW)))
        .order_by(Case.id.desc()).limit(CAROUSEL_CASES)))


def to_compare(session: Session, *, channel: str, external_id: str) -> Compared:
    """For the short read before a message is understood: the citizen's cases to compare it with, and which of their
    opening messages still lack the vector that comparison needs."""
    contact_id = session.scalar(select(Contact.id).where(Contact.channel == channel, Contact.external_id == external_id))
    case_ids = _comparable_cases(session, contact_id=contact_id, now=utcnow()) if contact_id is not None else []
    if not case_ids:
        return Compared()
    due = select(VectorDue.message_id)
    opening = (select(func.min(Message.id)).where(Message.case_id.in_(case_ids), Message.direction == "in",
                                                  or_(Message.embedding.is_not(None), Message.id.in_(due)))
               .group_by(Message.case_id))
    waiting = session.scalars(select(Message).where(Message.id.in_(opening), Message.id.in_(due)).order_by(Message.id))
    return Compared(has_cases=True, due=tuple((m.id, words_of(m)) for m in waiting))


def _case_the_message_is_about(session: Session, cases: Sequence[Case], message: Message) -> Case:
    """Of the citizen's recent cases, the one this message speaks of: same unit, else most similar, else newest."""
    same_unit = [c for c in cases if message.unit_code and c.unit_code == message.unit_code]
    if len(same_unit) == 1:
        return same_unit[0]
    vector = _message_embedding(message)
    best, best_score = cases[0], -1.0
    if vector is not None:
        for case in same_unit or cases:
            other = _case_embedding(session, case)
            if other is not None and other.shape == vector.shape:
                score = float(np.dot(vector, other) / max(np.linalg.norm(vector) * np.linalg.norm(other), 1e-12))
                if score > best_score:
                    best, best_score = case, score
    return best


def attach(turn: Turn, case: Case, *, chosen: Message | None = None) -> str:
    """Add the message (or the one the citizen chose to add with a button) to the case; a short acknowledgement,
    at most once per few minutes per case unless the citizen pressed the button."""
    now = utcnow()
    added = chosen or turn.message
    added.case_id = case.id
    case.updated_at = now
    audit.record(turn.session, actor="citizen", action=AuditAction.MESSAGE_ADDED, entity="case", entity_id=case.id,
                 case_id=case.id, message_id=added.id, kind=added.kind, chosen=chosen is not None)
    if chosen is not None:
        turn.answer(replies.follow_up_received(ticket=case.ticket), case_id=case.id)
        return "attached"
    told_lately = turn.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.case_id == case.id, OutboxMessage.idempotency_key.like(f"more:{case.id}:%"),
        OutboxMessage.created_at > now - FOLLOW_UP_ACK_EVERY).limit(1))
    if told_lately is None or added.kind == "text":  # a photo burst is told once; every text is answered
        # keyed on the message: a redelivered message is not acknowledged twice
        turn.answer(replies.follow_up_received(ticket=case.ticket), key=f"more:{case.id}:{turn.message.id}",
                    case_id=case.id)
    return "attached"


def follow_up(turn: Turn, reading: Reading, *, vector_due: bool = False) -> str | None:
    """A citizen with an open (or lately resolved) case writes: attach, ask, reopen, thank — or None for new.
    `vector_due`: the message's vector was left for later; VectorNeeded is raised where the comparison needs it."""
    session, contact, message = turn.session, turn.contact, turn.message
    recent = list(session.scalars(select(Case).where(Case.contact_id == contact.id,
                                                     Case.status.in_((*OPEN_STATUSES, Status.RESOLVED)))
                                  .order_by(Case.id.desc()).limit(CAROUSEL_CASES)))
    if not recent:
        return None
    case = recent[0]
    now = utcnow()
    if reading.problem_back:
        if vector_due and len(recent) > 1:
            raise VectorNeeded
        case = _case_the_message_is_about(session, recent, message)
    if case.status == Status.RESOLVED:
        if case.resolved_at is None or now - case.resolved_at > REOPEN_WINDOW:
            return None
        if reading.problem_back:
            reopen(session, case=case, reason="ปัญหากลับมาเกิดขึ้นอีก", now=now)
            message.case_id = case.id
            unit = session.get(Unit, case.unit_code)
            turn.answer(replies.case_reopened(ticket=case.ticket, unit_name=unit.name if unit else case.unit_code),
                        case_id=case.id)
            return "reopened"
        if reading.closing or reading.emoji_only or message.kind == "sticker":
            message.case_id = case.id
            turn.answer(replies.thanks_after_resolution(agency=turn.agency_name), case_id=case.id)
            return "thanked"
        return None  # something new after resolution: a new matter
    if message.kind in ("image", "video", "audio", "file", "location", "sticker") or reading.emoji_only:
        return attach(turn, case)
    if reading.continues or reading.problem_back:
        return attach(turn, case)
    if vector_due:
        raise VectorNeeded
    decision = same_matter(
        case=OpenCase(intent=case.intent, unit=case.unit_code, topics=tuple(case.topics or ()),
                      embedding=_case_embedding(session, case)),
        message=NewMessage(kind=message.kind, text=message.text or "", intent=message.intent, unit=message.unit_code,
                           unit_confidence=message.unit_confidence or 0.0, topics=tuple(message.topics or ()),
                           embedding=_message_embedding(message)),
        reading=reading, triage_unit=turn.runtime.agency.triage_unit,
    )
    if decision.decision == "attach":
        return attach(turn, case)
    if decision.decision == "new":
        return None
    return ask_new_or_follow_up(turn, case=case, waiting=message, reason=decision.reason)


def ask_new_or_follow_up(turn: Turn, *, case: Case, waiting: Message, reason: str, again: bool = False) -> str:
    """Ask "เพิ่มเติมเรื่องเดิม หรือเรื่องใหม่" for the waiting message; the question is kept (audited on the
    contact) so that a typed answer counts as the answer."""
    audit.record(turn.session, actor="system", action=AuditAction.ASKED_NEW_OR_FOLLOW_UP, entity="contact",
                 entity_id=turn.contact.id, case_id=case.id, message_id=waiting.id, reason=reason)
    turn.answer(replies.new_or_follow_up(case=case_facts(turn.session, case), message_id=waiting.id,
                                         signer=turn.signer, again=again))
    return "asked_new_or_follow_up"


CHOICE_WAITS = dt.timedelta(hours=2)  # a typed answer to "เรื่องเดิม / เรื่องใหม่" counts within this span
_NEW_WORDS = re.compile(r"ใหม่|อีกเรื่อง|เรื่องอื่น|คนละเรื่อง|แยกเรื่อง|new", re.IGNORECASE)
_SAME_WORDS = re.compile(r"เดิม|เพิ่มเติม|เรื่องเก่า|เรื่องเดียวกัน|อันเดิม|same", re.IGNORECASE)
_PARTICLES = re.compile(r"ค่ะ|คะ|ครับ|คับ|ค่า|จ้า|นะ|\.")
_LONG_ANSWER = 40  # characters: longer than this is a message of its own, not an answer to the question


def typed_choice(text: str) -> bool | None:
    """The citizen's typed answer to "เพิ่มเติมเรื่องเดิม / แจ้งเรื่องใหม่": True (the same matter), False (a new
    matter), or None when it says neither (the button's words and near spellings count, and the buttons' numbers as
    `fangsiang simulate` and some apps show them: 1 the same, 2 new)."""
    folded = "".join((text or "").split()).replace("เรือง", "เรื่อง").replace("ไหม่", "ใหม่")
    number = _PARTICLES.sub("", folded.translate(THAI_DIGITS))
    if number in ("1", "2"):
        return number == "1"
    new, same = bool(_NEW_WORDS.search(folded)), bool(_SAME_WORDS.search(folded))
    if new == same:
        return None
    return same


def pending_choice(turn: Turn) -> tuple[Case, Message, int, dt.datetime] | None:
    """The "เรื่องเดิม / เรื่องใหม่" question waiting for the citizen: case, message, times asked, when last asked."""
    session = turn.session
    events = list(session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.ASKED_NEW_OR_FOLLOW_UP, AuditEvent.entity == "contact",
                                 AuditEvent.entity_id == str(turn.contact.id),
                                 AuditEvent.at >= utcnow() - CHOICE_WAITS)
        .order_by(AuditEvent.id.desc()).limit(5)))
    if not events:
        return None
    waiting_id = events[0].details.get("message_id")
    waiting = session.get(Message, waiting_id) if waiting_id else None
    case = session.get(Case, events[0].case_id) if events[0].case_id else None
    if waiting is None or case is None or waiting.case_id is not None or waiting.id == turn.message.id:
        return None
    return case, waiting, sum(1 for e in events if e.details.get("message_id") == waiting.id), events[0].at


def choice_waiting_since(turn: Turn) -> dt.datetime | None:
    """When the "เรื่องเดิม / เรื่องใหม่" question still waiting for the citizen was asked (None if none waits)."""
    pending = pending_choice(turn)
    return pending[3] if pending is not None else None


def typed_answer(turn: Turn) -> str | None:
    """A short text answering the waiting "เรื่องเดิม / เรื่องใหม่" question: the choice it types is taken; a
    second unclear answer takes the safe choice (a new case) and says so — the question is never asked a third
    time. None when nothing waits or the text is a message of its own."""
    text = (turn.message.text or "").strip()
    pending = pending_choice(turn)
    if pending is None:
        return None
    case, waiting, asked, _ = pending
    if turn.message.kind != "text" or not text or len(text) > _LONG_ANSWER:
        # The citizen moved on without answering: the waiting message is not left behind (the safe choice, said),
        # then this message is routed as usual.
        turn.answer(replies.opened_as_new(), key=f"opened-new:{waiting.id}")
        open_and_acknowledge(turn, source=waiting)
        return None
    choice = typed_choice(text)
    if choice is True:
        return attach(turn, case, chosen=waiting)
    if choice is False:
        return open_and_acknowledge(turn, source=waiting)
    if asked < 2:
        return ask_new_or_follow_up(turn, case=case, waiting=waiting, reason="unclear_answer", again=True)
    turn.answer(replies.opened_as_new(), key=f"opened-new:{waiting.id}")
    return open_and_acknowledge(turn, source=waiting)


def follow_up_choice(turn: Turn, action: FollowUpChoice) -> str:
    """The citizen's answer to "เพิ่มเติมเรื่องเดิม / แจ้งเรื่องใหม่" for a message still waiting."""
    session = turn.session
    case = session.get(Case, action.case_id)
    pending = session.get(Message, action.message_id)
    if case is None or pending is None or pending.contact_id != turn.contact.id \
            or not owns(session, case=case, contact=turn.contact):
        turn.answer(replies.button_expired(signer=turn.signer))
        return "postback_refused"
    if pending.case_id is not None:
        already = session.get(Case, pending.case_id)
        turn.answer(replies.already_filed(ticket=already.ticket if already else "", signer=turn.signer))
        return "follow_up_done"
    if action.attach:
        return attach(turn, case, chosen=pending)
    return open_and_acknowledge(turn, source=pending)
