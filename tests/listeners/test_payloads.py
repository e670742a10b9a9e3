"""The channel boundary: parse_body refuses what is not a readable body, and each bad event is skipped alone."""
from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listeners import simulator
from listeners.base import MAX_JSON_DEPTH, WebhookRejected, json_depth_exceeds, parse_body
from channels.facebook.inbound import FacebookChannel
from channels.line.inbound import LineChannel
from listeners.payloads import web_url

PAGE_ID = "100000000000001"
LINE = LineChannel(channel_secret="secret")
FACEBOOK = FacebookChannel(app_secret="secret", verify_token="token")


def line_text(text: str = "ไฟถนนดับทั้งซอยครับ", **fields: Any) -> dict[str, Any]:
    """A valid LINE text event with some fields overridden."""
    event = simulator.line_event(user_id=simulator.line_user_id("citizen"), text=text, timestamp_ms=1763700000000)
    event.update(fields)
    return event


def line_batch(*events: Any) -> tuple[list[str], int]:
    """Texts kept and events skipped when these events arrive in one LINE body (through parse_body)."""
    body = json.dumps(simulator.line_body(*events)).encode()
    messages, skipped = LINE.messages(parse_body(body))
    return [m.text for m in messages], skipped


@pytest.mark.parametrize("token", [[], {}, "\ud800", "a\x00b", 5.5, "x" * 201])
def test_a_bad_reply_token_skips_only_its_event(token: Any) -> None:
    assert line_batch(line_text("ดีค่ะ"), line_text("โทเค็นเสีย", replyToken=token)) == (["ดีค่ะ"], 1)


@pytest.mark.parametrize("field", ["webhookEventId", "replyToken"])
def test_nul_in_an_id_skips_the_event(field: str) -> None:
    assert line_batch(line_text("ดีค่ะ"), line_text("มี NUL", **{field: "ab\x00cd"})) == (["ดีค่ะ"], 1)


def test_nul_in_user_id_or_message_id_skips_the_event() -> None:
    bad_user = line_text("ผู้ใช้เสีย", source={"type": "user", "userId": "U\x00" + "0" * 31})
    bad_message = line_text("ข้อความเสีย")
    bad_message["message"]["id"] = "12\x0034"
    assert line_batch(line_text("ดีค่ะ"), bad_user, bad_message) == (["ดีค่ะ"], 2)


def test_lone_surrogates_skip_the_event_but_nul_in_text_is_dropped() -> None:
    texts, skipped = line_batch(line_text("ขยะ\ud83d ล้น"), line_text("ไฟดับ\x00 ซอย 3"), line_text("ok\udc00"))
    assert (texts, skipped) == (["ไฟดับ ซอย 3"], 2)
    surrogate_in_key = line_text("คีย์เสีย", extra={"\ud800": 1})
    assert line_batch(surrogate_in_key, line_text("ดีค่ะ")) == (["ดีค่ะ"], 1)


def test_nan_and_infinity_anywhere_skip_only_their_event() -> None:
    events = [line_text("ดีค่ะ"), line_text("nan", extra={"x": float("nan")}),
              line_text("inf", mode=float("inf")), line_text("-inf", nested={"a": [1, float("-inf")]})]
    body = json.dumps(simulator.line_body(*events)).encode()  # NaN, Infinity, -Infinity as Python writes them
    assert b"NaN" in body and b"-Infinity" in body
    messages, skipped = LINE.messages(parse_body(body))
    assert ([m.text for m in messages], skipped) == (["ดีค่ะ"], 3)
    overflow = json.dumps(simulator.line_body(line_text("ดีค่ะ"))).encode().replace(b'"active"', b"1e999")
    assert LINE.messages(parse_body(overflow))[1] == 1


def test_every_field_is_checked_and_normalised() -> None:
    location = line_text(message={"id": "1", "type": "location", "title": "จุดน้ำท่วม", "address": "หมู่ 4",
                                  "latitude": 13.75, "longitude": "x"})
    sticker = line_text(message={"id": "2", "type": "sticker", "packageId": 446, "stickerId": "1988",
                                 "keywords": ["ok", {"no": 1}]})
    text_not_string = line_text(message={"id": "3", "type": "text", "text": ["a"]})
    numeric_text = line_text(message={"id": "4", "type": "text", "text": 1234})
    redelivery = line_text("ส่งซ้ำ", deliveryContext={"isRedelivery": "maybe"})
    texts, skipped = line_batch(location, sticker, text_not_string, numeric_text, redelivery)
    assert (texts, skipped) == (["1234"], 4)


