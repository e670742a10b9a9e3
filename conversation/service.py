"""The citizen's conversation, run by the worker: status by ticket, new matter or follow-up, the satisfaction survey,
FAQ answers, menus, the privacy notice and the citizen-group question. Every answer goes out through the outbox,
rendered for the citizen's platform (LINE Flex and quick replies, Messenger templates) with a text fallback."""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.thaitime import buddhist_year
from agency.vocabulary import CASE_INTENTS, OPEN_STATUSES, STATUS_NAMES
from bot.outbound import CitizenUnreachable, tell_citizen
from cases.service import REOPEN_WINDOW, open_case, record_praise, reopen, set_citizen_group
from conversation import replies
from conversation.faq import FaqEntry, FaqMatch, FaqMatcher, background_messages, load_faq
from conversation.models import FaqAnswer, FaqRecord, Survey
from conversation.postbacks import (
    FaqFeedback, FollowUpChoice, GroupChoice, MenuChoice, PostbackError, PostbackSigner, StatusRequest, SurveyReason,
    SurveyScore,
)
from conversation.render_facebook import comment_message, messenger_messages
from conversation.render_line import line_messages
from conversation.same_matter import NewMessage, OpenCase, same_matter
from conversation.tickets import Reading, read_message
from storage import audit
from storage.models import Case, Contact, Message, OutboxMessage, Unit, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

FOLLOW_UP_ACK_EVERY = dt.timedelta(minutes=5)  # one "ได้รับข้อมูลเพิ่มเติม" per case in this span
SURVEY_WINDOW = dt.timedelta(days=7)  # answers after this are thanked but not counted
SURVEY_ASK_WITHIN = dt.timedelta(days=3)  # resolved longer ago than this: no survey (the moment has passed)
OTHER_REASON_WINDOW = dt.timedelta(hours=24)  # a free-text reason after "อื่น ๆ" is expected within this
CAROUSEL_CASES = 10
SHIPPED_VECTORS = Path(__file__).parent / "defaults" / "faq-e5.npz"  # git-ignored: built by the first start, shared


# ---------------------------------------------------------------- per-worker state: signer, FAQ matcher


@dataclass
class _State:
    signer: PostbackSigner
    embed_cache: object | None = None
    matcher: FaqMatcher | None = None
    faq_version: tuple = ()
    lock: threading.Lock = field(default_factory=threading.Lock)


_states: dict[int, _State] = {}


def _state(runtime: "Runtime") -> _State:
    """The signer and FAQ matcher of this runtime (built once)."""
    state = _states.get(id(runtime))
    if state is None:
        state = _states.setdefault(id(runtime), _State(signer=signer_for(runtime)))
    return state


def signer_for(runtime: "Runtime") -> PostbackSigner:
    """The postback signer from the settings' secret."""
    return PostbackSigner(secret=runtime.settings.postback_secret)


def embed_texts(runtime: "Runtime", texts: Sequence[str]) -> np.ndarray | None:
    """The classifier room's sentence vectors (cached on disk), or None where the model cannot load."""
    try:
        from classifier.embedding import EmbeddingCache, EmbeddingUnavailable
    except ImportError:
        return None
    state = _state(runtime)
    try:
        with state.lock:
            if state.embed_cache is None:
                path = runtime.settings.fangsiang_embedding_cache or runtime.settings.data_dir / "embeddings.npz"
                cache = EmbeddingCache(path)
                shipped = EmbeddingCache(SHIPPED_VECTORS)  # the default FAQ and its background, embedded once
                cache.vectors = {**shipped.vectors, **cache.vectors}
                state.embed_cache = cache
            cache = state.embed_cache
            vectors = cache.embed(list(texts))  # type: ignore[attr-defined]
        return vectors
    except EmbeddingUnavailable as exc:
        log.warning("no sentence embeddings: %s", exc)
        return None


def save_embedding_cache(runtime: "Runtime") -> None:
    """Keep the vectors embedded so far (the FAQ's variants and background) for the next start."""
    state = _state(runtime)
    if state.embed_cache is not None:
        with state.lock:
            state.embed_cache.save()  # type: ignore[attr-defined]


