"""Facebook Page webhook (Messenger and comments on the Page's posts) → citizen messages."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from channels.facebook.payloads import (
    FacebookAttachment,
    FacebookAttachmentPayload,
    FacebookBody,
    FacebookComment,
    FacebookCoordinates,
    FacebookEntry,
    FacebookMessaging,
)
from listeners.base import CitizenMessage, InputChannel, WebhookRejected
from listeners.payloads import web_url


class FacebookChannel(InputChannel):
    """A Facebook Page subscribed to `messages`, `messaging_postbacks` and `feed`."""

    name = "facebook"
    summary = "Facebook Page webhook (Messenger and Page comments)"
    handshake_params = ("hub.mode", "hub.verify_token", "hub.challenge")

    def __init__(self, *, app_secret: str, verify_token: str) -> None:
        self._app_secret = app_secret.encode("utf-8")
        self._verify_token = verify_token

    def handshake(self, query: Mapping[str, str]) -> str:
        """Answer Facebook's subscription check with the challenge, or raise 403."""
        mode, token, challenge = (query.get(p) for p in self.handshake_params)
        if (
            mode == "subscribe"
            and self._verify_token
            and token is not None
            and hmac.compare_digest(token.encode("utf-8"), self._verify_token.encode("utf-8"))
            and challenge is not None
        ):
            return challenge
        raise WebhookRejected(403, "verification failed")

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        """Check X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>."""
        if not self._app_secret:
            raise WebhookRejected(401, "FACEBOOK_APP_SECRET is not configured")
        header = headers.get("x-hub-signature-256", "")
        algorithm, _, received = header.partition("=")
        expected = hmac.new(self._app_secret, body, hashlib.sha256).hexdigest()
        if algorithm != "sha256" or not hmac.compare_digest(received.encode("ascii", "replace"), expected.encode()):
            raise WebhookRejected(401, "invalid X-Hub-Signature-256")

    def parse_events(self, payload: dict[str, Any]) -> Iterable[tuple[Any, Any]]:
        """Messenger events live in entry[].messaging[], Page feed changes in entry[].changes[]."""
        try:
            body = FacebookBody.model_validate(payload)
        except ValidationError as exc:
            raise WebhookRejected(400, "expected a Page webhook: object=page with an entry list") from exc
        if body.object != "page":
            raise WebhookRejected(400, "expected a Page webhook: object=page with an entry list")
        for entry in body.entry:
            if not isinstance(entry, dict):
                yield entry, None  # normalise() reports it as malformed
                continue
            for key in ("messaging", "changes"):
                items = entry.get(key) or []
                for event in items if isinstance(items, list) else [items]:  # not a list: reported as malformed
                    yield event, (key, entry)

    def normalise(self, event: Any, context: Any) -> CitizenMessage | None:
        """A Messenger event or a feed change → a citizen message; echoes and our own comments → None."""
        if context is None:
            raise TypeError("entry is not an object")
        where, entry = context
        if not isinstance(event, dict):
            raise TypeError(f"{where} item is not an object")
        page_id = FacebookEntry.model_validate(entry).id
        if where == "messaging":
            return self._messenger(event, page_id)
        return self._comment(event, page_id)

    def _messenger(self, event: dict[str, Any], page_id: str) -> CitizenMessage | None:
        """Text, quick reply, attachments or postback sent to the Page in Messenger."""
        checked = FacebookMessaging.model_validate(event)
        sender = checked.sender.id
        if sender == page_id:
            return None
        common = dict(channel="facebook", external_user_id=sender, sent_at=checked.timestamp, raw=event)
        if "message" in event:
            message = checked.message
            if message is None:
                raise ValueError("message is empty")
            if message.is_echo:
                return None
            quick = (event.get("message") or {}).get("quick_reply") or {}
            if isinstance(quick, dict) and isinstance(quick.get("payload"), str) and quick["payload"]:
                # A tapped quick reply: its payload is the signed postback data (the text is only its label).
                return CitizenMessage(kind="postback", event_key=message.mid, external_message_id=message.mid,
                                      text=quick["payload"][:1000], **common)
            attachments = tuple(_attachment(a) for a in message.attachments or ())
            location = next((a.get("location") for a in attachments if a.get("type") == "location"), None)
            text = message.text or ""
            kind = "text" if text else (attachments[0]["type"] if attachments else "other")
            if kind not in {"text", "image", "video", "audio", "file", "location", "sticker"}:
                kind = "other"
            return CitizenMessage(
                kind=kind, event_key=message.mid, external_message_id=message.mid, text=text,
                attachments=attachments, location=location, **common,
            )
        if "postback" in event:
            postback = checked.postback
            if postback is None:
                raise ValueError("postback is empty")
            key = postback.mid or f"postback:{sender}:{event['timestamp']}:{postback.payload}"
            return CitizenMessage(kind="postback", event_key=key, text=postback.payload or "", **common)
        return None  # reads, deliveries, reactions: nothing for the agency to act on

    def _comment(self, change: dict[str, Any], page_id: str) -> CitizenMessage | None:
        """A new comment on one of the Page's posts (public listening)."""
        if change.get("field") != "feed":
            return None
        value = change["value"]
        if not isinstance(value, dict):
            raise TypeError("feed change value is not an object")
        if value.get("item") != "comment" or value.get("verb") != "add":
            return None  # edits, removals, likes, the Page's own posts
        comment = FacebookComment.model_validate(value)
        if comment.author.id == page_id:
            return None  # the Page answering under its own post
        photo = web_url(comment.photo)
        return CitizenMessage(
            channel="facebook_comment",
            event_key=comment.comment_id,
            kind="text" if comment.message else "other",
            external_user_id=comment.author.id,
            external_message_id=comment.comment_id,
            sent_at=comment.created_time or dt.datetime.now(dt.UTC),
            raw=change,
            text=comment.message or "",
            attachments=({"type": "photo", "url": photo},) if photo else (),
            thread_ref=comment.comment_id,
            display_name=comment.author.name,
        )


def _attachment(attachment: FacebookAttachment) -> dict[str, Any]:
    """A Messenger attachment reduced to what an officer needs (links only when they are http or https)."""
    kind = attachment.type or "file"
    payload = attachment.payload or FacebookAttachmentPayload()
    if kind == "location" or payload.coordinates is not None:
        coordinates = payload.coordinates or FacebookCoordinates()
        return {"type": "location", "location": {"title": attachment.title,
                "latitude": coordinates.lat, "longitude": coordinates.long}}
    if payload.sticker_id:
        return {"type": "sticker", "sticker_id": payload.sticker_id, "url": web_url(payload.url)}
    return {"type": kind, "url": web_url(payload.url)}
