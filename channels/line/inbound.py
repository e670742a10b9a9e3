"""LINE Messaging API webhook → citizen messages."""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from listeners.base import CitizenMessage, InputChannel, WebhookRejected
from channels.line.payloads import LineBody, LineEvent, LineMessage, LineSource

MEDIA_KINDS = {"image", "video", "audio", "file"}


class LineChannel(InputChannel):
    """A LINE Official Account's webhook."""

    name = "line"
    summary = "LINE Messaging API webhook"

    def __init__(self, *, channel_secret: str) -> None:
        self._secret = channel_secret.encode("utf-8") if channel_secret else None

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        """Check x-line-signature: base64 HMAC-SHA256 of the raw body with the channel secret, compared in constant
        time (what the LINE SDK's SignatureValidator does, without loading the SDK's thousand modules at start)."""
        signature = headers.get("x-line-signature")
        if self._secret is None:
            raise WebhookRejected(401, "LINE_CHANNEL_SECRET is not configured")
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WebhookRejected(400, "body is not valid UTF-8") from exc
        expected = base64.b64encode(hmac.new(self._secret, body, hashlib.sha256).digest())
        if not signature or not hmac.compare_digest(signature.encode("utf-8", "surrogateescape"), expected):
            raise WebhookRejected(401, "invalid x-line-signature")

    def parse_events(self, payload: dict[str, Any]) -> Iterable[tuple[Any, Any]]:
        """LINE sends {"destination", "events": [...]}; an empty list is LINE's URL check."""
        try:
            body = LineBody.model_validate(payload)
        except ValidationError as exc:
            raise WebhookRejected(400, "events must be a list") from exc
        for event in body.events:
            yield event, None

    def normalise(self, event: Any, context: Any) -> CitizenMessage | None:
        """One LINE webhook event → a citizen message (or None for events not from a user)."""
        if not isinstance(event, dict):
            raise TypeError("event is not an object")
        try:
            checked = LineEvent.model_validate(event)  # its source too: one validation for a citizen's event
        except ValidationError:  # a bad event is skipped only when it is a user's; others are ignored, as always
            source = LineSource.model_validate(event.get("source") or {})
            if source.type != "user" or not source.userId:
                return None  # group or room chatter, or no user to answer: not a citizen's message to us
            raise
        source = checked.source
        if source.type != "user" or not source.userId:
            return None
        common = dict(
            channel=self.name,
            event_key=checked.webhookEventId,
            external_user_id=source.userId,
            sent_at=checked.timestamp,
            raw=event,
            reply_token=checked.replyToken,
            redelivered=bool(checked.deliveryContext and checked.deliveryContext.isRedelivery),
        )
        if checked.type == "message":
            if checked.message is None:
                raise ValueError("message event without a message")
            return self._message(checked.message, common)
        if checked.type in {"follow", "unfollow"}:
            return CitizenMessage(kind=checked.type, **common)
        if checked.type == "postback":
            if checked.postback is None:
                raise ValueError("postback event without postback data")
            return CitizenMessage(kind="postback", text=checked.postback.data, **common)
        return CitizenMessage(kind="other", **common)

    @staticmethod
    def _message(message: LineMessage, common: dict[str, Any]) -> CitizenMessage:
        """A LINE message object of any type."""
        if message.type == "text":
            if message.text is None:
                raise ValueError("text message without text")
            return CitizenMessage(kind="text", text=message.text, external_message_id=message.id, **common)
        if message.type == "location":
            location = {"title": message.title, "address": message.address,
                        "latitude": message.latitude, "longitude": message.longitude}
            text = " ".join(v for v in (message.title, message.address) if v)
            return CitizenMessage(
                kind="location", text=text, location=location, external_message_id=message.id, **common
            )
        if message.type == "sticker":
            sticker = {"packageId": message.packageId, "stickerId": message.stickerId, "keywords": message.keywords}
            return CitizenMessage(
                kind="sticker", attachments=({"type": "sticker", **sticker},), external_message_id=message.id,
                **common,
            )
        if message.type in MEDIA_KINDS:
            attachment = {"type": message.type, "line_message_id": message.id,
                          "provider": message.contentProvider.type if message.contentProvider else None}
            return CitizenMessage(
                kind=message.type, attachments=(attachment,), external_message_id=message.id, **common
            )
        return CitizenMessage(kind="other", external_message_id=message.id, **common)
