"""Against the live service on SQLite and PostgreSQL: a bad event never costs the good ones, a bad body is a 400."""
from __future__ import annotations

import json

from sqlalchemy import select

from listeners import simulator
from storage.models import Message
from tests.support.server import PAGE_ID, LiveServer


def _inbound_texts(server: LiveServer) -> list[str]:
    with server.runtime.db.session() as session:
        return sorted(session.scalars(select(Message.text).where(Message.direction == "in")))


def test_malformed_events_are_skipped_and_the_rest_stored(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: LiveServer = make_server(backend, run_worker=False)
    bad = [server.line_text("โทเค็นว่าง", replyToken=[]), server.line_text("โทเค็นวัตถุ", replyToken={}),
           server.line_text("โทเค็นครึ่ง", replyToken="\ud800"), server.line_text("ข้อความครึ่ง \udc00"),
           server.line_text("ผู้ใช้ NUL", user="U\x00bad"), server.line_text("event NUL", event_id="E\x00F"),
           server.line_text("reply NUL", replyToken="r\x00t"), server.line_text("NaN", mode=float("nan")),
           server.line_text("Infinity", extra=[float("inf"), float("-inf")])]
    bad[4]["source"]["userId"] = "U\x00" + "a" * 31
    message_nul = server.line_text("message NUL")
    message_nul["message"]["id"] = "99\x0001"
    good = [server.line_text("ไฟดับหน้าโรงเรียนค่ะ"), server.line_text("ท่อแตก\x00 น้ำไหลทั้งคืนครับ")]
    body = json.dumps(simulator.line_body(good[0], *bad, message_nul, good[1])).encode()
    response = server.post_line(body=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 2, "duplicates": 0, "skipped": 10}

    comment = server.facebook_comment("ถนนพังตรงทางโค้งค่ะ", user="c-good")
    listed = server.facebook_comment("ชื่อเป็นรายการ", user="c-bad")
    listed["entry"][0]["changes"][0]["value"]["from"]["name"] = ["นาง", "มาลี"]
    nan = server.facebook_text("NaN ใน messenger", user="p-nan")
    nan["entry"][0]["messaging"][0]["timestamp"] = float("nan")
    payload = {"object": "page", "entry": comment["entry"] + listed["entry"] + nan["entry"]}
    response = server.post_facebook(body=json.dumps(payload).encode())
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 1, "duplicates": 0, "skipped": 2}
    assert _inbound_texts(server) == sorted(["ไฟดับหน้าโรงเรียนค่ะ", "ท่อแตก น้ำไหลทั้งคืนครับ", "ถนนพังตรงทางโค้งค่ะ"])


def test_unreadable_signed_bodies_answer_400(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: LiveServer = make_server(backend, run_worker=False)
    good = simulator.encode(simulator.line_body(server.line_text("ขยะไม่มาเก็บค่ะ")))
    bodies = {
        "1,000 levels": b'{"events": [' + b"[" * 1_000 + b"]" * 1_000 + b"]}",
        "100,000 levels": b'{"events": [' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"]}",
        "4,301 digits": good[:-1] + b', "n": ' + b"7" * 4_301 + b"}",
    }
    for name, body in bodies.items():
        line = server.post_line(body=body)
        assert line.status_code == 400 and "error" in line.json(), (name, line.text[:200])
        facebook = server.post_facebook(body=body.replace(b'"events"', b'"object": "page", "entry"'))
        assert facebook.status_code == 400, (name, facebook.text[:200])
    assert _inbound_texts(server) == []
    assert server.post_line(body=good).status_code == 200
    assert server.post_facebook(server.facebook_text("ไฟดับค่ะ", user=PAGE_ID + "0")).status_code == 200