def _keep_shipped_vectors(state: _State) -> None:
    """Write the default FAQ's and the background's vectors beside the defaults once, for every later start."""
    from classifier.embedding import EmbeddingCache, text_key

    shipped = EmbeddingCache(SHIPPED_VECTORS)
    texts = [q for entry in load_faq() for q in entry.questions] + background_messages()
    if state.embed_cache is None or all(text_key(t) in shipped.vectors for t in texts):
        return
    shipped.vectors = dict(state.embed_cache.vectors)  # type: ignore[attr-defined]
    try:
        shipped.save(keep=texts)
    except OSError as exc:  # a read-only install: every start embeds them again, slower but correct
        log.info("cannot keep the FAQ vectors in %s: %s", SHIPPED_VECTORS, exc)


def faq_entries(session: Session, *, agency_units: Sequence[str] = ()) -> tuple[FaqEntry, ...]:
    """The agency's FAQ from the database; seeded from the shipped defaults the first time."""
    rows = list(session.scalars(select(FaqRecord).order_by(FaqRecord.id)))
    if not rows:
        now = utcnow()
        for entry in load_faq():
            session.add(FaqRecord(id=entry.id, title=entry.title, unit_code=entry.unit, questions=list(entry.questions),
                                  answer=entry.answer, updated_at=now))
        session.flush()
        rows = list(session.scalars(select(FaqRecord).order_by(FaqRecord.id)))
    return tuple(FaqEntry(id=r.id, title=r.title, unit=r.unit_code, questions=tuple(r.questions), answer=r.answer)
                 for r in rows if r.questions)


def matcher_for(runtime: "Runtime", entries: Sequence[FaqEntry]) -> FaqMatcher | None:
    """The FAQ matcher for these entries, rebuilt whenever the agency changed one (None without entries or
    embeddings). Embeds: call it with no transaction open."""
    state = _state(runtime)
    version = tuple((e.id, e.questions, e.answer, e.unit) for e in entries)
    if state.matcher is not None and state.faq_version == version:
        return state.matcher
    if not entries:
        return None

    def embed(texts: Sequence[str]) -> np.ndarray:
        vectors = embed_texts(runtime, texts)
        if vectors is None:
            raise LookupError("no embeddings")
        return vectors

    try:
        matcher = FaqMatcher(entries, embed=embed)
    except LookupError:
        return None
    save_embedding_cache(runtime)
    _keep_shipped_vectors(state)
    state.matcher, state.faq_version = matcher, version
    return matcher


# ---------------------------------------------------------------- saying something to the citizen


def rendered(reply: replies.Reply, *, channel: str) -> list[dict]:
    """The reply as the platform's own message objects."""
    if channel == "line":
        return line_messages(reply)
    if channel == "facebook":
        return messenger_messages(reply)
    return []


def say(session: Session, *, contact: Contact, answers: Sequence[replies.Reply], key: str,
        message: Message | None = None, case_id: int | None = None) -> bool:
    """Queue one or more replies as one outbox message (one LINE reply token); False if unreachable or said."""
    answers = [a for a in answers if a is not None]
    if not answers:
        return False
    if contact.channel == "facebook_comment":
        text = "\n\n".join(comment_message(a) for a in answers)
        objects: list[dict] = []
    else:
        text = "\n\n".join(a.text for a in answers)
        objects = [obj for a in answers for obj in rendered(a, channel=contact.channel)]
    try:
        sent = tell_citizen(session, contact=contact, text=text, key=key, case_id=case_id,
                            reply_token=message.reply_token if message is not None else None,
                            thread_ref=message.thread_ref if message is not None else None,
                            rendered=objects[:5] or None)
    except CitizenUnreachable:
        log.info("not messaging contact %s: unreachable on %s", contact.id, contact.channel)
        return False
    return sent is not None


def case_facts(session: Session, case: Case) -> replies.CaseFacts:
    """What the citizen may know of their own case."""
    unit = session.get(Unit, case.unit_code)
    last = session.scalars(
        select(Message).where(Message.case_id == case.id, Message.direction == "out",
                              Message.author_user_id.is_not(None)).order_by(Message.id.desc()).limit(1)
    ).first()
    return replies.CaseFacts(
        case_id=case.id, ticket=case.ticket, unit_name=unit.name if unit else case.unit_code,
        status_name=STATUS_NAMES.get(case.status, case.status), is_open=case.status in OPEN_STATUSES,
        due_at=case.due_at if case.status in OPEN_STATUSES else None, subject=replies.clip(case.summary or "", 80),
        last_officer_reply=last.text if last else None, last_officer_reply_at=last.sent_at if last else None,
    )


