"""Telling a citizen something: an outgoing message in the thread plus an outbox row, in one transaction."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.vocabulary import Channel
from storage import outbox
from storage.models import Contact, Message, utcnow

MESSENGER_WINDOW = dt.timedelta(hours=24)


class CitizenUnreachable(Exception):
    """The citizen cannot be messaged on this channel (they unfollowed or blocked the account)."""


def tell_citizen(
    session: Session,
    *,
    contact: Contact,
    text: str,
    key: str,
    case_id: int | None = None,
    reply_token: str | None = None,
    thread_ref: str | None = None,
    author_user_id: int | None = None,
    rendered: list[dict] | None = None,
) -> Message | None:
    """Queue a message to the citizen; None if one with this idempotency key was already queued.

    `rendered` carries the platform's own message objects (LINE messages with Flex and quick replies, or Messenger
    Send API messages); `text` stays the fallback, the thread's record and what a transcript shows.
    """
    if not contact.following:
        raise CitizenUnreachable(f"contact {contact.id} has unfollowed or blocked the account")
    now = utcnow()
    message = Message(
        direction="out", channel=contact.channel, kind="text", contact_id=contact.id, case_id=case_id, text=text,
        sent_at=now, received_at=now, processed_at=now, author_user_id=author_user_id, delivery="queued",
        thread_ref=thread_ref,
    )
    session.add(message)
    session.flush()
    payload: dict = {"text": text}
    if rendered:
        payload["messages"] = list(rendered)
    if contact.channel == Channel.FACEBOOK and not _inside_messenger_window(session, contact=contact, now=now):
        # Outside Messenger's 24-hour window only tagged updates are allowed; a case update is one.
        payload["messaging_type"], payload["tag"] = "MESSAGE_TAG", "ACCOUNT_UPDATE"
    outbox_id = outbox.enqueue(
        session, key=key, channel=contact.channel, recipient=contact.external_id, payload=payload,
        reply_token=reply_token, thread_ref=thread_ref, case_id=case_id, message_id=message.id,
    )
    if outbox_id is None:
        session.delete(message)
        return None
    return message


def _inside_messenger_window(session: Session, *, contact: Contact, now: dt.datetime) -> bool:
    """True if the citizen wrote to the Page in the last 24 hours."""
    last_in = session.scalar(
        select(Message.sent_at)
        .where(Message.contact_id == contact.id, Message.direction == "in")
        .order_by(Message.id.desc())
        .limit(1)
    )
    return last_in is not None and now - last_in < MESSENGER_WINDOW
