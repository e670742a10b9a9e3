"""The worker's outbox dispatcher without a server: every due row sent once and recorded, nothing sent twice."""
from __future__ import annotations

from types import SimpleNamespace

from agency.settings import Settings
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage
from worker.loop import Worker


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, item) -> None:  # noqa: ANN001 - the senders' protocol
        self.sent.append(item.recipient)


def _queue(database: Database, count: int) -> list[int]:
    with database.session() as session:
        return [outbox.enqueue(session, key=f"ack:{n}", channel="line", recipient=f"U{n}", payload={"text": "สวัสดีค่ะ"})
                for n in range(count)]


def _rows(database: Database) -> list[tuple[str, int]]:
    with database.session() as session:
        return [(row.status, row.attempts) for row in session.query(OutboxMessage).order_by(OutboxMessage.id)]


def test_a_batch_is_sent_then_recorded_and_nothing_is_sent_twice(database: Database) -> None:
    sender = RecordingSender()
    worker = Worker(SimpleNamespace(db=database, senders=sender, settings=Settings()))
    _queue(database, 5)
    assert worker.dispatch_outbox() == 5
    assert sender.sent == ["U0", "U1", "U2", "U3", "U4"]
    assert _rows(database) == [("sent", 1)] * 5
    assert worker.dispatch_outbox() == 0 and len(sender.sent) == 5
