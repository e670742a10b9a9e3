"""Realistic, correctly signed webhook bodies, as LINE and Facebook send them (for `fangsiang simulate` and tests)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

SIMULATED_PAGE_ID = "100000000000001"  # the Facebook Page `fangsiang simulate` and the channel contract tests write to


def line_signature(body: bytes, secret: str) -> str:
    """x-line-signature: base64 of HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def facebook_signature(body: bytes, secret: str) -> str:
    """X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    """JSON body bytes, UTF-8, as the platforms send them."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def line_user_id(name: str) -> str:
    """A LINE-shaped user id (U + 32 hex) derived from any name."""
    return name if name.startswith("U") and len(name) == 33 else "U" + hashlib.sha256(name.encode()).hexdigest()[:32]


def line_event(*, user_id: str, timestamp_ms: int, event_type: str = "message", text: str | None = None,
               message: dict[str, Any] | None = None, event_id: str | None = None,
               redelivery: bool = False, **extra: Any) -> dict[str, Any]:
    """One LINE webhook event: a text message by default, or any type with its own fields."""
    event: dict[str, Any] = {
        "type": event_type, "mode": "active", "timestamp": timestamp_ms,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id or uuid.uuid4().hex.upper()[:26],
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if event_type != "unfollow":
        event["replyToken"] = uuid.uuid4().hex
    if event_type == "message":
        event["message"] = message or {"id": str(uuid.uuid4().int)[:18], "type": "text",
                                       "quoteToken": uuid.uuid4().hex, "text": text or ""}
    event.update(extra)
    return event


def line_body(*events: dict[str, Any]) -> dict[str, Any]:
    """A LINE webhook body holding these events."""
    return {"destination": "U" + "0" * 32, "events": list(events)}


def facebook_message_event(*, page_id: str, user_id: str, text: str, timestamp_ms: int,
                           mid: str | None = None) -> dict[str, Any]:
    """A Facebook Page webhook body with one Messenger text message."""
    return {"object": "page", "entry": [{"id": page_id, "time": timestamp_ms, "messaging": [{
        "sender": {"id": user_id}, "recipient": {"id": page_id}, "timestamp": timestamp_ms,
        "message": {"mid": mid or "m_" + uuid.uuid4().hex, "text": text}}]}]}


def facebook_comment_event(*, page_id: str, user_id: str, text: str, timestamp_ms: int,
                           comment_id: str | None = None, name: str = "ผู้ใช้ทดสอบ") -> dict[str, Any]:
    """A Facebook Page webhook body with one new comment on one of the Page's posts."""
    post_id = f"{page_id}_{timestamp_ms % 10**9}"
    return {"object": "page", "entry": [{"id": page_id, "time": timestamp_ms, "changes": [{"field": "feed", "value": {
        "item": "comment", "verb": "add", "comment_id": comment_id or f"{post_id}_{uuid.uuid4().int % 10**12}",
        "post_id": post_id, "message": text, "from": {"id": user_id, "name": name},
        "created_time": timestamp_ms // 1000}}]}]}