def owns(session: Session, *, case: Case, contact: Contact) -> bool:
    """True if this contact filed the case (the same channel user)."""
    if case.contact_id == contact.id:
        return True
    owner = session.get(Contact, case.contact_id)
    return owner is not None and owner.external_id == contact.external_id and \
        {owner.channel, contact.channel} <= {"facebook", "facebook_comment"}


# ---------------------------------------------------------------- the conversation of one event


@dataclass
class Turn:
    """One citizen event being answered: who, what, and what we say before the answer (the privacy notice)."""

    runtime: "Runtime"
    session: Session
    message: Message
    contact: Contact
    preface: list[replies.Reply] = field(default_factory=list)

    @property
    def signer(self) -> PostbackSigner:
        return _state(self.runtime).signer

    @property
    def agency_name(self) -> str:
        return self.runtime.agency.short_name

    def answer(self, *answers: replies.Reply, key: str | None = None, case_id: int | None = None) -> bool:
        """Say the preface (once) and the answers, keyed on this message unless told otherwise."""
        sent = say(self.session, contact=self.contact, answers=[*self.preface, *answers],
                   key=key or f"answer:{self.message.id}", message=self.message, case_id=case_id)
        if sent and self.preface:  # the privacy notice is recorded as given only once it is on its way
            self.contact.privacy_notice_at = utcnow()
            audit.record(self.session, actor="system", action="privacy_notice_sent", entity="contact",
                         entity_id=self.contact.id)
            self.preface.clear()
        return sent

    def menu(self) -> tuple[replies.QuickReply, ...]:
        return replies.menu_quick_replies(signer=self.signer)


def first_contact(turn: Turn) -> None:
    """The one-time PDPA notice with the agency's privacy-policy link, said before the first answer that goes out
    (and recorded then: a turn that answers nothing leaves it for the next)."""
    contact = turn.contact
    url = turn.runtime.agency.privacy_policy_url
    if contact.privacy_notice_at is not None or not url or contact.channel == "facebook_comment":
        return
    turn.preface.append(replies.privacy_notice(agency=turn.runtime.agency.name, policy_url=url))


def welcome(turn: Turn) -> str:
    """A follow (or Get Started): the notice, a welcome and the menu."""
    turn.answer(replies.Reply(text=(f"ขอบคุณที่เพิ่ม {turn.agency_name} เป็นเพื่อนค่ะ แจ้งเรื่องร้องเรียน สอบถาม หรือเสนอแนะ "
                                    "ได้ที่แชทนี้ตลอด 24 ชั่วโมง เจ้าหน้าที่จะตอบกลับในวันและเวลาราชการค่ะ"),
                              quick_replies=turn.menu()), key=f"welcome:{turn.message.id}")
    return "follow"


# ---- postbacks


def answer_postback(turn: Turn) -> str:
    """A button the citizen tapped: checked (signature, age, shape) and acted on for the right citizen only."""
    try:
        received = turn.signer.read(turn.message.text or "")
    except PostbackError as exc:
        log.info("postback refused (%s) from contact %s", exc.reason, turn.contact.id)
        audit.record(turn.session, actor="citizen", action="postback_refused", entity="contact",
                     entity_id=turn.contact.id, reason=exc.reason)
        turn.answer(replies.button_expired(signer=turn.signer))
        return f"postback_{exc.reason}"
    action = received.action
    if isinstance(action, MenuChoice):
        return menu_choice(turn, action.item)
    if isinstance(action, StatusRequest):
        case = turn.session.get(Case, action.case_id)
        if case is None or not owns(turn.session, case=case, contact=turn.contact):
            turn.answer(replies.no_open_cases(signer=turn.signer))
            return "status_refused"
        turn.answer(replies.status_answer(case=case_facts(turn.session, case), signer=turn.signer))
        return "status"
    if isinstance(action, SurveyScore):
        return survey_score(turn, action)
    if isinstance(action, SurveyReason):
        return survey_reason(turn, action)
    if isinstance(action, FollowUpChoice):
        return follow_up_choice(turn, action)
    if isinstance(action, FaqFeedback):
        return faq_feedback(turn, action)
    if isinstance(action, GroupChoice):
        return group_choice(turn, action)
    turn.answer(replies.button_expired(signer=turn.signer))
    return "postback_unknown"


