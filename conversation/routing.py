"""Where a citizen's message goes: the one decision, from a follow or a tapped button to a status question, a survey
answer, a follow-up, a ready FAQ answer, a new case or a gentle prompt.

A message is handled in three steps so that no database transaction waits on the classifier: a short read (the
message, skipped when already processed, and whether its citizen has cases it will be compared with), the slow work
with no transaction open (classification; sentence vectors only where that comparison needs them), then one short
write transaction that checks again, under the row lock, that no other worker got there first. The FAQ match is slow
too: when the route reaches it, the write is rolled back, the question matched with no transaction open, and the
write done again with the match; so is a follow-up whose citizen's case was opened meanwhile (by another worker) and
whose vector was left for later. Every other message's vector is computed after its answer (`conversation.vectors`)."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

import classifier
from agency.vocabulary import CASE_INTENTS, AuditAction, Channel, Intent
from bot import replies
from conversation.acknowledgement import group_choice, open_and_acknowledge
from conversation.faq import FaqMatch
from conversation.faq_answers import (
    answer_faq, faq_entries, faq_feedback, matcher_for, may_answer_from_faq, stored_faq_entries,
)
from conversation.follow_up import (
    Compared, VectorNeeded, choice_waiting_since, follow_up, follow_up_choice, to_compare, typed_answer, typed_choice,
)
from conversation.media import note_media
from bot.postbacks import (
    FaqFeedback, FollowUpChoice, GroupChoice, MenuChoice, PostbackError, StatusRequest, SurveyReason, SurveyScore,
    is_postback_data,
)
from conversation.small_talk import says_nothing, small_talk
from conversation.status import answer_picked, answer_status
from conversation.surveys import (
    survey_free_text, survey_reason, survey_score, survey_typed, survey_waiting_since, typed_score,
)
from conversation.tickets import Reading
from conversation.turn import Turn, first_contact, read, reading_of
from conversation.vectors import mark_due, message_vectors, store_vector
from storage import audit
from storage.contacts import get_or_create_contact
from storage.models import Contact, Message, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from runtime import Runtime

log = logging.getLogger(__name__)


def prepare(runtime: "Runtime") -> None:
    """Build what answering needs before the first citizen writes (the FAQ matcher and its vectors, the words that
    cut quick-reply labels)."""
    with runtime.db.session() as session:
        entries = faq_entries(session)
    matcher_for(runtime, entries)
    replies.load_words()


@dataclass(frozen=True)
class Understood:
    """What was worked out of a message with no transaction open: its cues, the classifier's labels and vector
    (`vector_due`: left for the vector job), the vectors of the citizen's cases' opening messages that a follow-up
    is compared with, and (once the route asked for it) the FAQ entry it asks; each None when the route does not
    need it."""

    reading: Reading | None = None
    prediction: classifier.Prediction | None = None
    vector: np.ndarray | None = None
    words: str = ""  # what the vector is computed from: the classifier's masked text, else the text
    vector_due: bool = False
    case_vectors: tuple[tuple[int, str, np.ndarray], ...] = ()
    faq: FaqMatch | None = None
    faq_matched: bool = False


class _FaqMatchNeeded(Exception):
    """The route reached the FAQ step: match the question with no transaction open, then route again."""


def handle_message(runtime: "Runtime", *, message_id: int) -> str:
    """Answer one stored citizen message exactly once; returns what was done (for metrics and logs)."""
    with runtime.db.read_session() as session:  # a short read (no write lock): nothing slow happens while it is open
        message = session.get(Message, message_id)
        if message is None or message.direction != "in" or message.processed_at is not None:
            return "skipped"
        kind, channel, text, sent_at = _kind(message), message.channel, message.text or "", message.sent_at
        sender = message.sender_id or ""
        entries = stored_faq_entries(session) if kind == "text" and channel != Channel.FACEBOOK_COMMENT else ()
        compared = (to_compare(session, channel=channel, external_id=sender)
                    if kind not in _NO_WORDS and channel != Channel.FACEBOOK_COMMENT else Compared())
    if entries is None:  # the FAQ was never seeded (or all of it deleted): seeded from the defaults, as always
        with runtime.db.session() as session:
            entries = faq_entries(session)
    understood = _embedded(_understand(runtime, kind=kind, channel=channel, text=text, sent_at=sent_at), compared)
    while True:
        try:
            return _answer(runtime, message_id=message_id, understood=understood)
        except _FaqMatchNeeded:  # rolled back: nothing was stored or said
            matcher = matcher_for(runtime, entries) if entries else None
            found = matcher.match(text) if matcher is not None else None
            understood = replace(understood, faq=found, faq_matched=True)
        except VectorNeeded:  # rolled back likewise: the vectors a comparison by meaning needs, then the route again
            with runtime.db.read_session() as session:
                compared = to_compare(session, channel=channel, external_id=sender)
            understood = replace(_embedded(understood, replace(compared, has_cases=True)), vector_due=False)


def _answer(runtime: "Runtime", *, message_id: int, understood: Understood) -> str:
    """The short write transaction: the message locked and checked again, routed, marked processed."""
    with runtime.db.session() as session:
        message = session.get(Message, message_id, with_for_update=True)
        if message is None or message.processed_at is not None:  # another worker answered it meanwhile
            return "skipped"
        for opening_id, words, vector in understood.case_vectors:  # before the contact's lock, as the vector job
            store_vector(runtime, session, message_id=opening_id, text=words, vector=vector)
        contact = get_or_create_contact(session, channel=message.channel, external_id=message.sender_id or "",
                                        display_name=message.sender_name, seen_at=message.sent_at)
        message.contact_id = contact.id
        outcome = route(runtime, session, message=message, contact=contact, understood=understood)
        for after in runtime.after_message:  # e.g. places: a LINE location, form pin or photo EXIF → the case's place
            after(runtime, session, message=message)
        message.processed_at = utcnow()
        return outcome


def _kind(message: Message) -> str:
    """The message's kind as answered: a Messenger quick reply that carries words as its payload (the FAQ menu's
    questions) is the citizen saying them. (On LINE such buttons send a text message; a postback there that is not
    ours is an expired button.)"""
    if message.kind == "postback" and message.channel == Channel.FACEBOOK and not is_postback_data(message.text):
        return "text"
    return message.kind


_NO_WORDS = ("follow", "unfollow", "postback")  # events with nothing to classify or compare


def _understand(runtime: "Runtime", *, kind: str, channel: str, text: str, sent_at: dt.datetime | None) -> Understood:
    """The slow part, outside any transaction: read the cues and classify, as the route will need them (a status
    question or a button needs no classifier). The classifier embeds the texts its word model is unsure of; the
    other vectors are `_embedded`'s."""
    if kind in _NO_WORDS:
        return Understood()
    reading = reading_of(runtime, text=text, kind=kind, sent_at=sent_at)
    comment = channel == Channel.FACEBOOK_COMMENT
    if (not comment and kind != "report" and reading.kind == "status") or not text.strip():
        return Understood(reading=reading)
    prediction = classifier.classify(text)
    vector = prediction.embedding
    return Understood(reading=reading, prediction=prediction, vector=None if vector is None else np.asarray(vector),
                      words=prediction.masked_text or text, vector_due=vector is None)


