"""Webhook verification and bad input: 401/403/4xx with nothing stored, never a 500, never a lost valid event."""
from __future__ import annotations

from sqlalchemy import func, select

from listeners import simulator
from storage.models import InboundEvent, Message
from tests.support.server import LiveServer


def count(server: LiveServer, model: type) -> int:
    with server.runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_line_signature_is_required_and_checked(live_server: LiveServer) -> None:
    event = live_server.line_text("ไฟถนนดับทั้งซอยครับ")
    assert live_server.post_line(event, signature="").status_code == 401
    assert live_server.post_line(event, signature="bm90LXRoZS1zaWduYXR1cmU=").status_code == 401
    body = simulator.encode(simulator.line_body(event))
    wrong_key = simulator.line_signature(body, "another-channel-secret")
    assert live_server.post_line(body=body, signature=wrong_key).status_code == 401
    no_header = live_server.client.post("/webhooks/line", content=body, headers={"content-type": "application/json"})
    assert no_header.status_code == 401
    assert count(live_server, InboundEvent) == 0
    assert live_server.post_line(event).status_code == 200
    assert count(live_server, InboundEvent) == 1


def test_facebook_signature_256_is_required(live_server: LiveServer) -> None:
    payload = live_server.facebook_text("ขยะไม่มาเก็บค่ะ")
    body = simulator.encode(payload)
    sha1 = "sha1=" + __import__("hashlib").sha1(body).hexdigest()
    assert live_server.post_facebook(body=body, signature=sha1).status_code == 401
    assert live_server.post_facebook(body=body, signature="sha256=" + "0" * 64).status_code == 401
    assert live_server.post_facebook(body=body, signature="").status_code == 401
    assert count(live_server, InboundEvent) == 0
    assert live_server.post_facebook(body=body).status_code == 200
    assert count(live_server, InboundEvent) == 1


def test_facebook_verification_handshake(live_server: LiveServer) -> None:
    ok = live_server.client.get("/webhooks/facebook", params={
        "hub.mode": "subscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = live_server.client.get("/webhooks/facebook", params={
        "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"})
    assert wrong.status_code == 403
    assert live_server.client.get("/webhooks/facebook").status_code == 403


def test_malformed_bodies_get_a_clear_4xx(live_server: LiveServer) -> None:
    cases = {
        b"{not json": 400,
        b"\xff\xfe\x00t\x00h": 400,  # not UTF-8
        b"[]": 400,
        b'{"destination": "U0", "events": "nope"}': 400,
        b'"just a string"': 400,
    }
    for body, expected in cases.items():
        response = live_server.post_line(body=body)
        assert response.status_code == expected, (body, response.text)
        assert "error" in response.json()
        response = live_server.post_facebook(body=body)
        assert response.status_code == expected, (body, response.text)
    assert live_server.post_facebook({"object": "user", "entry": []}).status_code == 400
    assert count(live_server, InboundEvent) == 0


def test_body_over_one_megabyte_is_refused(live_server: LiveServer) -> None:
    event = live_server.line_text("ก" * 400_000)  # 1.2 MB in UTF-8
    response = live_server.post_line(event)
    assert response.status_code == 413
    assert count(live_server, InboundEvent) == 0


def test_a_bad_event_never_loses_the_good_ones_in_its_batch(live_server: LiveServer) -> None:
    good = live_server.line_text("ท่อระบายน้ำอุดตัน น้ำขังหน้าบ้านค่ะ")
    missing_id = live_server.line_text("ไม่มี event id")
    del missing_id["webhookEventId"]
    bad_time = live_server.line_text("เวลาเพี้ยน", timestamp="yesterday")
    unknown = simulator.line_event(user_id=simulator.line_user_id("x"), timestamp_ms=1763700000000,
                                   event_type="beacon", beacon={"hwid": "d41d8cd98f", "type": "enter"})
    group = live_server.line_text("ในกลุ่ม")
    group["source"] = {"type": "group", "groupId": "Cabc"}
    response = live_server.post_line(good, missing_id, bad_time, unknown, group, "not an event")
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 2, "duplicates": 0, "skipped": 3}
    with live_server.runtime.db.session() as session:
        kinds = sorted(session.scalars(select(Message.kind).where(Message.direction == "in")))
    assert kinds == ["other", "text"]


def test_empty_event_list_is_lines_url_check(live_server: LiveServer) -> None:
    response = live_server.post_line()
    assert response.status_code == 200
    assert response.json()["stored"] == 0


