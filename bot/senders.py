"""Outbound channels: one small interface, one sender per platform."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import facebook
import requests
import urllib3

from agency.vocabulary import Channel

log = logging.getLogger(__name__)

RETRY_KEY_NAMESPACE = uuid.UUID("6f0f4a52-7d0e-4c3e-9a55-2f1d3b9e0c11")


@dataclass(frozen=True)
class OutgoingMessage:
    """What to send, to whom, on which channel."""

    channel: str
    recipient: str
    text: str
    idempotency_key: str
    reply_token: str | None = None
    thread_ref: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class SendError(Exception):
    """A send failed; `permanent` means retrying cannot help (blocked, unfollowed, bad request)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class OutputChannel(Protocol):
    """Sends one message to a citizen or raises SendError."""

    def send(self, message: OutgoingMessage) -> None:
        """Deliver the message."""


class LineSender:
    """LINE Messaging API through line-bot-sdk v3: the reply token first, push when it is used up or expired."""

    def __init__(self, *, access_token: str, base_url: str = "https://api.line.me", timeout: float = 10.0) -> None:
        line = _line_sdk()
        configuration = line.Configuration(host=base_url.rstrip("/"), access_token=access_token)
        self._api = line.MessagingApi(line.ApiClient(configuration))
        self._timeout = timeout

    def send(self, message: OutgoingMessage) -> None:
        """Reply with the token when there is one; on an invalid or expired token, push instead."""
        line = _line_sdk()
        messages = _line_messages(message)
        if message.reply_token:
            try:
                self._api.reply_message(
                    line.ReplyMessageRequest(reply_token=message.reply_token, messages=messages),
                    _request_timeout=self._timeout,
                )
                return
            except line.ApiException as exc:
                if exc.status != 400:
                    raise _line_error(exc) from exc
                log.info("LINE reply token not usable (%s); pushing instead", exc.status)
            except (OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
                raise SendError(f"LINE unreachable: {type(exc).__name__}", permanent=False) from exc
        retry_key = str(uuid.uuid5(RETRY_KEY_NAMESPACE, message.idempotency_key))
        try:
            self._api.push_message(
                line.PushMessageRequest(to=message.recipient, messages=messages),
                x_line_retry_key=retry_key,
                _request_timeout=self._timeout,
            )
        except line.ApiException as exc:
            if exc.status == 409:
                return  # LINE already accepted a push with this retry key: it was sent
            raise _line_error(exc) from exc
        except (OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
            raise SendError(f"LINE unreachable: {type(exc).__name__}", permanent=False) from exc


def _line_sdk() -> Any:
    """line-bot-sdk's messaging module, imported when a LINE sender is first needed (its import takes seconds)."""
    from linebot.v3 import messaging

    return messaging


def _line_messages(message: OutgoingMessage) -> list[Any]:
    """The rendered LINE messages (Flex, quick replies) when the outbox carries them, else the text message."""
    rendered = message.extra.get("messages") or ()
    try:
        built = [_line_sdk().Message.from_dict(item) for item in rendered[:5]]
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("rendered LINE message unusable (%s): sending the text fallback", type(exc).__name__)
        built = []
    return [m for m in built if m is not None] or [_line_text(message)]


def _line_text(message: OutgoingMessage) -> Any:
    """A plain LINE text message (the fallback when no rendered messages are carried)."""
    return _line_sdk().TextMessage(text=message.text[:5000])


def _line_error(exc: Any) -> SendError:
    """Map a LINE API error: 5xx and 429 are worth retrying; 4xx (blocked, bad request) are not."""
    status = exc.status or 0
    return SendError(f"LINE API {status}: {str(exc.body)[:300]}", permanent=400 <= status < 500 and status != 429)


class GraphUnavailable(requests.RequestException):
    """The Graph API answered 5xx or 429: worth retrying later."""


class _BaseUrlSession(requests.Session):
    """A requests session that sends facebook-sdk's Graph API calls to a configured base URL.

    It also turns 5xx and 429 answers into GraphUnavailable, which facebook-sdk lets through untouched.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(facebook.FACEBOOK_GRAPH_URL):
            url = self._base_url + url[len(facebook.FACEBOOK_GRAPH_URL):]
        response = super().request(method, url, *args, **kwargs)
        if response.status_code >= 500 or response.status_code == 429:
            raise GraphUnavailable(f"Graph API answered {response.status_code}", response=response)
        return response


# Graph API error codes that mean "try again later" (rate limits, temporary outages).
_FACEBOOK_TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 368, 613}


class FacebookSender:
    """Facebook Send API and comment replies through facebook-sdk's GraphAPI, kept behind our interface."""

    def __init__(self, *, page_access_token: str, graph_url: str = "https://graph.facebook.com/",
                 timeout: float = 10.0) -> None:
        self._graph = facebook.GraphAPI(
            access_token=page_access_token, timeout=timeout, version="3.1", session=_BaseUrlSession(graph_url)
        )

    def send(self, message: OutgoingMessage) -> None:
        """Messenger → me/messages; a Page comment → a reply under that comment."""
        try:
            if message.channel == Channel.FACEBOOK_COMMENT:
                self._graph.put_object(parent_object=message.thread_ref or message.recipient,
                                       connection_name="comments", message=message.text[:8000])
                return
            for body in _messenger_bodies(message):
                post_args = {
                    "recipient": json.dumps({"id": message.recipient}),
                    "messaging_type": message.extra.get("messaging_type", "RESPONSE"),
                    "message": json.dumps(body, ensure_ascii=False),
                }
                if message.extra.get("tag"):
                    post_args["tag"] = message.extra["tag"]
                self._graph.request(f"{self._graph.version}/me/messages", post_args=post_args)
        except facebook.GraphAPIError as exc:
            code = getattr(exc, "code", None)
            raise SendError(f"Graph API error {code}: {str(exc)[:300]}",
                            permanent=code not in _FACEBOOK_TRANSIENT_CODES) from exc
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise SendError(f"Graph API unreachable or answered badly: {type(exc).__name__}", permanent=False) from exc


def _messenger_bodies(message: OutgoingMessage) -> list[dict[str, Any]]:
    """The rendered Send API messages (quick replies, generic templates) when carried, else the text message."""
    rendered = [m for m in message.extra.get("messages") or () if isinstance(m, dict)]
    if rendered:
        return rendered[:5]
    return [{"text": message.text[:2000]}]


class TranscriptSender:
    """Used when a channel has no credentials (trying the service out): appends each message to a JSONL file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: OutgoingMessage) -> None:
        """Record the message as if it had been delivered."""
        record = {"at": dt.datetime.now(dt.UTC).isoformat(), "channel": message.channel,
                  "recipient": message.recipient, "text": message.text, "key": message.idempotency_key,
                  "messages": [m for m in message.extra.get("messages") or () if isinstance(m, dict)]}
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    _lock = threading.Lock()


class StatusPageSender:
    """The web report form's citizens have no chat: what they are told is read on the case's public status page."""

    def send(self, message: OutgoingMessage) -> None:
        """Nothing to deliver: the status page shows the officers' answers and every change of status."""


class Senders:
    """The sender for each channel."""

    def __init__(self, *, line: OutputChannel, facebook_sender: OutputChannel) -> None:
        self._by_channel = {Channel.LINE: line, Channel.FACEBOOK: facebook_sender,
                            Channel.FACEBOOK_COMMENT: facebook_sender, Channel.WEB: StatusPageSender()}

    def send(self, message: OutgoingMessage) -> None:
        """Send through the message's channel."""
        sender = self._by_channel.get(message.channel)
        if sender is None:
            raise SendError(f"no sender for channel {message.channel!r}", permanent=True)
        sender.send(message)
