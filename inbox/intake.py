"""The worker's job for each citizen message: classify, open or extend the case, tell the citizen."""
from __future__ import annotations

import logging

import classifier
from bot import messages as texts
from bot.conversation import CitizenUnreachable, tell_citizen
from inbox.cases.service import case_for_follow_up, open_case
from inbox.runtime import Runtime
from storage import audit
from storage.calendar import BANGKOK
from storage.contacts import get_or_create_contact
from storage.models import Contact, Message, Unit, utcnow

log = logging.getLogger(__name__)

CASE_INTENTS = ("complaint", "suggestion", "question", "praise")


def process_message(runtime: Runtime, *, message_id: int) -> str:
    """Handle one stored citizen message exactly once; returns what was done (for metrics and logs)."""
    with runtime.db.session() as session:
        message = session.get(Message, message_id, with_for_update=True)
        if message is None or message.direction != "in" or message.processed_at is not None:
            return "skipped"
        contact = get_or_create_contact(session, channel=message.channel, external_id=message.sender_id or "",
                                        display_name=message.sender_name, seen_at=message.sent_at)
        message.contact_id = contact.id
        outcome = _handle(runtime, session, message=message, contact=contact)
        message.processed_at = utcnow()
        return outcome


def _handle(runtime: Runtime, session, *, message: Message, contact: Contact) -> str:  # type: ignore[no-untyped-def]
    """Dispatch on the kind of event."""
    agency = runtime.agency
    if message.kind == "unfollow":
        contact.following = False
        audit.record(session, actor="citizen", action="unfollowed", entity="contact", entity_id=contact.id)
        return "unfollow"
    if message.kind == "follow":
        contact.following = True
        audit.record(session, actor="citizen", action="followed", entity="contact", entity_id=contact.id)
        _tell(session, contact=contact, text=texts.welcome(agency=agency.short_name), key=f"welcome:{message.id}",
              reply_token=message.reply_token)
        return "follow"
    if message.text.strip():
        _classify(message)
    case = case_for_follow_up(session, contact_id=contact.id)
    if case is not None:
        message.case_id = case.id
        case.updated_at = utcnow()
        audit.record(session, actor="citizen", action="message_added", entity="case", entity_id=case.id,
                     case_id=case.id, message_id=message.id, kind=message.kind)
        return "attached"
    if message.intent in CASE_INTENTS:
        now = utcnow()
        case = open_case(session, contact=contact, message=message, agency=agency, calendar=runtime.calendar, now=now)
        unit = session.get(Unit, case.unit_code)  # the name as the admin keeps it, not the config file's
        standard = agency.standard(case.intent)
        text = texts.acknowledgement(
            ticket=case.ticket, intent=case.intent, unit_name=unit.name if unit else case.unit_code,
            respond_days=standard.respond_days, due_at=case.due_at, agency=agency.short_name,
            public=message.channel == "facebook_comment", phone=agency.phone,
        )
        _tell(session, contact=contact, text=text, key=f"ack:{case.id}", case_id=case.id,
              reply_token=message.reply_token, thread_ref=message.thread_ref)
        return "opened"
    if message.channel != "facebook_comment" and message.kind != "postback":
        # One gentle prompt a day at most, so greetings get an answer and spam gets no conversation.
        day = utcnow().astimezone(BANGKOK).date().isoformat()
        _tell(session, contact=contact, text=texts.help_text(agency=agency.short_name),
              key=f"help:{contact.id}:{day}", reply_token=message.reply_token)
    return "no_case"


def _classify(message: Message) -> None:
    """Store the classifier's labels on the message."""
    prediction = classifier.classify(message.text)
    message.intent = prediction.intent
    message.intent_confidence = prediction.intent_confidence
    message.sentiment = prediction.sentiment
    message.unit_code = prediction.unit
    message.unit_confidence = prediction.unit_confidence
    message.topics = list(prediction.topics)
    message.masked_text = prediction.masked_text
    message.model_version = str(getattr(classifier.current(), "version", "keyword-rules"))[:64]


def _tell(session, *, contact: Contact, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Queue a message to the citizen unless they can no longer be reached."""
    try:
        tell_citizen(session, contact=contact, **kwargs)
    except CitizenUnreachable:
        log.info("not messaging contact %s: unreachable on %s", contact.id, contact.channel)
