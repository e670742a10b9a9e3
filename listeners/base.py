"""What every channel turns its webhook into: one normalised citizen message per event."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CitizenMessage:
    """One event from a citizen on one channel, normalised."""

    channel: str  # line | facebook | facebook_comment
    event_key: str  # the channel's own event id: dedupes redeliveries
    kind: str  # text, image, video, audio, file, sticker, location, follow, unfollow, postback, other
    external_user_id: str
    sent_at: dt.datetime
    raw: dict[str, Any]
    external_message_id: str | None = None
    text: str = ""
    attachments: tuple[dict[str, Any], ...] = ()
    location: dict[str, Any] | None = None
    reply_token: str | None = None
    thread_ref: str | None = None  # where to answer in public (a Facebook comment id)
    display_name: str | None = None
    redelivered: bool = False


class WebhookRejected(Exception):
    """The request as a whole is unacceptable (bad signature, not JSON, wrong shape)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class InputChannel:
    """A channel's webhook: verify the request, then parse its events into citizen messages."""

    name: str = ""

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        """Raise WebhookRejected(401) unless the request is signed by the platform."""
        raise NotImplementedError

    def parse_events(self, payload: dict[str, Any]) -> Iterable[tuple[dict[str, Any], Any]]:
        """Yield (raw event, parser context) pairs from the payload."""
        raise NotImplementedError

    def normalise(self, event: dict[str, Any], context: Any) -> CitizenMessage | None:
        """One raw event → a citizen message, or None for an event we deliberately ignore."""
        raise NotImplementedError

    def messages(self, payload: dict[str, Any]) -> tuple[list[CitizenMessage], int]:
        """All good events of a batch, and how many were skipped: one bad event never loses the others."""
        if not isinstance(payload, dict):
            raise WebhookRejected(400, "body must be a JSON object")
        good: list[CitizenMessage] = []
        skipped = 0
        for event, context in self.parse_events(payload):
            try:
                message = self.normalise(event, context)
                if message is not None:
                    message = _storable(message)
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
                skipped += 1
                log.warning("skipped a malformed %s event: %s", self.name, type(exc).__name__)
                continue
            if message is None:
                continue
            good.append(message)
        return good, skipped


# Column sizes in storage: ids longer than these are not what the platforms send.
MAX_ID_CHARS = {"event_key": 200, "external_user_id": 128, "external_message_id": 200, "reply_token": 200,
                "thread_ref": 200}


def _storable(message: CitizenMessage) -> CitizenMessage:
    """Refuse ids that cannot be real; drop NUL characters and over-long names that the database would reject."""
    for name, limit in MAX_ID_CHARS.items():
        value = getattr(message, name)
        if value is not None and len(value) > limit:
            raise ValueError(f"{name} longer than {limit} characters")
    name = message.display_name.replace("\x00", "")[:200] if message.display_name else message.display_name
    return replace(message, text=message.text.replace("\x00", ""), display_name=name)


def from_epoch_ms(value: Any) -> dt.datetime:
    """A platform timestamp in epoch milliseconds → aware UTC datetime."""
    millis = int(value)
    if millis <= 0:
        raise ValueError("timestamp must be positive")
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)


def require_str(value: Any, name: str) -> str:
    """The value if it is a non-empty string, else ValueError."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value
