"""Sentence vectors after the answer (issue 17), on SQLite and on PostgreSQL: a new citizen's complaint is acknowledged
without embedding anything and the worker's vector job fills the vector afterwards; a follow-up to an open case is
still compared by meaning (its vector and the case's are computed before its answer); a report whose vector arrives
after its place is still found to be a known problem by meaning; an erased citizen's message never gets a vector,
even when the erasure lands while the job is embedding it; two workers do not take the same messages."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

import classifier
from agency.settings import Settings
from agency.vocabulary import Status
from cases.service import change_status
from classifier import Prediction
from classifier.embedding import embed
from conversation import routing, vectors
from conversation.models import VectorDue
from fangsiang.citizen_rights import ERASED_TEXT, erase_citizen
from fangsiang.runtime import build_runtime
from places import service as places
from places.models import CaseMerge
from runtime import Runtime
from storage.models import Case, Contact, Message, OutboxMessage, utcnow
from tests.places.conftest import AGENCY, HOME, north_of, officer, seed_case

POTHOLE = "ถนนหน้าตลาดสดเป็นหลุมใหญ่มาก รถจักรยานยนต์ล้มบ่อยค่ะ"


class _SureClassifier:
    """A word model sure of every text (a road complaint, no topics): it embeds nothing itself, as the trained
    classifier does for the texts it is sure of."""

    version = "sure"

    def classify(self, text: str) -> Prediction:
        return Prediction(intent="complaint", intent_confidence=0.95, sentiment="neg", sentiment_confidence=0.9,
                          unit="public_works", unit_confidence=0.95, topics=(), masked_text=text)

    def classify_many(self, texts, *, only_where_unsure=False):  # type: ignore[no-untyped-def]
        return [self.classify(t) for t in texts]


class _UnsureOfUnit(_SureClassifier):
    """The same road complaint, with the word model leaning (unsure) to another unit."""

    def classify(self, text: str) -> Prediction:
        return replace(super().classify(text), unit="environment", unit_confidence=0.5)


@pytest.fixture
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    backend = request.getfixturevalue("backend")
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    built = build_runtime(Settings(_env_file=None, fangsiang_data_dir=tmp_path, database_url=url, redis_url=None))
    previous = classifier.current()
    classifier.configure(_SureClassifier())
    yield built
    classifier.configure(previous)
    built.close()


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the conversation embeds, in order (the real e5 engine still does it)."""
    texts: list[str] = []

    def counting(batch, **options):  # type: ignore[no-untyped-def]
        texts.extend(batch)
        return embed(batch, **options)

    monkeypatch.setattr(vectors, "embed", counting)
    return texts


def _receive(runtime: Runtime, *, user: str, text: str, kind: str = "text", location: dict | None = None,
             channel: str = "line") -> int:
    """A citizen's message as the webhook stores it; its id."""
    with runtime.db.session() as session:
        message = Message(direction="in", channel=channel, kind=kind, sender_id=user, sender_name="ประชาชน",
                          text=text, location=location, sent_at=utcnow(), received_at=utcnow())
        session.add(message)
        session.flush()
        return message.id


def _vector(runtime: Runtime, message_id: int) -> np.ndarray | None:
    with runtime.db.read_session() as session:
        blob = session.get(Message, message_id).embedding
    return None if blob is None else np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def _due(runtime: Runtime) -> list[int]:
    with runtime.db.read_session() as session:
        return list(session.scalars(select(VectorDue.message_id).order_by(VectorDue.message_id)))


