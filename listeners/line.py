"""LINE Messaging API webhook → citizen messages."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from linebot.v3.webhook import SignatureValidator

from listeners.base import CitizenMessage, InputChannel, WebhookRejected, from_epoch_ms, require_str

MEDIA_KINDS = {"image", "video", "audio", "file"}


class LineChannel(InputChannel):
    """A LINE Official Account's webhook."""

    name = "line"

    def __init__(self, *, channel_secret: str) -> None:
        self._validator = SignatureValidator(channel_secret) if channel_secret else None

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        """Check x-line-signature (base64 HMAC-SHA256 of the raw body; the SDK compares in constant time)."""
        signature = headers.get("x-line-signature")
        if self._validator is None:
            raise WebhookRejected(401, "LINE_CHANNEL_SECRET is not configured")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WebhookRejected(400, "body is not valid UTF-8") from exc
        if not signature or not self._validator.validate(text, signature):
            raise WebhookRejected(401, "invalid x-line-signature")

    def parse_events(self, payload: dict[str, Any]) -> Iterable[tuple[dict[str, Any], Any]]:
        """LINE sends {"destination", "events": [...]}; an empty list is LINE's URL check."""
        events = payload.get("events")
        if not isinstance(events, list):
            raise WebhookRejected(400, "events must be a list")
        for event in events:
            yield event, None

    def normalise(self, event: dict[str, Any], context: Any) -> CitizenMessage | None:
        """One LINE webhook event → a citizen message (or None for events not from a user)."""
        if not isinstance(event, dict):
            raise TypeError("event is not an object")
        event_type = require_str(event["type"], "type")
        source = event.get("source") or {}
        if source.get("type") != "user" or not source.get("userId"):
            return None  # group or room chatter, or no user to answer: not a citizen's message to us
        common = dict(
            channel=self.name,
            event_key=require_str(event["webhookEventId"], "webhookEventId"),
            external_user_id=require_str(source["userId"], "userId"),
            sent_at=from_epoch_ms(event["timestamp"]),
            raw=event,
            reply_token=event.get("replyToken"),
            redelivered=bool((event.get("deliveryContext") or {}).get("isRedelivery")),
        )
        if event_type == "message":
            return self._message(event["message"], common)
        if event_type in {"follow", "unfollow"}:
            return CitizenMessage(kind=event_type, **common)
        if event_type == "postback":
            data = event["postback"]["data"]
            return CitizenMessage(kind="postback", text=str(data), **common)
        return CitizenMessage(kind="other", **common)

    @staticmethod
    def _message(message: dict[str, Any], common: dict[str, Any]) -> CitizenMessage:
        """A LINE message object of any type."""
        message_type = require_str(message["type"], "message.type")
        message_id = require_str(message["id"], "message.id")
        if message_type == "text":
            return CitizenMessage(kind="text", text=str(message["text"]), external_message_id=message_id, **common)
        if message_type == "location":
            location = {k: message.get(k) for k in ("title", "address", "latitude", "longitude")}
            text = " ".join(str(v) for v in (location["title"], location["address"]) if v)
            return CitizenMessage(
                kind="location", text=text, location=location, external_message_id=message_id, **common
            )
        if message_type == "sticker":
            sticker = {k: message.get(k) for k in ("packageId", "stickerId", "keywords")}
            return CitizenMessage(
                kind="sticker", attachments=({"type": "sticker", **sticker},), external_message_id=message_id,
                **common,
            )
        if message_type in MEDIA_KINDS:
            attachment = {"type": message_type, "line_message_id": message_id,
                          "provider": (message.get("contentProvider") or {}).get("type")}
            return CitizenMessage(
                kind=message_type, attachments=(attachment,), external_message_id=message_id, **common
            )
        return CitizenMessage(kind="other", external_message_id=message_id, **common)
