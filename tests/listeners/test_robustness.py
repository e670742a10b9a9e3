"""What the review found: odd but signed input, unreachable platforms, impatient clients, citizens writing back."""
from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from listeners import simulator
from listeners.ingest import IngestWriter
from storage.models import Case, Message, OutboxMessage
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub


def test_signed_but_absurd_events_are_skipped_not_500(make_server, backend: str) -> None:
    server: LiveServer = make_server(backend)
    huge_time = server.line_text("เวลาเกินจริง", timestamp=10**20)
    overflow = server.line_text("เวลาใหญ่เกินทศนิยม", timestamp=10**400)  # int() fine, the datetime overflows
    long_id = server.line_text("รหัสยาวผิดปกติ", event_id="E" * 500)
    nul = server.line_text("ไฟดับ\u0000 ซอย 3 ครับ")
    response = server.post_line(huge_time, overflow, long_id, nul)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 1, "duplicates": 0, "skipped": 3}
    with server.runtime.db.session() as session:
        assert session.scalars(select(Message.text).where(Message.direction == "in")).one() == "ไฟดับ ซอย 3 ครับ"
    not_a_list = {"object": "page", "entry": [{"id": "100000000000001", "time": 1, "messaging": 5, "changes": "x"}]}
    response = server.post_facebook(not_a_list)
    assert response.status_code == 200 and response.json()["skipped"] == 2


def test_a_webhook_client_that_gives_up_does_not_stop_the_writer(make_server) -> None:
    server: LiveServer = make_server(run_worker=False)
    published: list[list[int]] = []
    writer = IngestWriter(lambda: server.runtime.db, publish=published.append)
    channel_messages = []
    for n in range(3):
        from channels.line.inbound import LineChannel

        body = simulator.line_body(server.line_text(f"เรื่องที่ {n}", user=f"impatient-{n}"))
        channel_messages.append(LineChannel(channel_secret="x").messages(body)[0])

    async def scenario() -> list[int]:
        impatient = asyncio.ensure_future(writer.store(channel_messages[0]))
        impatient.cancel()  # the platform's HTTP client timed out and hung up
        await asyncio.sleep(0.2)
        first = await asyncio.wait_for(writer.store(channel_messages[1]), timeout=10)
        second = await asyncio.wait_for(writer.store(channel_messages[2]), timeout=10)
        return first + second

    try:
        assert len(asyncio.run(scenario())) == 2
    finally:
        writer.close()


def test_an_unreachable_line_api_is_retried_with_backoff(make_server, platform_stub: PlatformStub) -> None:
    server: LiveServer = make_server(line_api_base_url="http://127.0.0.1:1")  # nothing listens there
    server.post_line(server.line_text("ขยะล้นถังหน้าตลาดค่ะ"))

    def attempted() -> OutboxMessage | None:
        with server.runtime.db.session() as session:
            row = session.scalars(select(OutboxMessage)).first()
            return row if row is not None and row.attempts >= 2 else None

    row = server.wait_until(attempted, timeout=60)
    assert row.status in ("pending", "sending")
    assert row.last_error and "unreachable" in row.last_error.lower()


def test_earlier_photo_joins_the_case_and_writing_back_reopens_it(make_server, platform_stub: PlatformStub) -> None:
    server: LiveServer = make_server()
    user = simulator.line_user_id("photo-first")
    photo = simulator.line_event(user_id=user, timestamp_ms=int(time.time() * 1000),
                                 message={"id": "9001", "type": "image", "contentProvider": {"type": "line"}})
    server.post_line(photo)
    server.post_line(server.line_text("ถนนหน้าบ้านพังเป็นหลุมใหญ่ตามรูปเลยครับ ซอย 7", user="photo-first"))
    case = server.wait_until(lambda: _first_case(server))
    with server.runtime.db.session() as session:
        kinds = session.scalars(select(Message.kind).where(Message.case_id == case.id, Message.direction == "in")
                                .order_by(Message.id)).all()
    assert kinds == ["image", "text"]

    server.add_user("works@example.go.th", role="officer", unit=case.unit_code)
    headers = server.token("works@example.go.th")
    assert server.client.post(f"/api/cases/{case.id}/status", json={"status": "resolved", "no_photo_reason": "ซ่อมเสร็จตอนกลางคืน ถ่ายภาพไม่ได้"},
                              headers=headers).status_code == 200
    server.post_line(server.line_text("ยังไม่ได้ซ่อมเลยครับ หลุมยังอยู่", user="photo-first"))
    server.wait_until(lambda: (c := _first_case(server)) is not None and c.status == "in_progress")
    with server.runtime.db.session() as session:
        assert len(session.scalars(select(Case)).all()) == 1, "writing back reopens the case, not a new ticket"
    history = server.client.get(f"/api/cases/{case.id}", headers=headers).json()["history"]
    assert any(h["action"] == "reopened" for h in history)


def test_pages_answer_in_thai_when_something_is_wrong(live_server: LiveServer) -> None:
    missing = live_server.client.get("/no-such-page")
    assert missing.status_code == 404 and "ไม่พบหน้านี้" in missing.text
    api = live_server.client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["detail"] == "Not Found"


def _first_case(server: LiveServer) -> Case | None:
    with server.runtime.db.session() as session:
        return session.scalars(select(Case).order_by(Case.id)).first()
