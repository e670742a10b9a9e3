"""The outbox: messages to citizens written in the same transaction as the change that caused them.

A dispatcher claims due rows, sends them, and marks them sent; failures are retried with exponential
backoff. The idempotency key is unique, so the same acknowledgement can never be queued twice.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.db import upsert_insert
from storage.models import Message, OutboxMessage, utcnow


def enqueue(
    session: Session,
    *,
    key: str,
    channel: str,
    recipient: str,
    payload: dict[str, Any],
    reply_token: str | None = None,
    thread_ref: str | None = None,
    case_id: int | None = None,
    message_id: int | None = None,
) -> int | None:
    """Queue a message to a citizen; returns its outbox id, or None if this key was queued before."""
    now = utcnow()
    return session.execute(
        upsert_insert(session, OutboxMessage)
        .values(idempotency_key=key, channel=channel, recipient=recipient, payload=payload,
                reply_token=reply_token, thread_ref=thread_ref, case_id=case_id, message_id=message_id,
                status="pending", attempts=0, next_attempt_at=now, created_at=now)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    ).scalar_one_or_none()


def _due(now: dt.datetime):  # type: ignore[no-untyped-def]
    """Rows due to send: pending and due, or leased by a dispatcher whose lease ran out."""
    return or_((OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
               (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now))


def any_due(session: Session, *, now: dt.datetime) -> bool:
    """True if a row is due (a read before `claim_due`, which locks)."""
    return session.scalar(select(OutboxMessage.id).where(_due(now)).limit(1)) is not None


def claim_due(session: Session, *, now: dt.datetime, limit: int, lease_seconds: float) -> list[OutboxMessage]:
    """Lease up to `limit` due rows to this dispatcher (rows whose lease ran out are due again)."""
    query = select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.status = "sending"
        row.attempts += 1
        row.lease_until = now + dt.timedelta(seconds=lease_seconds)
    return rows


def mark_sent(session: Session, *, outbox_id: int, now: dt.datetime) -> None:
    """Record a successful send, and the delivery on the conversation's message."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        return
    row.status, row.sent_at, row.lease_until, row.last_error = "sent", now, None, None
    _set_delivery(session, row, "sent")


def mark_failed(
    session: Session,
    *,
    outbox_id: int,
    error: str,
    permanent: bool,
    now: dt.datetime,
    max_attempts: int,
    backoff_seconds: float,
    backoff_cap_seconds: float,
) -> str:
    """Record a failed send: retry later with exponential backoff and jitter, or give up. Returns the status."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        return "missing"
    row.last_error = error[:2000]
    row.lease_until = None
    if permanent or row.attempts >= max_attempts:
        row.status = "dead"
        _set_delivery(session, row, "failed")
        return row.status
    delay = min(backoff_cap_seconds, backoff_seconds * 2 ** (row.attempts - 1))
    row.status = "pending"
    row.next_attempt_at = now + dt.timedelta(seconds=delay * random.uniform(0.8, 1.2))
    return row.status


def _set_delivery(session: Session, row: OutboxMessage, state: str) -> None:
    """Show the delivery state on the thread's outgoing message."""
    if row.message_id is not None:
        message = session.get(Message, row.message_id)
        if message is not None:
            message.delivery = state
