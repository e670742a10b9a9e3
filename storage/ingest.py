"""Storing what citizens send: raw event and normalised message in one transaction, deduplicated."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from listeners.base import CitizenMessage
from storage.contacts import get_or_create_contact
from storage.models import InboundEvent, Message


def store_messages(session: Session, *, messages: Sequence[CitizenMessage], received_at: dt.datetime) -> list[int]:
    """Store each new event and its message; return the new message ids (redeliveries return none)."""
    insert_fn = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    new_ids: list[int] = []
    for item in messages:
        event_id = session.execute(
            insert_fn(InboundEvent)
            .values(channel=item.channel, event_key=item.event_key, event_type=item.kind, payload=item.raw,
                    redelivered=item.redelivered, received_at=received_at)
            .on_conflict_do_nothing(index_elements=["channel", "event_key"])
            .returning(InboundEvent.id)
        ).scalar_one_or_none()
        if event_id is None:
            continue  # seen before: LINE redelivery or a duplicate in the batch
        contact = get_or_create_contact(
            session, channel=item.channel, external_id=item.external_user_id,
            display_name=item.display_name, seen_at=item.sent_at,
        )
        message = Message(
            direction="in", channel=item.channel, kind=item.kind, contact_id=contact.id,
            inbound_event_id=event_id, external_id=item.external_message_id, text=item.text,
            attachments=list(item.attachments), location=item.location, reply_token=item.reply_token,
            thread_ref=item.thread_ref, sent_at=item.sent_at, received_at=received_at,
        )
        session.add(message)
        session.flush()
        new_ids.append(message.id)
    return new_ids