def menu_choice(turn: Turn, item: str) -> str:
    """A rich-menu / persistent-menu item."""
    if item == "status":
        return answer_status(turn, Reading(asks_status=True))
    if item == "report":
        turn.answer(replies.report_prompt())
    elif item == "faq":
        topics = [(e.title, e.questions[0]) for e in faq_entries(turn.session)[:8]]
        turn.answer(replies.faq_prompt(topics=topics, signer=turn.signer))
    elif item == "contact":
        turn.answer(replies.contact_officer(agency=turn.agency_name, phone=turn.runtime.agency.phone,
                                            signer=turn.signer))
    else:
        return welcome(turn)
    return f"menu_{item}"


# ---- status by ticket


def answer_status(turn: Turn, reading: Reading) -> str:
    """The status of the case the citizen names (theirs only), or of their open cases; never opens a case."""
    session, contact = turn.session, turn.contact
    if reading.tickets:
        for ticket in reading.tickets:
            case = session.scalars(select(Case).where(Case.ticket == ticket)).first()
            if case is None or not owns(session, case=case, contact=contact):
                # The same words for a ticket that does not exist and one that is someone else's: nothing leaks.
                audit.record(session, actor="citizen", action="status_refused", entity="contact", entity_id=contact.id,
                             ticket=ticket, known=case is not None)
                turn.answer(replies.ticket_unknown(ticket=ticket, signer=turn.signer))
                return "status_unknown"
        case = session.scalars(select(Case).where(Case.ticket == reading.tickets[0])).one()
        turn.message.case_id = case.id
        turn.answer(replies.status_answer(case=case_facts(session, case), signer=turn.signer), case_id=case.id)
        return "status"
    cases = list(session.scalars(
        select(Case).where(Case.contact_id == contact.id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id.desc()).limit(CAROUSEL_CASES)))
    if not cases:
        turn.answer(replies.no_open_cases(signer=turn.signer))
        return "status_none"
    if len(cases) == 1:
        turn.answer(replies.status_answer(case=case_facts(session, cases[0]), signer=turn.signer), case_id=cases[0].id)
        return "status"
    turn.answer(replies.pick_case(cases=[case_facts(session, c) for c in cases], signer=turn.signer))
    return "status_pick"


# ---- satisfaction survey


