"""Each citizen event, routed to the domain that handles it: contacts, the classifier, cases; the citizen is told.

A message is handled in three steps so that no database transaction waits on the classifier: a short read (the
message, skipped when already processed), the slow work with no transaction open (classification, sentence vectors,
the FAQ match), then one short write transaction that checks again, under the row lock, that no other worker got
there first."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

import classifier
from conversation import service as conversation
from conversation.faq import FaqEntry, FaqMatch
from conversation.media import note_media
from conversation.postbacks import is_postback_data
from conversation.tickets import Reading
from storage import audit
from storage.contacts import get_or_create_contact
from storage.models import Contact, Message, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)


def prepare(runtime: "Runtime") -> None:
    """Build what answering needs before the first citizen writes (the FAQ matcher and its vectors)."""
    with runtime.db.session() as session:
        entries = conversation.faq_entries(session)
    conversation.matcher_for(runtime, entries)


@dataclass(frozen=True)
class Understood:
    """What was worked out of a message with no transaction open: its cues, the classifier's labels and vector,
    and the FAQ entry it asks (each None when the message's route does not need it)."""

    reading: Reading | None = None
    prediction: classifier.Prediction | None = None
    vector: np.ndarray | None = None
    faq: FaqMatch | None = None


def process_message(runtime: "Runtime", *, message_id: int) -> str:
    """Handle one stored citizen message exactly once; returns what was done (for metrics and logs)."""
    with runtime.db.session() as session:  # a short read: nothing slow happens while it is open
        message = session.get(Message, message_id)
        if message is None or message.direction != "in" or message.processed_at is not None:
            return "skipped"
        kind, channel, text, sent_at = _kind(message), message.channel, message.text or "", message.sent_at
        entries = conversation.faq_entries(session) if kind == "text" and channel != "facebook_comment" else ()
    understood = _understand(runtime, kind=kind, channel=channel, text=text, sent_at=sent_at, entries=entries)
    with runtime.db.session() as session:
        message = session.get(Message, message_id, with_for_update=True)
        if message is None or message.processed_at is not None:  # another worker answered it meanwhile
            return "skipped"
        contact = get_or_create_contact(session, channel=message.channel, external_id=message.sender_id or "",
                                        display_name=message.sender_name, seen_at=message.sent_at)
        message.contact_id = contact.id
        outcome = _handle(runtime, session, message=message, contact=contact, understood=understood)
        message.processed_at = utcnow()
        return outcome


def _kind(message: Message) -> str:
    """The message's kind as answered: a Messenger quick reply that carries words as its payload (the FAQ menu's
    questions) is the citizen saying them. (On LINE such buttons send a text message; a postback there that is not
    ours is an expired button.)"""
    if message.kind == "postback" and message.channel == "facebook" and not is_postback_data(message.text):
        return "text"
    return message.kind


def _understand(runtime: "Runtime", *, kind: str, channel: str, text: str, sent_at, entries: tuple[FaqEntry, ...]
                ) -> Understood:  # type: ignore[no-untyped-def]
    """The slow part, outside any transaction: read the cues, classify and embed, match the FAQ, as the route
    will need them (a status question or a button needs no classifier)."""
    if kind in ("follow", "unfollow", "postback"):
        return Understood()
    reading = conversation.reading_of(runtime, text=text, kind=kind, sent_at=sent_at)
    comment = channel == "facebook_comment"
    if (not comment and reading.kind == "status") or not text.strip():
        return Understood(reading=reading)
    prediction = classifier.classify(text)
    vector = prediction.embedding
    if vector is None:
        vectors = conversation.embed_texts(runtime, [prediction.masked_text or text])
        vector = None if vectors is None else vectors[0]
    faq = None
    if entries and conversation.may_answer_from_faq(kind=kind, text=text, channel=channel, intent=prediction.intent):
        matcher = conversation.matcher_for(runtime, entries)
        faq = matcher.match(text) if matcher is not None else None
    return Understood(reading=reading, prediction=prediction,
                      vector=None if vector is None else np.asarray(vector), faq=faq)


def _handle(runtime: "Runtime", session, *, message: Message, contact: Contact,  # type: ignore[no-untyped-def]
            understood: Understood) -> str:
    """Route the event: postbacks, status questions, survey answers and FAQ hits to the conversation; the rest
    through the classifier to the case domain. Every citizen text gets an answer that fits it."""
    if message.kind == "unfollow":
        contact.following = False
        audit.record(session, actor="citizen", action="unfollowed", entity="contact", entity_id=contact.id)
        return "unfollow"
    turn = conversation.Turn(runtime=runtime, session=session, message=message, contact=contact)
    if message.kind == "follow":
        contact.following = True
        audit.record(session, actor="citizen", action="followed", entity="contact", entity_id=contact.id)
        conversation.first_contact(turn)
        return conversation.welcome(turn)
    conversation.first_contact(turn)
    if message.kind == "postback":
        if _kind(message) == "postback":
            return conversation.answer_postback(turn)
        message.kind = "text"
    note_media(session, message=message)
    comment = message.channel == "facebook_comment"
    reading = understood.reading or conversation.read(turn)
    if not comment:
        if reading.kind == "status":
            return conversation.answer_status(turn, reading)
        answered = conversation.survey_free_text(turn)
        if answered:
            return answered
    if understood.prediction is not None:
        _store(message, understood)
    if not comment:
        followed = conversation.follow_up(turn, reading)
        if followed:
            return followed
        answered = conversation.answer_faq(turn, found=understood.faq)
        if answered:
            return answered
    if conversation.is_case_intent(message.intent):
        return conversation.open_and_acknowledge(turn)
    return conversation.gentle(turn)


def _store(message: Message, understood: Understood) -> None:
    """Store the classifier's outputs on the message: labels, topics, priority, unit candidates, text vector."""
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