def _embedded(understood: Understood, compared: Compared) -> Understood:
    """The vectors the answer needs, with no transaction open: only for a citizen with cases to compare the message
    with (the message's own, and their cases' opening messages' still due); every other message is answered first
    and its vector computed afterwards by the vector job."""
    if not compared.has_cases:
        return understood
    words = [text for _, text in compared.due]
    mine = understood.vector_due and understood.prediction is not None
    if mine:
        words.append(understood.words)
    vectors = message_vectors(words) if words else None
    if vectors is None:
        return understood
    cases = tuple((message_id, text, vectors[i]) for i, (message_id, text) in enumerate(compared.due))
    return replace(understood, case_vectors=understood.case_vectors + cases,
                   **({"vector": vectors[-1], "vector_due": False} if mine else {}))


def route(runtime: "Runtime", session: "Session", *, message: Message, contact: Contact,
          understood: Understood) -> str:
    """Route the event: postbacks, status questions, survey answers and FAQ hits first; the rest, classified, to a
    follow-up or a new case. Every citizen text gets an answer that fits it."""
    if message.kind == "unfollow":
        contact.following = False
        audit.record(session, actor="citizen", action=AuditAction.UNFOLLOWED, entity="contact", entity_id=contact.id)
        return "unfollow"
    turn = Turn(runtime=runtime, session=session, message=message, contact=contact)
    if message.kind == "follow":
        contact.following = True
        audit.record(session, actor="citizen", action=AuditAction.FOLLOWED, entity="contact", entity_id=contact.id)
        first_contact(turn)
        return welcome(turn)
    first_contact(turn)
    if message.kind == "postback":
        if _kind(message) == "postback":
            return answer_postback(turn)
        message.kind = "text"
    note_media(session, message=message)
    if message.kind == "report":  # the web/LIFF report form: always a matter of its own, answered with its ticket
        if understood.prediction is not None:
            _store(session, message, understood)
        return open_and_acknowledge(turn, intent=None if is_case_intent(message.intent) else Intent.COMPLAINT)
    comment = message.channel == Channel.FACEBOOK_COMMENT
    reading = understood.reading or read(turn)
    if not comment:
        if reading.kind == "status":
            return answer_status(turn, reading)
        answered = typed_answer_to_question(turn)
        if answered:
            return answered
    if understood.prediction is not None:
        _store(session, message, understood)
    if not comment:
        answered = small_talk(turn, reading)
        if answered:
            return answered
        if reading.kind not in ("continues", "problem_back"):  # a ready answer, open cases or not
            if not understood.faq_matched and may_answer_from_faq(kind=message.kind, text=message.text or "",
                                                                  channel=message.channel, intent=message.intent):
                raise _FaqMatchNeeded
            answered = answer_faq(turn, found=understood.faq)
            if answered:
                return answered
        followed = follow_up(turn, reading, vector_due=understood.vector_due)
        if followed:
            return followed
    elif says_nothing(message.text or ""):
        return "no_case"
    if is_case_intent(message.intent):
        return open_and_acknowledge(turn)
    return gentle(turn)