def ask_surveys(runtime: "Runtime", *, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Ask the citizen of each newly resolved case to rate the service (one survey per case); returns how many."""
    now = now or utcnow()
    asked = 0
    with runtime.db.session() as session:
        cases = list(session.scalars(
            select(Case).outerjoin(Survey, Survey.case_id == Case.id)
            .where(Case.status == "resolved", Case.resolved_at >= now - SURVEY_ASK_WITHIN, Survey.id.is_(None),
                   Case.intent != "praise", Case.channel.in_(("line", "facebook", "facebook_comment")))
            .order_by(Case.id).limit(limit)))
        signer = _state(runtime).signer
        for case in cases:
            contact = session.get(Contact, case.contact_id)
            if contact is None:
                continue
            target = contact
            if contact.channel == "facebook_comment":
                # Public comments stay short: the survey goes to Messenger when the citizen is known there.
                target = session.scalars(select(Contact).where(Contact.channel == "facebook",
                                                               Contact.external_id == contact.external_id)).first()
            session.add(Survey(case_id=case.id, channel=case.channel, asked_at=now))
            session.flush()
            if target is None:
                continue
            said = say(session, contact=target, key=f"survey:{case.id}", case_id=case.id,
                       answers=[replies.survey_question(case=case_facts(session, case), signer=signer)])
            audit.record(session, actor="system", action="survey_asked", entity="case", entity_id=case.id,
                         case_id=case.id, sent=said)
            asked += 1
    return asked


def _survey_for(turn: Turn, case_id: int) -> tuple[Case | None, Survey | None]:
    """The case and its survey, only if the tapping citizen filed it."""
    case = turn.session.get(Case, case_id)
    if case is None or not owns(turn.session, case=case, contact=turn.contact):
        return None, None
    return case, turn.session.scalars(select(Survey).where(Survey.case_id == case.id)).first()


def survey_score(turn: Turn, action: SurveyScore) -> str:
    """A score 1–5: stored once; 1–2 asks why."""
    case, survey = _survey_for(turn, action.case_id)
    if case is None:
        audit.record(turn.session, actor="citizen", action="survey_refused", entity="contact",
                     entity_id=turn.contact.id, case_id=None, reason="not_owner")
        turn.answer(replies.button_expired(signer=turn.signer))
        return "survey_refused"
    now = utcnow()
    if survey is None or survey.score is not None or now - survey.asked_at > SURVEY_WINDOW:
        turn.answer(replies.survey_closed(ticket=case.ticket))
        return "survey_closed"
    survey.score, survey.answered_at = action.score, now
    turn.message.case_id = case.id
    audit.record(turn.session, actor="citizen", action="survey_answered", entity="case", entity_id=case.id,
                 case_id=case.id, score=action.score, channel=survey.channel)
    if action.score <= 2:
        turn.answer(replies.survey_reason_question(case_id=case.id, ticket=case.ticket, signer=turn.signer),
                    case_id=case.id)
    else:
        turn.answer(replies.survey_thanks(score=action.score), case_id=case.id)
    return "survey_score"


def survey_reason(turn: Turn, action: SurveyReason) -> str:
    """Why a low score: stored; "ยังไม่ได้รับการแก้ไข" reopens the case and tells the unit; "อื่น ๆ" asks in words."""
    case, survey = _survey_for(turn, action.case_id)
    if case is None:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "survey_refused"
    now = utcnow()
    if survey is None or survey.score is None or survey.score > 2 or survey.reason is not None \
            or now - survey.asked_at > SURVEY_WINDOW:
        turn.answer(replies.survey_closed(ticket=case.ticket))
        return "survey_closed"
    survey.reason = action.reason
    turn.message.case_id = case.id
    audit.record(turn.session, actor="citizen", action="survey_reason", entity="case", entity_id=case.id,
                 case_id=case.id, reason=action.reason)
    if action.reason == "other":
        turn.answer(replies.survey_other_reason_prompt(), case_id=case.id)
        return "survey_reason"
    reopened_unit = None
    if action.reason == "unresolved" and case.status == "resolved":
        reopen(turn.session, case=case, reason="ยังไม่ได้รับการแก้ไข (แบบประเมินความพึงพอใจ)", now=now)
        unit = turn.session.get(Unit, case.unit_code)
        reopened_unit = unit.name if unit else case.unit_code
    turn.answer(replies.survey_thanks(score=survey.score, reopened_unit=reopened_unit), case_id=case.id)
    return "survey_reopened" if reopened_unit else "survey_reason"


def survey_free_text(turn: Turn) -> str | None:
    """The citizen's own words after choosing "อื่น ๆ" (stored once), or None if no such question is pending."""
    text = (turn.message.text or "").strip()
    if turn.message.kind != "text" or not text:
        return None
    survey = turn.session.scalars(
        select(Survey).join(Case, Case.id == Survey.case_id)
        .where(Case.contact_id == turn.contact.id, Survey.reason == "other", Survey.free_text.is_(None),
               Survey.answered_at >= utcnow() - OTHER_REASON_WINDOW)
        .order_by(Survey.id.desc()).limit(1)).first()
    if survey is None:
        return None
    survey.free_text = text[:1000]
    turn.message.case_id = survey.case_id
    audit.record(turn.session, actor="citizen", action="survey_comment", entity="case", entity_id=survey.case_id,
                 case_id=survey.case_id, message_id=turn.message.id)
    turn.answer(replies.survey_thanks(score=survey.score or 1), case_id=survey.case_id)
    return "survey_comment"


def satisfaction(session: Session, *, case_id: int) -> dict | None:
    """The case's survey answer for the API and the case page: {"score", "reason", "answered_at"}, or None."""
    survey = session.scalars(select(Survey).where(Survey.case_id == case_id)).first()
    if survey is None or survey.score is None:
        return None
    return {"score": survey.score, "reason": survey.reason, "free_text": survey.free_text,
            "answered_at": survey.answered_at}


# ---- follow-up, new matter, after resolution


def _message_embedding(message: Message) -> np.ndarray | None:
    if not message.embedding:
        return None
    return np.frombuffer(message.embedding, dtype=np.float16).astype(np.float32)


def _case_embedding(session: Session, case: Case) -> np.ndarray | None:
    first = session.scalars(select(Message).where(Message.case_id == case.id, Message.direction == "in",
                                                  Message.embedding.is_not(None)).order_by(Message.id).limit(1)).first()
    return _message_embedding(first) if first is not None else None


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
    audit.record(turn.session, actor="citizen", action="message_added", entity="case", entity_id=case.id,
                 case_id=case.id, message_id=added.id, kind=added.kind, chosen=chosen is not None)
    if chosen is not None:
        turn.answer(replies.follow_up_received(ticket=case.ticket), case_id=case.id)
        return "attached"
    told_lately = turn.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.case_id == case.id, OutboxMessage.idempotency_key.like(f"more:{case.id}:%"),
        OutboxMessage.created_at > now - FOLLOW_UP_ACK_EVERY).limit(1))
    if told_lately is None:  # keyed on the message: a redelivered message is not acknowledged twice
        turn.answer(replies.follow_up_received(ticket=case.ticket), key=f"more:{case.id}:{turn.message.id}",
                    case_id=case.id)
    return "attached"


