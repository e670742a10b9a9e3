"""The whole path, on SQLite and on PostgreSQL + Redis: signed webhook → case with ticket → acknowledgement."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from storage.models import Case, Message, OutboxMessage
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub

TICKET = re.compile(r"^FS-25\d\d-\d{6}$")


def cases(server: LiveServer) -> list[Case]:
    with server.runtime.db.session() as session:
        return list(session.scalars(select(Case).order_by(Case.id)))


def test_line_complaint_becomes_a_case_and_the_citizen_gets_the_ticket(make_server, platform_stub: PlatformStub,
                                                                        backend: str) -> None:
    server: LiveServer = make_server(backend)
    event = server.line_text("ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอไซค์ล้มไปสองคันแล้วครับ ซอยเทศบาล 5 หมู่ 3")
    response = server.post_line(event)
    assert response.status_code == 200 and response.json()["stored"] == 1

    sent = platform_stub.wait_for(lambda s: any("/v2/bot/message/" in r.path for r in s))
    (case,) = server.wait_until(lambda: cases(server))
    assert TICKET.match(case.ticket)
    assert case.channel == "line" and case.status == "new"
    assert case.intent == "complaint"
    assert case.unit_code == "public_works"
    assert case.due_at > case.created_at
    reply = next(r for r in sent if "/v2/bot/message/" in r.path)
    assert reply.path.endswith("/reply"), "the fresh reply token is used first"
    assert reply.json["replyToken"] == event["replyToken"]
    assert reply.headers["authorization"] == "Bearer test-line-access-token"
    assert case.ticket in reply.text and "กองช่าง" in reply.text
    # the response standard: working days, or the same day when the classifier found people in danger
    assert ("ภายในวันนี้" if case.priority == "urgent" else "วันทำการ") in reply.text

    server.add_user("works@example.go.th", role="officer", unit="public_works")
    headers = server.token("works@example.go.th")
    listed = server.client.get("/api/cases", headers=headers).json()["items"]
    assert [c["ticket"] for c in listed] == [case.ticket]
    assert set(listed[0]) >= {"id", "ticket", "channel", "intent", "unit", "status", "created_at", "due_at"}
    detail = server.client.get(f"/api/cases/{case.id}", headers=headers).json()
    assert [m["direction"] for m in detail["messages"]] == ["in", "out"]
    server.wait_until(lambda: server.client.get(f"/api/cases/{case.id}", headers=headers)
                      .json()["messages"][1]["delivery"] == "sent")


def test_follow_up_messages_attach_to_the_open_case(make_server, platform_stub: PlatformStub, backend: str) -> None:
    server: LiveServer = make_server(backend)
    server.post_line(server.line_text("ขยะไม่มาเก็บสามวันแล้วค่ะ ส่งกลิ่นเหม็นมาก", user="somsri"))
    server.wait_until(lambda: cases(server))
    server.post_line(server.line_text("อยู่ตรงหน้าตลาดสดนะคะ", user="somsri"))
    server.post_line(server.line_text("ไฟถนนดับทั้งซอยครับ", user="another"))

    def settled() -> bool:
        with server.runtime.db.session() as session:
            return not session.scalar(select(func.count()).select_from(Message).where(Message.processed_at.is_(None)))

    server.wait_until(settled)
    rows = cases(server)
    assert len(rows) == 2
    with server.runtime.db.session() as session:
        first_thread = session.scalars(select(Message.text).where(Message.case_id == rows[0].id,
                                                                  Message.direction == "in")).all()
    assert first_thread == ["ขยะไม่มาเก็บสามวันแล้วค่ะ ส่งกลิ่นเหม็นมาก", "อยู่ตรงหน้าตลาดสดนะคะ"]
    assert rows[0].unit_code == "environment"


def test_redelivered_and_duplicate_events_make_one_case(make_server, platform_stub: PlatformStub, backend: str) -> None:
    server: LiveServer = make_server(backend)
    event = server.line_text("น้ำท่วมขังหน้าโรงเรียนอนุบาล เด็กเดินไม่ได้ค่ะ")
    first = server.post_line(event, event)  # the same event twice in one batch
    assert first.json() == {"stored": 1, "duplicates": 1, "skipped": 0}
    redelivered = dict(event, deliveryContext={"isRedelivery": True})
    assert server.post_line(redelivered).json() == {"stored": 0, "duplicates": 1, "skipped": 0}
    fb = server.facebook_text("ไฟถนนหน้าบ้านดับมาสองคืนแล้วค่ะ มืดมาก ซอยเทศบาล 8", mid="m_same")
    assert server.post_facebook(fb).json()["stored"] == 1
    assert server.post_facebook(fb).json()["duplicates"] == 1
    platform_stub.wait_for(lambda s: len(s) >= 2)
    server.wait_until(lambda: len(cases(server)) == 2)
    with server.runtime.db.session() as session:
        # One acknowledgement per case (the optional citizen-group question is its own message, once per citizen;
        # on Messenger each further part of it is its own row, "ack:<case>:partN").
        assert session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.idempotency_key.like("ack:%"),
                                     OutboxMessage.idempotency_key.not_like("%:part%"))) == 2


def test_facebook_messenger_and_page_comments(make_server, platform_stub: PlatformStub, backend: str) -> None:
    server: LiveServer = make_server(backend)
    server.post_facebook(server.facebook_text("ท่อระบายน้ำหน้าบ้านอุดตัน น้ำเน่าส่งกลิ่นเหม็นมากค่ะ", user="psid-42"))
    server.post_facebook(server.facebook_comment("ไฟทางดับมาเป็นอาทิตย์แล้ว ซอยวัดป่าไม่มีใครมาซ่อมเลย",
                                                 user="fb-user-7", comment_id="100000000000001_55_777"))
    sent = platform_stub.wait_for(lambda s: any("/me/messages" in r.path for r in s)
                                  and any(r.path.endswith("/comments") for r in s))
    rows = cases(server)
    assert {c.channel for c in rows} == {"facebook", "facebook_comment"}
    messenger = next(r for r in sent if "/me/messages" in r.path)
    assert messenger.json["recipient"] == {"id": "psid-42"}
    assert messenger.json["messaging_type"] == "RESPONSE"
    ticket = next(c.ticket for c in rows if c.channel == "facebook")
    # The acknowledgement is a case card (generic template) after the one-time privacy notice.
    assert any(ticket in json.dumps(r.json["message"], ensure_ascii=False) for r in sent if "/me/messages" in r.path)
    assert messenger.json["access_token"] == "test-page-token"
    comment = next(r for r in sent if r.path.endswith("/comments"))
    assert "100000000000001_55_777" in comment.path
    assert next(c.ticket for c in rows if c.channel == "facebook_comment") in comment.text


def test_a_burst_from_many_citizens(make_server, platform_stub: PlatformStub, backend: str) -> None:
    server: LiveServer = make_server(backend)
    complaints = ["ไฟถนนดับค่ะ ซอย {n}", "ขยะล้นถังหน้าบ้านเลขที่ {n} ครับ", "ท่อระบายน้ำตันที่ซอย {n} น้ำเน่ามาก"]

    def citizen(n: int) -> int:
        texts = [complaints[n % 3].format(n=n), f"เพิ่มเติมค่ะ อยู่ใกล้ร้านค้าหมายเลข {n}"]
        return sum(server.post_line(server.line_text(t, user=f"burst-{n}")).status_code == 200 for t in texts)

    with ThreadPoolExecutor(max_workers=16) as pool:
        accepted = sum(pool.map(citizen, range(60)))
    assert accepted == 120

    def unprocessed() -> int:  # polled: a read session never queues for SQLite's write lock
        with server.runtime.db.read_session() as session:
            return session.scalar(select(func.count()).select_from(Message).where(Message.processed_at.is_(None)))

    drain(unprocessed)
    rows = cases(server)
    assert len(rows) == 60, "each citizen's follow-up attaches to their case"
    assert len({c.ticket for c in rows}) == 60

    def unsent() -> int:  # acknowledgements, follow-up notes and the one-time group question: nothing left behind
        with server.runtime.db.read_session() as session:
            return session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent"))

    drain(unsent)  # a row is marked sent once the platform has answered it
    sent = platform_stub.sent()
    assert all(any(c.ticket in r.text for r in sent) for c in rows), "every citizen got their ticket"
    with server.runtime.db.session() as session:
        acks = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.idempotency_key.like("ack:%")))
    assert acks == len(rows), "one acknowledgement per case, never two"


def drain(left: Callable[[], int], *, stall_seconds: float = 90.0) -> None:
    """Wait until left() is 0. A burst takes as long as the machine needs (a busy one is slow, not wrong): this fails
    only when nothing moved for stall_seconds (a stuck worker or a message it can never finish)."""
    last, moved_at = left(), time.monotonic()
    while last:
        time.sleep(0.1)
        now = left()
        if now < last:
            last, moved_at = now, time.monotonic()
        elif time.monotonic() - moved_at > stall_seconds:
            raise AssertionError(f"{now} still waiting and none done in the last {stall_seconds:.0f} s")


def test_outbox_survives_an_outage_and_never_sends_twice(make_server, platform_stub: PlatformStub,
                                                         backend: str) -> None:
    server: LiveServer = make_server(backend)
    platform_stub.fail_next(4, status=503)
    server.post_line(server.line_text("ต้นไม้ล้มขวางถนนหลังพายุเมื่อคืนครับ"))
    sent = platform_stub.wait_for(lambda s: any("/v2/bot/message/push" in r.path and "FS-" in r.text for r in s),
                                  timeout=60)
    def acknowledgement() -> OutboxMessage:  # the group question is its own message
        with server.runtime.db.session() as session:
            return session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key.like("ack:%"))).one()

    # the platform answered; the worker records it a moment later
    row = server.wait_until(lambda: (found := acknowledgement()).status == "sent" and found)
    assert row.status == "sent" and row.attempts >= 3
    pushes = [r for r in sent if "/v2/bot/message/push" in r.path and "FS-" in r.text]
    assert len(pushes) == 1
    failed = [r for r in platform_stub.requests if r.status == 503 and "FS-" in r.text]
    keys = {r.headers.get("x-line-retry-key") for r in failed if "/push" in r.path} | {pushes[0].headers["x-line-retry-key"]}
    assert len(keys) == 1, "every push attempt carries the same retry key, so LINE drops repeats"
    assert server.worker.dispatch_outbox() == 0  # nothing left to send


def test_used_reply_token_falls_back_to_push(make_server, platform_stub: PlatformStub) -> None:
    server: LiveServer = make_server()
    event = server.line_text("ถนนหน้าบ้านเป็นหลุมลึกค่ะ รถล้มไปแล้ว ซอยสุขใจ 3")
    platform_stub._reply_token_used.add(event["replyToken"])  # as if the token had already been used
    server.post_line(event)
    sent = platform_stub.wait_for(lambda s: any(r.path.endswith("/push") for r in s))
    push = next(r for r in sent if r.path.endswith("/push"))
    assert push.json["to"] == event["source"]["userId"]
    assert "FS-" in push.text


def test_database_outage_answers_503_so_the_platform_redelivers(make_server, platform_stub: PlatformStub) -> None:
    from storage.db import Database

    server: LiveServer = make_server()
    working = server.runtime.db
    server.runtime.db = Database("postgresql+psycopg://root@127.0.0.1:1/nowhere")  # nothing listens on port 1
    event = server.line_text("ไฟไหม้หญ้าข้างทาง ควันเต็มหมู่บ้านเลยค่ะ")
    try:
        response = server.post_line(event)
        assert response.status_code == 503
        assert response.headers["retry-after"]
    finally:
        server.runtime.db.dispose()
        server.runtime.db = working
    redelivered = dict(event, deliveryContext={"isRedelivery": True})
    assert server.post_line(redelivered).json()["stored"] == 1
    sent = platform_stub.wait_for(lambda s: any("FS-" in r.text for r in s))
    assert len([r for r in sent if "FS-" in r.text]) == 1  # one acknowledgement for the redelivered event
