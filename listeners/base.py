"""What every channel turns its webhook into: one normalised citizen message per event."""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

from pydantic import ValidationError

from listeners.payloads import has_lone_surrogate, storable_json

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

    name: str = ""  # the channel's registered name: its webhook is POST /webhooks/<name>
    summary: str = ""  # the webhook's title in the API docs
    # The query parameters of the platform's GET subscription check (none: the channel has no GET route).
    handshake_params: tuple[str, ...] = ()

    def handshake(self, query: Mapping[str, str]) -> str:
        """Answer the platform's GET subscription check with its challenge, or raise WebhookRejected(403)."""
        raise WebhookRejected(405, "this channel has no subscription check")

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        """Raise WebhookRejected(401) unless the request is signed by the platform."""
        raise NotImplementedError

    def parse_events(self, payload: dict[str, Any]) -> Iterable[tuple[Any, Any]]:
        """Yield (raw event, parser context) pairs from the payload."""
        raise NotImplementedError

    def normalise(self, event: Any, context: Any) -> CitizenMessage | None:
        """One raw event → a citizen message, or None for an event we deliberately ignore."""
        raise NotImplementedError

    def messages(self, payload: Any) -> tuple[list[CitizenMessage], int]:
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
            except ValidationError as exc:
                skipped += 1
                log.warning("skipped a malformed %s event: %s", self.name, _where(exc))
                continue
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
                skipped += 1
                log.warning("skipped a malformed %s event: %s: %s", self.name, type(exc).__name__, str(exc)[:200])
                continue
            if message is None:
                continue
            good.append(message)
        return good, skipped


def _where(exc: ValidationError) -> str:
    """Which fields of an event failed validation and why, without their values (they may be personal data)."""
    return "; ".join(f"{'.'.join(str(p) for p in error['loc']) or 'event'}: {error['msg']}"
                     for error in exc.errors(include_url=False, include_input=False)[:3])


# Column sizes in storage: ids longer than these are not what the platforms send.
MAX_ID_CHARS = {"event_key": 200, "external_user_id": 128, "external_message_id": 200, "reply_token": 200,
                "thread_ref": 200}


def _storable(message: CitizenMessage) -> CitizenMessage:
    """Refuse what the database would reject: over-long or NUL-bearing ids, NaN/Infinity or lone surrogates in JSON."""
    for name, limit in MAX_ID_CHARS.items():
        value = getattr(message, name)
        if value is not None and (len(value) > limit or "\x00" in value or has_lone_surrogate(value)):
            raise ValueError(f"{name} is not a storable id")
    for name in ("raw", "attachments", "location"):
        problem = storable_json(getattr(message, name))
        if problem is not None:
            raise ValueError(f"{name} holds {problem}")
    if has_lone_surrogate(message.text) or (message.display_name and has_lone_surrogate(message.display_name)):
        raise ValueError("text holds a lone surrogate")
    name = message.display_name
    if "\x00" not in message.text and (not name or ("\x00" not in name and len(name) <= 200)):
        return message  # the usual case: nothing to drop or cut (a frozen copy costs as much as the checks above)
    name = name.replace("\x00", "")[:200] if name else name
    return replace(message, text=message.text.replace("\x00", ""), display_name=name)


# Webhook bodies --------------------------------------------------------------------------------------------------
MAX_JSON_DEPTH = 64  # LINE and Facebook bodies nest 5 or 6 levels
_OPENERS = frozenset(b"[{")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [1 if b in _OPENERS else -1 for b in range(256)]


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays/objects deeper than the limit, found without parsing (no recursion).

    Escaped backslashes and quotes are dropped, the rest is split at the real quotes (string contents are the odd
    pieces), and the brackets outside strings are counted. Where this reading and a JSON parser's could differ, the
    text is already invalid JSON at that point, so the parser stops there before nesting any deeper.
    """
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.split(b'"')[0::2]).translate(None, _NOT_BRACKETS)
    if sum(brackets.count(opener) for opener in (b"[", b"{")) <= limit:
        return False
    return max(accumulate(map(_STEP.__getitem__, brackets))) > limit


def parse_body(body: bytes) -> Any:
    """A webhook body as JSON, or WebhookRejected(400) saying why: not UTF-8, not JSON, too deep, a 4,300+ digit integer.

    NaN and Infinity (or 1e999) are read as floats on purpose: the channel skips just the event holding one (the
    database's JSON refuses them), so the other events of the batch are still stored.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookRejected(400, "body is not valid UTF-8") from exc
    if json_depth_exceeds(body):
        raise WebhookRejected(400, f"body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise WebhookRejected(400, f"body is not valid JSON: {exc.msg} at position {exc.pos}") from exc
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits, 4,300)
        raise WebhookRejected(400, "body has an integer too long to read") from exc
    except RecursionError as exc:  # not reached within MAX_JSON_DEPTH; kept so a deep body can never be a 500
        raise WebhookRejected(400, "body nests too deeply") from exc