def follow_up(turn: Turn, reading: Reading) -> str | None:
    """A citizen with an open (or lately resolved) case writes: attach, ask, reopen, thank — or None for new."""
    session, contact, message = turn.session, turn.contact, turn.message
    recent = list(session.scalars(select(Case).where(Case.contact_id == contact.id,
                                                     Case.status.in_((*OPEN_STATUSES, "resolved")))
                                  .order_by(Case.id.desc()).limit(CAROUSEL_CASES)))
    if not recent:
        return None
    case = recent[0]
    now = utcnow()
    if reading.problem_back:
        case = _case_the_message_is_about(session, recent, message)
    if case.status == "resolved":
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
    audit.record(session, actor="system", action="asked_new_or_follow_up", entity="case", entity_id=case.id,
                 case_id=case.id, message_id=message.id, reason=decision.reason)
    turn.answer(replies.new_or_follow_up(case=case_facts(session, case), message_id=message.id, signer=turn.signer))
    return "asked_new_or_follow_up"


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
        turn.answer(replies.Reply(text=f"ข้อความนี้บันทึกไว้ในเรื่องเลขที่ {already.ticket if already else ''} แล้วค่ะ",
                                  quick_replies=turn.menu()))
        return "follow_up_done"
    if action.attach:
        return attach(turn, case, chosen=pending)
    return open_and_acknowledge(turn, source=pending)


# ---- opening a case


def open_and_acknowledge(turn: Turn, *, source: Message | None = None, intent: str | None = None,
                         unit: str | None = None) -> str:
    """Open a case for the (classified) message with its own routing, and answer with the case card."""
    runtime, session = turn.runtime, turn.session
    source = source or turn.message
    if intent:
        source.intent = intent
    if unit and not source.unit_code:
        source.unit_code = unit
    now = utcnow()
    case = open_case(session, contact=turn.contact, message=source, agency=runtime.agency,
                     calendar=runtime.calendar, now=now)
    if case.intent == "praise":
        record_praise(session, case=case, now=now)
    facts = case_facts(session, case)
    if turn.contact.channel == "facebook_comment":
        answer = replies.comment_reply(agency=turn.agency_name,
                                       ticket=None if case.intent == "praise" else case.ticket)
    else:
        standard = runtime.agency.standard(case.intent)
        answer = replies.case_acknowledgement(case=facts, intent=case.intent, respond_days=standard.respond_days,
                                              agency=turn.agency_name, phone=runtime.agency.phone, signer=turn.signer)
    turn.answer(answer, key=f"ack:{case.id}", case_id=case.id)
    ask_group(turn)
    return "opened"


def ask_group(turn: Turn) -> None:
    """The optional citizen-group question, once per citizen (groups from the agency config)."""
    groups = turn.runtime.agency.citizen_groups
    if not groups or turn.contact.citizen_group or turn.contact.channel == "facebook_comment":
        return
    options = [(f"g{index}", name) for index, name in enumerate(groups)]
    say(turn.session, contact=turn.contact, key=f"group:{turn.contact.id}",
        answers=[replies.group_question(groups=options, signer=turn.signer)])


