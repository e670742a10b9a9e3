"""Citizens as known on each channel."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import upsert_insert
from storage.models import Contact


def get_or_create_contact(
    session: Session, *, channel: str, external_id: str, display_name: str | None, seen_at: dt.datetime
) -> Contact:
    """The contact for this channel user, created on first contact (safe under concurrent webhooks)."""
    session.execute(
        upsert_insert(session, Contact)
        .values(channel=channel, external_id=external_id, display_name=display_name,
                following=True, created_at=seen_at, last_seen_at=seen_at)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )
    contact = session.scalars(  # the row lock serialises work on one citizen across workers (PostgreSQL)
        select(Contact).where(Contact.channel == channel, Contact.external_id == external_id).with_for_update()
    ).one()
    contact.last_seen_at = max(contact.last_seen_at, seen_at)
    if display_name and not contact.display_name:
        contact.display_name = display_name
    return contact
