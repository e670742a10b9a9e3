"""Channel parsing without a server, on payloads shaped exactly as LINE and Facebook send them."""
from __future__ import annotations

from channels.facebook.inbound import FacebookChannel
from channels.line.inbound import LineChannel

LINE_PAYLOAD = {"destination": "U0123456789abcdef0123456789abcdef", "events": [
    {"type": "message", "mode": "active", "timestamp": 1763700000000,
     "source": {"type": "user", "userId": "U4af4980629aaaaaaaaaaaaaaaaaaaaaa"}, "webhookEventId": "01JDXYZ",
     "deliveryContext": {"isRedelivery": False}, "replyToken": "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA",
     "message": {"id": "444573844083572737", "type": "text", "quoteToken": "q3Plxr4AgKd", "text": "ถนนพังครับ"}},
    {"type": "message", "mode": "active", "timestamp": 1763700001000,
     "source": {"type": "user", "userId": "U4af4980629aaaaaaaaaaaaaaaaaaaaaa"}, "webhookEventId": "01JDXZA",
     "deliveryContext": {"isRedelivery": True}, "replyToken": "b2",
     "message": {"id": "444573844083572738", "type": "location", "title": "จุดที่ถนนพัง",
                 "address": "ซอยสุขใจ 5 หมู่ 3", "latitude": 13.75, "longitude": 100.5}},
    {"type": "follow", "mode": "active", "timestamp": 1763700002000,
     "source": {"type": "user", "userId": "U4af4980629bbbbbbbbbbbbbbbbbbbbbb"}, "webhookEventId": "01JDXZB",
     "deliveryContext": {"isRedelivery": False}, "replyToken": "b3"},
]}

FACEBOOK_PAYLOAD = {"object": "page", "entry": [{"id": "PAGE_ID", "time": 1763700000000, "messaging": [
    {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE_ID"}, "timestamp": 1763700000000,
     "message": {"mid": "m_abc", "text": "สอบถามค่ะ"}}],
    "changes": [{"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "123_456",
                                            "post_id": "PAGE_ID_123", "message": "ไฟถนนดับค่ะ",
                                            "from": {"id": "777", "name": "สมหญิง"},
                                            "created_time": 1763700000}}]}]}


def test_line_text_location_and_follow_are_normalised() -> None:
    messages, skipped = LineChannel(channel_secret="s").messages(LINE_PAYLOAD)
    assert skipped == 0
    text, location, follow = messages
    assert (text.channel, text.kind, text.text, text.event_key) == ("line", "text", "ถนนพังครับ", "01JDXYZ")
    assert text.reply_token == "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA" and text.sent_at.year == 2025
    assert location.kind == "location" and location.location["address"] == "ซอยสุขใจ 5 หมู่ 3" and location.redelivered
    assert follow.kind == "follow"


def test_facebook_messenger_and_page_comment_are_normalised() -> None:
    messages, skipped = FacebookChannel(app_secret="s", verify_token="t").messages(FACEBOOK_PAYLOAD)
    assert skipped == 0
    by_channel = {m.channel: m for m in messages}
    assert by_channel["facebook"].text == "สอบถามค่ะ" and by_channel["facebook"].external_user_id == "PSID1"
    comment = by_channel["facebook_comment"]
    assert comment.text == "ไฟถนนดับค่ะ" and comment.thread_ref == "123_456" and comment.display_name == "สมหญิง"
