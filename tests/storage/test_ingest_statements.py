"""The webhook's inserts on PostgreSQL: the one-statement batch (JSON rows) stores exactly what the two inserts store,
dedupes within a batch and against earlier batches, keeps each request's ids in order, and a NUL in a raw event
(which json_to_recordset cannot read) still goes through the two inserts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, select

from listeners import ingest
from listeners.base import CitizenMessage
from storage.db import Database
from storage.models import InboundEvent, Message

RECEIVED = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
BANGKOK = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    db = Database(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    db.upgrade()
    yield db
    db.dispose()


def _message(key: str, text: str = "ไฟถนนดับทั้งซอยครับ", **fields: Any) -> CitizenMessage:
    raw = {"type": "message", "webhookEventId": key, "message": {"type": "text", "text": text, "n": 10 ** 30},
           "source": {"type": "user", "userId": "U" + "1" * 32}, "emoji": "😀", "quote": 'a "b" \\ c\n'}
    values: dict[str, Any] = dict(channel="line", event_key=key, kind="text", external_user_id="U" + "1" * 32,
                                  sent_at=dt.datetime(2026, 3, 1, 16, 29, 59, 999000, tzinfo=BANGKOK), raw=raw,
                                  external_message_id="m-" + key, text=text, reply_token="r-" + key,
                                  display_name="มาลี")
    values.update(fields)
    return CitizenMessage(**values)


def _varied(prefix: str) -> list[list[CitizenMessage]]:
    """Three requests: plain texts, a location, attachments, a comment thread, a redelivery flag, and a duplicate of
    an event within the batch (stored once, for the first request that had it)."""
    located = _message(f"{prefix}-loc", kind="location", text="",
                       location={"latitude": 13.75, "longitude": 100.5, "address": "กรุงเทพฯ"})
    photo = _message(f"{prefix}-img", kind="image", text="", attachments=({"type": "image", "id": "9001"},),
                     redelivered=True)
    comment = _message(f"{prefix}-c", channel="facebook_comment", thread_ref="post_1_comment_2", reply_token=None,
                       display_name=None, external_message_id=None)
    return [[_message(f"{prefix}-a"), located], [photo, _message(f"{prefix}-a", text="ซ้ำ")],
            [comment, _message(f"{prefix}-b", text="ขยะไม่มาเก็บค่ะ")]]


def _store(connection: Connection, batches: list[list[CitizenMessage]]) -> list[list[int]]:
    with connection.begin():
        return ingest.store_batches(connection, batches=batches, received_at=RECEIVED)


def _rows(database: Database, prefix: str) -> list[tuple[Any, ...]]:
    """What was stored for these events, without ids and keys' prefix."""
    with database.session() as session:
        found = session.execute(select(InboundEvent, Message).join(Message, Message.inbound_event_id == InboundEvent.id)
                                .where(InboundEvent.event_key.startswith(prefix + "-")).order_by(Message.id)).all()
        return [(event.channel, event.event_key.removeprefix(prefix), event.event_type,
                 {**event.payload, "webhookEventId": event.payload["webhookEventId"].removeprefix(prefix)},
                 event.redelivered, event.received_at, message.direction, message.channel, message.kind,
                 message.sender_id, message.sender_name, message.external_id.removeprefix("m-" + prefix)
                 if message.external_id else None, message.text, message.attachments, message.location,
                 message.reply_token.removeprefix("r-" + prefix) if message.reply_token else None, message.thread_ref,
                 message.sent_at, message.received_at, message.topics, message.processed_at, message.contact_id)
                for event, message in found]


def _json_nulls(database: Database) -> set[str]:
    """How each stored location without a place is kept: SQLAlchemy's JSON type stores None as JSON null."""
    with database.engine.connect() as connection:
        return set(connection.exec_driver_sql(
            "SELECT CASE WHEN location IS NULL THEN 'SQL NULL' ELSE location::text END FROM messages "
            "WHERE kind <> 'location'").scalars())


@pytest.mark.parametrize("autocommit", [False, True], ids=["in-transaction", "autocommit"])
def test_one_statement_stores_what_the_two_inserts_store(database: Database, monkeypatch: pytest.MonkeyPatch,
                                                         autocommit: bool) -> None:
    with database.engine.connect() as connection:
        if autocommit:  # as the PostgreSQL ingest writers hold their connections
            connection.execution_options(isolation_level="AUTOCOMMIT")
        one = _store(connection, _varied("one"))
        with monkeypatch.context() as patch:  # the two inserts, as for a batch holding a NUL
            patch.setattr(ingest, "_store_in_one_statement", lambda *args: None)
            two = _store(connection, _varied("two"))
    assert [len(ids) for ids in one] == [len(ids) for ids in two] == [2, 1, 2]
    assert all(ids == sorted(ids) for ids in one) and sorted(sum(one, [])) == sum(one, [])
    assert _rows(database, "one") == _rows(database, "two")
    assert len(_rows(database, "one")) == 5
    assert _json_nulls(database) == {"null"}


def test_redeliveries_and_other_batches_events_are_not_stored_twice(database: Database) -> None:
    with database.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        first = _store(connection, [[_message("e1"), _message("e2")]])
        again = _store(connection, [[_message("e2", redelivered=True)], [_message("e3"), _message("e1")]])
    assert [len(ids) for ids in first] == [2]
    assert [len(ids) for ids in again] == [0, 1]
    assert again[1][0] > max(first[0])
    with database.session() as session:
        assert session.scalars(select(InboundEvent.event_key).order_by(InboundEvent.id)).all() == ["e1", "e2", "e3"]
        events = select(InboundEvent.event_key).join(Message, Message.inbound_event_id == InboundEvent.id)
        assert session.scalars(events.order_by(Message.id)).all() == ["e1", "e2", "e3"]


def test_a_raw_event_holding_a_nul_is_stored_by_the_two_inserts(database: Database) -> None:
    held = _message("nul", text="ท่อแตก น้ำไหลทั้งคืนครับ")
    held.raw["message"]["text"] = "ท่อแตก\x00 น้ำไหลทั้งคืนครับ"  # the platform's body as sent; the text lost its NUL
    with database.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        stored = _store(connection, [[_message("plain")], [held]])
    assert [len(ids) for ids in stored] == [1, 1]
    with database.session() as session:
        payloads = session.scalars(select(InboundEvent.payload).order_by(InboundEvent.id)).all()
    assert payloads[1]["message"]["text"] == "ท่อแตก\x00 น้ำไหลทั้งคืนครับ"