def test_facebook_name_as_a_list_skips_that_comment_only() -> None:
    good = simulator.facebook_comment_event(page_id=PAGE_ID, user_id="c1", text="ถนนพังค่ะ", timestamp_ms=1763700000000)
    bad = simulator.facebook_comment_event(page_id=PAGE_ID, user_id="c2", text="ชื่อแปลก", timestamp_ms=1763700000000)
    bad["entry"][0]["changes"][0]["value"]["from"]["name"] = ["นาย", "ก"]
    nul_name = simulator.facebook_comment_event(page_id=PAGE_ID, user_id="c3", text="ชื่อมี NUL",
                                                timestamp_ms=1763700000000, name="มาลี\x00")
    body = {"object": "page", "entry": good["entry"] + bad["entry"] + nul_name["entry"]}
    messages, skipped = FACEBOOK.messages(parse_body(json.dumps(body).encode()))
    assert skipped == 1
    assert [(m.text, m.display_name) for m in messages] == [("ถนนพังค่ะ", "ผู้ใช้ทดสอบ"), ("ชื่อมี NUL", "มาลี")]


def test_facebook_attachment_links_are_only_http() -> None:
    event = simulator.facebook_message_event(page_id=PAGE_ID, user_id="p1", text="", timestamp_ms=1763700000000)
    event["entry"][0]["messaging"][0]["message"] = {"mid": "m_1", "attachments": [
        {"type": "image", "payload": {"url": "javascript:alert(document.cookie)"}},
        {"type": "file", "payload": {"url": "data:text/html;base64,PHNjcmlwdD4="}},
        {"type": "image", "payload": {"url": "https://scontent.example/photo.jpg"}}]}
    message = FACEBOOK.messages(parse_body(json.dumps(event).encode()))[0][0]
    assert [a["url"] for a in message.attachments] == [None, None, "https://scontent.example/photo.jpg"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x",
                                 "//evil.example/x", "http:/x", "https://a b", "ftp://x", ""])
def test_web_url_refuses_other_schemes(url: str) -> None:
    assert web_url(url) is None


def test_web_url_keeps_http_links() -> None:
    assert web_url("https://example.org/a.jpg?x=1") == "https://example.org/a.jpg?x=1"
    assert web_url("HTTP://example.org/") == "HTTP://example.org/"


@pytest.mark.parametrize("body, reason", [
    (b"\xff\xfe\x00t", "UTF-8"),
    (b"{not json", "not valid JSON"),
    (b"[" * 1_000 + b"]" * 1_000, "deeper than"),
    (b'{"events": [' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"]}", "deeper than"),
    (b'{"events": [], "n": ' + b"9" * 4_301 + b"}", "integer too long"),
    (b'{"events": [' + b"[" * 5_000, "deeper than"),
])
def test_parse_body_answers_400_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(WebhookRejected) as refused:
        parse_body(body)
    assert refused.value.status_code == 400 and reason in refused.value.detail  # its speed: bench/worst_cases.py


def test_parse_body_reads_brackets_inside_strings_as_text() -> None:
    text = '[' * 500 + '{"' + '\\"' * 3 + '\\\\'
    body = json.dumps({"events": [], "note": text, "deep": [[[[1]]]]}).encode()
    assert parse_body(body)["note"] == text
    assert _depth(parse_body(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)) == MAX_JSON_DEPTH
    with pytest.raises(WebhookRejected):
        parse_body(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))


def _depth(value: Any) -> int:
    """How deep arrays and objects nest in a JSON value."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('[]{}"\\ab\u0e01\x00/'), max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.text(alphabet=st.sampled_from('[]{}"\\a'), max_size=4), children, max_size=3),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(json_documents, st.integers(0, 8), st.booleans())
def test_the_bracket_scan_agrees_with_the_parser(document: Any, limit: int, ascii_only: bool) -> None:
    body = json.dumps(document, ensure_ascii=ascii_only).encode()
    assert json_depth_exceeds(body, limit) == (_depth(document) > limit)
