"""Facebook Page webhook (Messenger and comments on the Page's posts) → citizen messages."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from listeners.base import CitizenMessage, InputChannel, WebhookRejected, from_epoch_ms, require_str


class FacebookChannel(InputChannel):
    """A Facebook Page subscribed to `messages`, `messaging_postbacks` and `feed`."""

    name = "facebook"

    def __init__(self, *, app_secret: str, verify_token: str) -> None:
        self._app_secret = app_secret.encode("utf-8")
        self._verify_token = verify_token

    def handshake(self, *, mode: str | None, token: str | None, challenge: str | None) -> str:
        """Answer Facebook's subscription check with the challenge, or raise 403."""
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

    def parse_events(self, payload: dict[str, Any]) -> Iterable[tuple[dict[str, Any], Any]]:
        """Messenger events live in entry[].messaging[], Page feed changes in entry[].changes[]."""
        if payload.get("object") != "page" or not isinstance(payload.get("entry"), list):
            raise WebhookRejected(400, "expected a Page webhook: object=page with an entry list")
        for entry in payload["entry"]:
            if not isinstance(entry, dict):
                yield entry, None  # normalise() reports it as malformed
                continue
            for key in ("messaging", "changes"):
                items = entry.get(key) or []
                for event in items if isinstance(items, list) else [items]:  # not a list: reported as malformed
                    yield event, (key, entry)

    def normalise(self, event: dict[str, Any], context: Any) -> CitizenMessage | None:
        """A Messenger event or a feed change → a citizen message; echoes and our own comments → None."""
        where, entry = context
        if not isinstance(event, dict):
            raise TypeError(f"{where} item is not an object")
        page_id = str(entry["id"])
        if where == "messaging":
            return self._messenger(event, page_id)
        return self._comment(event, page_id)

    def _messenger(self, event: dict[str, Any], page_id: str) -> CitizenMessage | None:
        """Text, quick reply, attachments or postback sent to the Page in Messenger."""
        sender = require_str(str(event["sender"]["id"]), "sender.id")
        if sender == page_id:
            return None
        common = dict(channel="facebook", external_user_id=sender, sent_at=from_epoch_ms(event["timestamp"]), raw=event)
        if "message" in event:
            message = event["message"]
            if message.get("is_echo"):
                return None
            mid = require_str(message["mid"], "message.mid")
            attachments = tuple(_attachment(a) for a in message.get("attachments") or ())
            location = next((a.get("location") for a in attachments if a.get("type") == "location"), None)
            text = str(message.get("text") or "")
            kind = "text" if text else (attachments[0]["type"] if attachments else "other")
            if kind not in {"text", "image", "video", "audio", "file", "location", "sticker"}:
                kind = "other"
            return CitizenMessage(
                kind=kind, event_key=mid, external_message_id=mid, text=text, attachments=attachments,
                location=location, **common,
            )
        if "postback" in event:
            postback = event["postback"]
            key = postback.get("mid") or f"postback:{sender}:{event['timestamp']}:{postback.get('payload')}"
            return CitizenMessage(kind="postback", event_key=key, text=str(postback.get("payload") or ""), **common)
        return None  # reads, deliveries, reactions: nothing for the agency to act on

    def _comment(self, change: dict[str, Any], page_id: str) -> CitizenMessage | None:
        """A new comment on one of the Page's posts (public listening)."""
        if change.get("field") != "feed":
            return None
        value = change["value"]
        if value.get("item") != "comment" or value.get("verb") != "add":
            return None  # edits, removals, likes, the Page's own posts
        author = value["from"]
        author_id = require_str(str(author["id"]), "from.id")
        if author_id == page_id:
            return None  # the Page answering under its own post
        comment_id = require_str(value["comment_id"], "comment_id")
        return CitizenMessage(
            channel="facebook_comment",
            event_key=comment_id,
            kind="text" if value.get("message") else "other",
            external_user_id=author_id,
            external_message_id=comment_id,
            sent_at=_created_time(value.get("created_time")),
            raw=change,
            text=str(value.get("message") or ""),
            attachments=({"type": "photo", "url": value["photo"]},) if value.get("photo") else (),
            thread_ref=comment_id,
            display_name=author.get("name"),
        )


def _attachment(attachment: dict[str, Any]) -> dict[str, Any]:
    """A Messenger attachment reduced to what an officer needs."""
    kind = str(attachment.get("type") or "file")
    payload = attachment.get("payload") or {}
    if kind == "location" or "coordinates" in payload:
        coordinates = payload.get("coordinates") or {}
        return {"type": "location", "location": {"title": attachment.get("title"),
                "latitude": coordinates.get("lat"), "longitude": coordinates.get("long")}}
    if payload.get("sticker_id"):
        return {"type": "sticker", "sticker_id": payload["sticker_id"], "url": payload.get("url")}
    return {"type": kind, "url": payload.get("url")}


def _created_time(value: Any) -> dt.datetime:
    """Feed changes give created_time in epoch seconds; fall back to now when absent."""
    if value is None:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
