"""Citizens as known on each channel."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Contact


def get_or_create_contact(
    session: Session, *, channel: str, external_id: str, display_name: str | None, seen_at: dt.datetime
) -> Contact:
    """The contact for this channel user, created on first contact (safe under concurrent webhooks)."""
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert_fn(Contact)
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
