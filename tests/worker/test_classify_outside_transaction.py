"""The worker classifies with no database transaction open (issue 17): webhooks, the outbox and the sweep never wait
on "database is locked" while a message is being classified."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

import classifier
from agency.settings import Settings
from classifier import Prediction
from fangsiang.runtime import build_runtime
from runtime import Runtime
from storage.models import AuditEvent, Case, Message, utcnow
from worker.citizen_events import process_message


class _WatchingClassifier:
    """Labels every text a road complaint, and while doing so checks that another writer gets the database."""

    version = "watching"

    def __init__(self, runtime: Runtime, path: Path) -> None:
        self.runtime, self.path, self.seen = runtime, path, []

    def classify(self, text: str) -> Prediction:
        other = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:  # a webhook's write from another connection: fails at once if the worker holds the write lock
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
        self.seen.append((text, self.runtime.db.engine.pool.checkedout()))
        return Prediction(intent="complaint", intent_confidence=0.9, sentiment="neg", sentiment_confidence=0.9,
                          unit="public_works", unit_confidence=0.9, topics=("ถนน",), masked_text=text,
                          embedding=(0.6, 0.8, 0.0))

    def classify_many(self, texts, *, only_where_unsure=False):  # type: ignore[no-untyped-def]
        return [self.classify(t) for t in texts]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    built = build_runtime(Settings(fangsiang_data_dir=tmp_path, database_url=None, redis_url=None))
    yield built
    built.close()


def test_a_complaint_is_classified_while_another_writer_can_write(runtime: Runtime, tmp_path: Path) -> None:
    with runtime.db.session() as session:
        message = Message(direction="in", channel="line", kind="text", sender_id="U-road", sender_name="สมศรี",
                          text="ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มไปสองคันแล้วค่ะ", sent_at=utcnow(), received_at=utcnow())
        session.add(message)
        session.flush()
        message_id = message.id
    previous = classifier.current()
    watching = _WatchingClassifier(runtime, tmp_path / "fangsiang.db")
    classifier.configure(watching)
    try:
        assert process_message(runtime, message_id=message_id) == "opened"
        assert process_message(runtime, message_id=message_id) == "skipped"  # once only
    finally:
        classifier.configure(previous)
    assert watching.seen == [("ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มไปสองคันแล้วค่ะ", 0)]  # no pooled connection out either
    with runtime.db.session() as session:
        stored = session.get(Message, message_id)
        case = session.scalars(select(Case)).one()
        assert stored.intent == "complaint" and stored.unit_code == "public_works" and stored.embedding
        assert stored.case_id == case.id and case.unit_code == "public_works" and stored.processed_at is not None
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all() == ["case_opened"]
