"""The outbox without a server: one row per idempotency key, exponential backoff with jitter, then dead."""
from __future__ import annotations

import datetime as dt

from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage, utcnow


def test_a_key_is_queued_once_and_failures_back_off_until_dead(database: Database) -> None:
    now = utcnow()
    with database.session() as session:
        first = outbox.enqueue(session, key="ack:1", channel="line", recipient="U1", payload={"text": "สวัสดีค่ะ"})
        again = outbox.enqueue(session, key="ack:1", channel="line", recipient="U1", payload={"text": "ซ้ำ"})
    assert first is not None and again is None
    delays = []
    for _ in range(4):
        with database.session() as session:
            [row] = outbox.claim_due(session, now=now + dt.timedelta(days=1), limit=5, lease_seconds=60)
            status = outbox.mark_failed(session, outbox_id=row.id, error="timeout", permanent=False, now=now,
                                        max_attempts=4, backoff_seconds=2, backoff_cap_seconds=5)
            delays.append((session.get(OutboxMessage, first).next_attempt_at - now).total_seconds())
    assert status == "dead"
    assert 1.6 <= delays[0] <= 2.4 and 3.2 <= delays[1] <= 4.8 and 4.0 <= delays[2] <= 6.0  # 2, 4, then the cap
    with database.session() as session:
        assert outbox.claim_due(session, now=now + dt.timedelta(days=2), limit=5, lease_seconds=60) == []


def test_a_permanent_failure_is_not_retried(database: Database) -> None:
    with database.session() as session:
        row_id = outbox.enqueue(session, key="reply:x", channel="facebook", recipient="psid", payload={"text": "x"})
    with database.session() as session:
        assert outbox.mark_failed(session, outbox_id=row_id, error="400 blocked", permanent=True, now=utcnow(),
                                  max_attempts=12, backoff_seconds=2, backoff_cap_seconds=600) == "dead"