def typed_answer_to_question(turn: Turn) -> str | None:
    """A typed answer goes to the bot's question asked last (survey, or "เรื่องเดิม / เรื่องใหม่"); None if none."""
    choice_at = choice_waiting_since(turn)
    if choice_at is None:
        return survey_free_text(turn) or survey_typed(turn)
    survey_at = survey_waiting_since(turn)
    if survey_at is not None and survey_at > choice_at:
        return survey_free_text(turn) or survey_typed(turn) or typed_answer(turn)
    text = turn.message.text or ""
    if survey_at is not None and typed_choice(text) is None and typed_score(text) is not None:
        return survey_typed(turn) or typed_answer(turn)  # "พอใจมาก" answers only the survey, asked before
    return typed_answer(turn) or survey_free_text(turn) or survey_typed(turn)


def _store(session: "Session", message: Message, understood: Understood) -> None:
    """Store the classifier's outputs on the message: labels, topics, priority, unit candidates, text vector (or that
    it is due, for the vector job)."""
    prediction = understood.prediction
    assert prediction is not None
    message.intent = prediction.intent
    message.intent_confidence = prediction.intent_confidence
    message.sentiment = prediction.sentiment
    message.unit_code = prediction.unit
    message.unit_confidence = prediction.unit_confidence
    message.topics = list(prediction.topics)
    message.masked_text = prediction.masked_text
    message.model_version = str(getattr(classifier.current(), "version", "keyword-rules"))[:64]
    priority = getattr(prediction, "priority", None)
    message.priority = priority if priority in ("urgent", "normal") else None
    message.priority_reason = (getattr(prediction, "priority_reason", "") or None)
    candidates = getattr(prediction, "unit_candidates", ()) or ()
    message.unit_candidates = [{"unit": u, "confidence": round(float(c), 4)} for u, c in candidates][:3] or None
    if understood.vector is not None:
        message.embedding = np.asarray(understood.vector, dtype=np.float16).tobytes()
    elif understood.vector_due:
        mark_due(session, message=message)


def welcome(turn: Turn) -> str:
    """A follow (or Get Started): the notice, a welcome and the menu."""
    turn.answer(replies.Reply(text=(f"ขอบคุณที่เพิ่ม {turn.agency_name} เป็นเพื่อนค่ะ แจ้งเรื่องร้องเรียน สอบถาม หรือเสนอแนะ "
                                    "ได้ที่แชทนี้ตลอด 24 ชั่วโมง เจ้าหน้าที่จะตอบกลับในวันและเวลาราชการค่ะ"),
                              quick_replies=turn.menu()), key=f"welcome:{turn.message.id}")
    return "follow"


def answer_postback(turn: Turn) -> str:
    """A button the citizen tapped: checked (signature, age, shape) and acted on for the right citizen only."""
    try:
        received = turn.signer.read(turn.message.text or "")
    except PostbackError as exc:
        log.info("postback refused (%s) from contact %s", exc.reason, turn.contact.id)
        audit.record(turn.session, actor="citizen", action=AuditAction.POSTBACK_REFUSED, entity="contact",
                     entity_id=turn.contact.id, reason=exc.reason)
        turn.answer(replies.button_expired(signer=turn.signer))
        return f"postback_{exc.reason}"
    action = received.action
    if isinstance(action, MenuChoice):
        return menu_choice(turn, action.item)
    if isinstance(action, StatusRequest):
        return answer_picked(turn, case_id=action.case_id, question_id=action.question_id)
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


def gentle(turn: Turn) -> str:
    """Nothing to act on (a greeting, an emoji, a sticker): what the chat is for, with the menu."""
    if turn.contact.channel == Channel.FACEBOOK_COMMENT:
        return "no_case"
    day = utcnow().date().isoformat()
    key = f"prompt:{turn.message.id}" if turn.message.kind == "text" else f"prompt:{turn.contact.id}:{day}"
    turn.answer(replies.gentle_prompt(agency=turn.agency_name, signer=turn.signer), key=key)
    return "no_case"


def is_case_intent(intent: str | None) -> bool:
    """True if the classifier's intent opens a case."""
    return intent in CASE_INTENTS