def test_all_line_event_types_are_stored_and_handled(live_server: LiveServer, platform_stub) -> None:  # type: ignore[no-untyped-def]
    user = simulator.line_user_id("event-types")
    ts = 1763700000000
    events = [
        simulator.line_event(user_id=user, timestamp_ms=ts, event_type="follow"),
        simulator.line_event(user_id=user, timestamp_ms=ts + 1, message={"id": "1001", "type": "image",
                             "contentProvider": {"type": "line"}}),
        simulator.line_event(user_id=user, timestamp_ms=ts + 2, message={"id": "1002", "type": "sticker",
                             "packageId": "446", "stickerId": "1988", "stickerResourceType": "STATIC"}),
        simulator.line_event(user_id=user, timestamp_ms=ts + 3, message={
            "id": "1003", "type": "location", "title": "จุดน้ำท่วม", "address": "ซอยวัดป่า หมู่ 4",
            "latitude": 13.7563, "longitude": 100.5018}),
        simulator.line_event(user_id=user, timestamp_ms=ts + 4, event_type="postback",
                             postback={"data": "action=menu&item=contact"}),
        simulator.line_event(user_id=user, timestamp_ms=ts + 5, event_type="unfollow"),
    ]
    response = live_server.post_line(*events)
    assert response.status_code == 200 and response.json()["stored"] == 6

    def all_processed() -> bool:
        with live_server.runtime.db.session() as session:
            return not session.scalar(select(func.count()).select_from(Message).where(
                Message.direction == "in", Message.processed_at.is_(None)))

    live_server.wait_until(all_processed)
    with live_server.runtime.db.session() as session:
        rows = session.execute(select(Message.kind, Message.location, Message.attachments)
                               .where(Message.direction == "in").order_by(Message.id)).all()
    assert [r.kind for r in rows] == ["follow", "image", "sticker", "location", "postback", "unfollow"]
    assert rows[3].location["latitude"] == 13.7563
    assert rows[2].attachments[0]["stickerId"] == "1988"
    # The welcome for the follow went out through the reply token.
    platform_stub.wait_for(lambda sent: any("เพิ่ม" in r.text for r in sent))


def test_unknown_facebook_items_are_ignored_not_errors(live_server: LiveServer) -> None:
    payload = {"object": "page", "entry": [{"id": "100000000000001", "time": 1, "messaging": [
        {"sender": {"id": "p1"}, "recipient": {"id": "100000000000001"}, "timestamp": 1763700000000,
         "read": {"watermark": 1}},
        {"sender": {"id": "100000000000001"}, "recipient": {"id": "p1"}, "timestamp": 1763700000000,
         "message": {"mid": "m_echo", "text": "ข้อความของเพจเอง", "is_echo": True}},
        {"sender": {"id": "p1"}, "recipient": {"id": "100000000000001"}, "timestamp": 1763700000001,
         "postback": {"title": "ติดต่อเจ้าหน้าที่", "payload": "CONTACT", "mid": "m_pb1"}},
        {"sender": {"id": "p1"}, "recipient": {"id": "100000000000001"}, "timestamp": 1763700000002,
         "message": {"mid": "m_qr1", "text": "แจ้งปัญหา", "quick_reply": {"payload": "REPORT"}}},
    ], "changes": [
        {"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like"}},
        {"field": "feed", "value": {"item": "comment", "verb": "edited", "comment_id": "c1"}},
        {"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "c2",
                                    "from": {"id": "100000000000001"}, "message": "เพจตอบเอง"}},
    ]}]}
    response = live_server.post_facebook(payload)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 2, "duplicates": 0, "skipped": 0}


def test_api_requires_a_token(live_server: LiveServer) -> None:
    assert live_server.client.get("/api/cases").status_code == 401
    assert live_server.client.get("/api/cases", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    live_server.add_user("officer@example.go.th", role="officer", unit="public_works")
    bad = live_server.client.post("/api/auth/token", data={"username": "officer@example.go.th", "password": "wrong"})
    assert bad.status_code == 401
    headers = live_server.token("officer@example.go.th")
    assert live_server.client.get("/api/cases", headers=headers).json()["items"] == []


def test_health_and_metrics(make_server) -> None:
    live_server = make_server(fangsiang_metrics_token="scrape-me-" + "x" * 24)
    health = live_server.client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "worker": "ok"}
    live_server.post_line(live_server.line_text("ขอบคุณค่ะ"))
    assert live_server.client.get("/metrics").status_code == 401
    assert live_server.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    metrics = live_server.client.get("/metrics", headers={"Authorization": "Bearer scrape-me-" + "x" * 24})
    assert metrics.status_code == 200
    assert 'fangsiang_webhook_events_total{channel="line",result="stored"}' in metrics.text