def group_choice(turn: Turn, action: GroupChoice) -> str:
    """The citizen's group (or "ไม่ขอระบุ"), kept on the contact and their open cases."""
    try:
        group = replies.group_named(action.group, turn.runtime.agency.citizen_groups)
    except ValueError:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "postback_refused"
    if group is not None:
        set_citizen_group(turn.session, group=group, agency=turn.runtime.agency, actor="citizen", now=utcnow(),
                          contact=turn.contact)
    turn.answer(replies.group_thanks())
    return "group"


# ---- FAQ


def may_answer_from_faq(*, kind: str, text: str, channel: str, intent: str | None) -> bool:
    """True if a ready FAQ answer may answer this message (a private text the classifier did not call a case)."""
    return kind == "text" and bool(text.strip()) and channel != "facebook_comment" and \
        intent in ("question", "other", "suggestion", None)


def answer_faq(turn: Turn, *, found: FaqMatch | None) -> str | None:
    """A question the agency has a ready answer for (`found`, matched before the transaction): answered at once,
    no case (None when no confident match)."""
    message = turn.message
    if not may_answer_from_faq(kind=message.kind, text=message.text or "", channel=message.channel,
                               intent=message.intent):
        return None
    if found is None or not found.confident or found.entry is None:
        return None
    turn.session.add(FaqAnswer(message_id=message.id, contact_id=turn.contact.id, entry_id=found.entry.id,
                               score=float(found.score), answered_at=utcnow()))
    audit.record(turn.session, actor="system", action="faq_answered", entity="message", entity_id=message.id,
                 entry=found.entry.id, score=float(found.score))
    turn.answer(replies.faq_answer(entry_id=found.entry.id, answer=found.entry.answer, signer=turn.signer))
    return "faq"


def faq_feedback(turn: Turn, action: FaqFeedback) -> str:
    """After an FAQ answer: "ได้คำตอบแล้ว" closes the matter; "ต้องการสอบถามเจ้าหน้าที่" opens a question case."""
    answered = turn.session.scalars(
        select(FaqAnswer).where(FaqAnswer.contact_id == turn.contact.id, FaqAnswer.entry_id == action.entry_id)
        .order_by(FaqAnswer.id.desc()).limit(1)).first()
    if answered is None:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "postback_refused"
    if answered.outcome is not None:
        if answered.case_id is not None:
            case = turn.session.get(Case, answered.case_id)
            turn.answer(replies.status_answer(case=case_facts(turn.session, case), signer=turn.signer))
        else:
            turn.answer(replies.faq_resolved())
        return "faq_done"
    answered.outcome = action.outcome
    if action.outcome == "resolved":
        turn.answer(replies.faq_resolved())
        return "faq_resolved"
    question = turn.session.get(Message, answered.message_id)
    entry = turn.session.get(FaqRecord, answered.entry_id)
    if question is None or question.case_id is not None:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "postback_refused"
    outcome = open_and_acknowledge(turn, source=question, intent="question",
                                   unit=entry.unit_code if entry is not None else None)
    answered.case_id = question.case_id
    return outcome


# ---- anything else


def gentle(turn: Turn) -> str:
    """Nothing to act on (a greeting, an emoji, a sticker): what the chat is for, with the menu."""
    if turn.contact.channel == "facebook_comment":
        return "no_case"
    day = utcnow().date().isoformat()
    key = f"prompt:{turn.message.id}" if turn.message.kind == "text" else f"prompt:{turn.contact.id}:{day}"
    turn.answer(replies.gentle_prompt(agency=turn.agency_name, signer=turn.signer), key=key)
    return "no_case"


def read(turn: Turn) -> Reading:
    """The conversational cues in the turn's message."""
    return reading_of(turn.runtime, text=turn.message.text or "", kind=turn.message.kind, sent_at=turn.message.sent_at)


def reading_of(runtime: "Runtime", *, text: str, kind: str, sent_at: dt.datetime | None) -> Reading:
    """The conversational cues in a message (tickets in any spelling, status, thanks, new matter, problem back)."""
    return read_message(text, kind=kind, prefix=runtime.agency.ticket_prefix,
                        default_year_be=buddhist_year(sent_at or utcnow()))  # "FS-123": this year's


def is_case_intent(intent: str | None) -> bool:
    """True if the classifier's intent opens a case."""
    return intent in CASE_INTENTS