def test_a_new_complaint_is_acknowledged_first_and_the_job_fills_its_vector(backend: str, runtime: Runtime,
                                                                           embedded: list[str]) -> None:
    user = f"U-{uuid.uuid4().hex[:8]}"
    message_id = _receive(runtime, user=user, text=POTHOLE)
    assert routing.handle_message(runtime, message_id=message_id) == "opened"
    with runtime.db.read_session() as session:
        case = session.scalars(select(Case)).one()
        told = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.recipient == user)).all()
    assert any(case.ticket in str(payload) for payload in told), "the ticket is on its way to the citizen"
    assert embedded == [] and _vector(runtime, message_id) is None, "the acknowledgement waited for no vector"
    assert _due(runtime) == [message_id]

    assert vectors.fill_vectors(runtime) == 1
    kept = _vector(runtime, message_id)
    assert kept is not None and float(kept @ embed([POTHOLE])[0]) > 0.99
    assert _due(runtime) == [] and vectors.fill_vectors(runtime) == 0, "each message is embedded once"


def test_a_follow_up_to_an_open_case_is_compared_by_meaning(backend: str, runtime: Runtime,
                                                           embedded: list[str]) -> None:
    user = f"U-{uuid.uuid4().hex[:8]}"
    opening = _receive(runtime, user=user, text=POTHOLE)
    assert routing.handle_message(runtime, message_id=opening) == "opened"
    assert _due(runtime) == [opening]  # the vector job has not come round yet

    classifier.configure(_UnsureOfUnit())
    again = _receive(runtime, user=user, text="หลุมใหญ่บนถนนหน้าตลาดสด รถจักรยานยนต์ล้มบ่อยมากครับ")
    # Compared by meaning (near-identical: the same matter, attached). Without the vectors, a unit the word model
    # leans to would have asked the citizen "เรื่องเดิม / เรื่องใหม่".
    assert routing.handle_message(runtime, message_id=again) == "attached"
    assert sorted(embedded) == sorted([POTHOLE, "หลุมใหญ่บนถนนหน้าตลาดสด รถจักรยานยนต์ล้มบ่อยมากครับ"])
    assert _vector(runtime, opening) is not None and _vector(runtime, again) is not None
    assert _due(runtime) == []
    with runtime.db.read_session() as session:
        assert session.scalar(select(func.count(Case.id))) == 1
        assert session.get(Message, again).case_id == session.get(Message, opening).case_id


def test_a_follow_up_whose_case_was_opened_meanwhile_is_compared_by_meaning(backend: str, runtime: Runtime) -> None:
    user = f"U-{uuid.uuid4().hex[:8]}"
    opening = _receive(runtime, user=user, text=POTHOLE)
    again = _receive(runtime, user=user, text="หลุมใหญ่บนถนนหน้าตลาดสด รถจักรยานยนต์ล้มบ่อยมากครับ")

    class _OtherWorker(_SureClassifier):
        """While the second message is classified, another worker answers the first (a case is opened)."""

        def classify(self, text: str) -> Prediction:
            if text != POTHOLE:
                classifier.configure(_SureClassifier())
                assert routing.handle_message(runtime, message_id=opening) == "opened"
                return _UnsureOfUnit().classify(text)
            return super().classify(text)

    classifier.configure(_OtherWorker())
    assert routing.handle_message(runtime, message_id=again) == "attached"
    assert _vector(runtime, opening) is not None and _vector(runtime, again) is not None and _due(runtime) == []


def _placed_report(runtime: Runtime) -> tuple[int, int]:
    """A known pothole, then a web report of it 60 m away, placed at once and answered before its vector: (known
    case id, the report's case id)."""
    with runtime.db.session() as session:
        known = seed_case(session, text="ถนนเป็นหลุมใหญ่หน้าตลาดสด รถจักรยานยนต์ล้มบ่อยมากค่ะ", unit="public_works",
                          at=HOME, citizen="U-first")
        known_id = known.id
        category = places.category_of(known, places.place_of(session, case_id=known.id), AGENCY)
    lat, lon = north_of(60)
    report = _receive(runtime, user=f"web-{uuid.uuid4().hex}", kind="report", channel="web",
                      text="หน้าตลาดสดถนนเป็นหลุมลึกมาก มอเตอร์ไซค์ล้มบ่อยครับ",
                      location={"latitude": lat, "longitude": lon, "source": "form_pin", "category": category})
    assert routing.handle_message(runtime, message_id=report) == "opened"
    with runtime.db.read_session() as session:
        case_id = session.get(Message, report).case_id
        assert places.place_of(session, case_id=case_id) is not None, "placed at once"
        assert session.get(CaseMerge, case_id) is None, "its meaning is not known yet"
    return known_id, case_id


