"""Each citizen event, routed to the domain that handles it: contacts, the classifier, cases; the citizen is told."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

import classifier
from conversation import service as conversation
from conversation.media import note_media
from conversation.postbacks import is_postback_data
from places.service import note_case_place
from storage import audit
from storage.contacts import get_or_create_contact
from storage.models import Contact, Message, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)


def prepare(runtime: "Runtime") -> None:
    """Build what answering needs before the first citizen writes (the FAQ matcher and its vectors)."""
    with runtime.db.session() as session:
        conversation.faq_matcher(runtime, session)


def process_message(runtime: "Runtime", *, message_id: int) -> str:
    """Handle one stored citizen message exactly once; returns what was done (for metrics and logs)."""
    with runtime.db.session() as session:
        message = session.get(Message, message_id, with_for_update=True)
        if message is None or message.direction != "in" or message.processed_at is not None:
            return "skipped"
        contact = get_or_create_contact(session, channel=message.channel, external_id=message.sender_id or "",
                                        display_name=message.sender_name, seen_at=message.sent_at)
        message.contact_id = contact.id
        outcome = _handle(runtime, session, message=message, contact=contact)
        note_case_place(runtime, session, message=message)  # a LINE location, form pin, photo EXIF: the case's place
        message.processed_at = utcnow()
        return outcome


def _handle(runtime: "Runtime", session, *, message: Message, contact: Contact) -> str:  # type: ignore[no-untyped-def]
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
        if message.channel != "facebook" or is_postback_data(message.text):
            return conversation.answer_postback(turn)
        # A Messenger quick reply that carries words as its payload (the FAQ menu's questions): the citizen said them.
        # (On LINE such buttons send a text message; a postback there that is not ours is an expired button.)
        message.kind = "text"
    note_media(session, message=message)
    if message.kind == "report":  # the web/LIFF report form: always a matter of its own, answered with its ticket
        _classify(runtime, message)
        return conversation.open_and_acknowledge(turn, intent=None if conversation.is_case_intent(message.intent)
                                                 else "complaint")
    comment = message.channel == "facebook_comment"
    reading = conversation.read(turn)
    if not comment:
        if reading.kind == "status":
            return conversation.answer_status(turn, reading)
        answered = conversation.survey_free_text(turn)
        if answered:
            return answered
    if message.text.strip():
        _classify(runtime, message)
    if not comment:
        followed = conversation.follow_up(turn, reading)
        if followed:
            return followed
        answered = conversation.answer_faq(turn)
        if answered:
            return answered
    if conversation.is_case_intent(message.intent):
        return conversation.open_and_acknowledge(turn)
    return conversation.gentle(turn)


def _classify(runtime: "Runtime", message: Message) -> None:
    """Store the classifier's outputs on the message: labels, topics, priority, unit candidates, text vector."""
    prediction = classifier.classify(message.text)
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
    vector = getattr(prediction, "embedding", None)
    if vector is None:
        vectors = conversation.embed_texts(runtime, [message.masked_text or message.text])
        vector = None if vectors is None else vectors[0]
    if vector is not None:
        message.embedding = np.asarray(vector, dtype=np.float16).tobytes()
