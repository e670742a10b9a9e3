"""Outbound: one small interface every channel's sender follows (`channels/<name>/sender.py`), the transcript
used without credentials, and the senders by channel."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


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


class Senders:
    """The sender for each channel, as the channel registry (`channels`) gives them."""

    def __init__(self, by_channel: Mapping[str, OutputChannel]) -> None:
        self._by_channel = dict(by_channel)

    def send(self, message: OutgoingMessage) -> None:
        """Send through the message's channel."""
        sender = self._by_channel.get(message.channel)
        if sender is None:
            raise SendError(f"no sender for channel {message.channel!r}", permanent=True)
        sender.send(message)