def test_a_report_is_joined_to_the_known_problem_when_its_vector_arrives_after_its_place(
        backend: str, runtime: Runtime) -> None:
    known_id, case_id = _placed_report(runtime)
    assert vectors.fill_vectors(runtime) == 1
    with runtime.db.read_session() as session:
        assert session.get(CaseMerge, case_id).into_case_id == known_id
        told = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.case_id == case_id)).all()
        known_ticket = session.get(Case, known_id).ticket
    assert any(f"เรื่องนี้มีผู้แจ้งแล้ว เลขที่ {known_ticket}" in payload["text"] for payload in told)


def test_a_late_vector_does_not_move_a_case_an_officer_has_taken_up(backend: str, runtime: Runtime) -> None:
    _, case_id = _placed_report(runtime)
    with runtime.db.session() as session:
        case = session.get(Case, case_id)
        change_status(session, case=case, status=Status.IN_PROGRESS, note="", user=officer(session, case.unit_code),
                      agency=AGENCY, now=utcnow())
    assert vectors.fill_vectors(runtime) == 1
    with runtime.db.read_session() as session:
        assert session.get(CaseMerge, case_id) is None, "the officer's case stays where it is"


def test_an_erased_message_never_gets_a_vector(backend: str, runtime: Runtime, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    erased, kept = f"U-{uuid.uuid4().hex[:8]}", f"U-{uuid.uuid4().hex[:8]}"
    first = _receive(runtime, user=erased, text="ถนนหน้าบ้านเลขที่ 45/2 เป็นหลุม โทร 0812345678 ค่ะ")
    other = _receive(runtime, user=kept, text=POTHOLE)
    for message_id in (first, other):
        assert routing.handle_message(runtime, message_id=message_id) == "opened"
    with runtime.db.session() as session:  # erased before the job comes round
        erase_citizen(session, channel="line", user_id=erased, actor="admin@example.go.th", data_dir=tmp_path)
    assert _due(runtime) == [other]
    assert vectors.fill_vectors(runtime) == 1
    assert _vector(runtime, first) is None and _vector(runtime, other) is not None

    late = f"U-{uuid.uuid4().hex[:8]}"
    second = _receive(runtime, user=late, text="ไฟถนนหน้าบ้านดับทั้งซอยมาสามคืนแล้วค่ะ")
    assert routing.handle_message(runtime, message_id=second) == "opened"

    def erase_while_embedding(batch, **options):  # type: ignore[no-untyped-def]
        with runtime.db.session() as session:  # the erasure commits while the job embeds, no transaction open
            erase_citizen(session, channel="line", user_id=late, actor="admin@example.go.th", data_dir=tmp_path)
        return embed(batch, **options)

    monkeypatch.setattr(vectors, "embed", erase_while_embedding)
    assert vectors.fill_vectors(runtime) == 0
    assert _vector(runtime, second) is None and _due(runtime) == []
    with runtime.db.read_session() as session:
        assert session.get(Message, second).text == ERASED_TEXT


def test_two_workers_do_not_take_the_same_messages(backend: str, runtime: Runtime) -> None:
    ids = []
    for n in range(5):
        ids.append(_receive(runtime, user=f"U-{uuid.uuid4().hex[:8]}", text=f"{POTHOLE} ซอย {n + 1}"))
        assert routing.handle_message(runtime, message_id=ids[-1]) == "opened"
    one = vectors._claim(runtime, limit=3)
    other = vectors._claim(runtime, limit=3)
    assert [m for m, _ in one] == ids[:1:-1] and [m for m, _ in other] == ids[1::-1]  # newest first, apart
    assert vectors._claim(runtime, limit=3) == [], "taken for a while"
    with runtime.db.read_session() as session:
        assert session.scalar(select(func.count(Contact.id))) == 5
