"""Signed, compact postback data for LINE and Messenger buttons.

A postback is `fs1.<action>.<fields...>.<issued-at>.<signature>`: numbers in base 36, the issue time in seconds
since the epoch, and the first 128 bits of an HMAC-SHA256 over everything before it, in base64url. The longest one
is well under LINE's 300 characters. Forged, stale and malformed data raise a typed PostbackError.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

VERSION = "fs1"
LINE_DATA_LIMIT = 300
DEFAULT_MAX_AGE = dt.timedelta(days=14)
CLOCK_SKEW = dt.timedelta(minutes=5)

SURVEY_SCORES = (5, 4, 3, 2, 1)
SURVEY_REASONS = ("slow", "unresolved", "communication", "other")
FAQ_OUTCOMES = ("resolved", "ask_officer")
MENU_ITEMS = ("report", "status", "faq", "contact", "start")  # start: Messenger's Get Started button

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$")
_MAX_ID = 36**12  # any database id fits


class PostbackError(ValueError):
    """Postback data that cannot be trusted or read."""

    reason = "invalid"


class PostbackMalformed(PostbackError):
    """Not our format, an unknown action or out-of-range fields."""

    reason = "malformed"


class PostbackForged(PostbackError):
    """The signature does not match: someone wrote this data themselves, or the secret changed."""

    reason = "forged"


class PostbackStale(PostbackError):
    """Signed by us, but too long ago (an old survey or question)."""

    reason = "stale"


@dataclass(frozen=True)
class SurveyScore:
    """The citizen rated the service for a case, 5 (most satisfied) to 1."""

    case_id: int
    score: int


@dataclass(frozen=True)
class SurveyReason:
    """Why a citizen was dissatisfied: slow, unresolved, communication or other."""

    case_id: int
    reason: str


@dataclass(frozen=True)
class FollowUpChoice:
    """Whether the pending message adds to the open case (attach) or is a new matter."""

    case_id: int
    message_id: int
    attach: bool


@dataclass(frozen=True)
class StatusRequest:
    """The citizen asks for one case's status (a card's button or a carousel pick); a pick names the status
    question it answers, so that question is kept on the picked case."""

    case_id: int
    question_id: int | None = None


@dataclass(frozen=True)
class FaqFeedback:
    """After an FAQ answer: resolved, or the citizen wants an officer (ask_officer)."""

    entry_id: str
    outcome: str


@dataclass(frozen=True)
class MenuChoice:
    """A rich-menu or persistent-menu item: report, status, faq, contact, or start (Get Started)."""

    item: str


@dataclass(frozen=True)
class GroupChoice:
    """The citizen group the citizen says they belong to (optional question)."""

    group: str


Postback = SurveyScore | SurveyReason | FollowUpChoice | StatusRequest | FaqFeedback | MenuChoice | GroupChoice

_CODES: dict[type, str] = {SurveyScore: "sv", SurveyReason: "sr", FollowUpChoice: "fu", StatusRequest: "st",
                           FaqFeedback: "fq", MenuChoice: "mn", GroupChoice: "gp"}
_TYPES = {code: kind for kind, code in _CODES.items()}
# Menus are drawn once and live for months: their data is signed but never goes stale.
STATIC_ACTIONS: tuple[type, ...] = (MenuChoice,)


@dataclass(frozen=True)
class ReceivedPostback:
    """A postback that passed every check, with the moment it was issued."""

    action: Postback
    issued_at: dt.datetime


def _b36(value: int) -> str:
    """A non-negative integer id in base 36."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _MAX_ID:
        raise ValueError(f"ids must be non-negative integers below 36**12, not {value!r}")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
        if value == 0:
            return out


def _int(field: str) -> int:
    """Read a base-36 id field."""
    if not re.fullmatch(r"[0-9a-z]{1,12}", field):
        raise PostbackMalformed(f"bad number {field[:20]!r}")
    return int(field, 36)


def _code(field: str, allowed: tuple[str, ...] | None = None) -> str:
    """Read a code field (lower-case letters, digits, _ and -), checked against the allowed values."""
    if not _CODE_RE.match(field) or (allowed is not None and field not in allowed):
        raise PostbackMalformed(f"bad code {field[:20]!r}")
    return field


def _fields(action: Postback) -> list[str]:
    """The action's fields as text, validated."""
    match action:
        case SurveyScore(case_id=case_id, score=score):
            if score not in SURVEY_SCORES:
                raise ValueError(f"survey score must be 1..5, not {score!r}")
            return [_b36(case_id), str(score)]
        case SurveyReason(case_id=case_id, reason=reason):
            return [_b36(case_id), _code(reason, SURVEY_REASONS)]
        case FollowUpChoice(case_id=case_id, message_id=message_id, attach=attach):
            return [_b36(case_id), _b36(message_id), "a" if attach else "n"]
        case StatusRequest(case_id=case_id, question_id=question_id):
            return [_b36(case_id)] + ([] if question_id is None else [_b36(question_id)])
        case FaqFeedback(entry_id=entry_id, outcome=outcome):
            return [_code(entry_id), _code(outcome, FAQ_OUTCOMES)]
        case MenuChoice(item=item):
            return [_code(item, MENU_ITEMS)]
        case GroupChoice(group=group):
            return [_code(group)]
    raise TypeError(f"not a postback action: {type(action).__name__}")


def _action(code: str, fields: list[str]) -> Postback:
    """Build the action from its code and fields, or raise PostbackMalformed."""
    kind = _TYPES.get(code)
    expected = {SurveyScore: 2, SurveyReason: 2, FollowUpChoice: 3, StatusRequest: 1, FaqFeedback: 2,
                MenuChoice: 1, GroupChoice: 1}
    if kind is StatusRequest and len(fields) == 2:  # a carousel pick: the case and the question it answers
        return StatusRequest(case_id=_int(fields[0]), question_id=_int(fields[1]))
    if kind is None or len(fields) != expected[kind]:
        raise PostbackMalformed(f"unknown action {code[:10]!r} or wrong number of fields")
    if kind is SurveyScore:
        if fields[1] not in {str(s) for s in SURVEY_SCORES}:
            raise PostbackMalformed("survey score out of range")
        return SurveyScore(case_id=_int(fields[0]), score=int(fields[1]))
    if kind is SurveyReason:
        return SurveyReason(case_id=_int(fields[0]), reason=_code(fields[1], SURVEY_REASONS))
    if kind is FollowUpChoice:
        if fields[2] not in {"a", "n"}:
            raise PostbackMalformed("follow-up choice must be a or n")
        return FollowUpChoice(case_id=_int(fields[0]), message_id=_int(fields[1]), attach=fields[2] == "a")
    if kind is StatusRequest:
        return StatusRequest(case_id=_int(fields[0]))
    if kind is FaqFeedback:
        return FaqFeedback(entry_id=_code(fields[0]), outcome=_code(fields[1], FAQ_OUTCOMES))
    if kind is MenuChoice:
        return MenuChoice(item=_code(fields[0], MENU_ITEMS))
    return GroupChoice(group=_code(fields[0]))


def _key(secret: str | bytes) -> bytes:
    """The signing key, derived from the agency's secret for this one purpose."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if len(raw) < 16:
        raise ValueError("the postback secret must be at least 16 bytes")
    return hmac.new(raw, b"fangsiang postback v1", hashlib.sha256).digest()


def _signature(key: bytes, body: str) -> str:
    """128 bits of HMAC-SHA256 in base64url without padding (22 characters)."""
    digest = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _utc(moment: dt.datetime | None) -> dt.datetime:
    """An aware UTC moment (now when None)."""
    if moment is None:
        return dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("postback times must be timezone-aware")
    return moment.astimezone(dt.UTC)


def is_postback_data(data: str) -> bool:
    """True when the text is shaped like our postback data (it may still be forged or stale)."""
    return isinstance(data, str) and data.startswith(VERSION + ".")


def peek_postback(data: str) -> Postback | None:
    """The action postback data claims, without checking its signature or age (to show it, never to act on it)."""
    if not isinstance(data, str) or not is_postback_data(data) or len(data) > LINE_DATA_LIMIT or not data.isascii():
        return None
    parts = data.split(".")
    if len(parts) < 5:
        return None
    try:
        return _action(parts[1], parts[2:-2])
    except PostbackError:
        return None


def sign_postback(action: Postback, *, secret: str | bytes, issued_at: dt.datetime | None = None) -> str:
    """The action as signed postback data (at most 300 characters)."""
    code = _CODES.get(type(action))
    if code is None:
        raise TypeError(f"not a postback action: {type(action).__name__}")
    stamp = int(_utc(issued_at).timestamp())
    body = ".".join([VERSION, code, *_fields(action), _b36(stamp)])
    data = f"{body}.{_signature(_key(secret), body)}"
    if len(data) > LINE_DATA_LIMIT:
        raise ValueError("postback data longer than LINE allows")
    return data


def read_postback(data: str, *, secret: str | bytes, now: dt.datetime | None = None,
                  max_age: dt.timedelta | None = DEFAULT_MAX_AGE) -> ReceivedPostback:
    """Check and read postback data; raise PostbackMalformed, PostbackForged or PostbackStale."""
    if not isinstance(data, str) or not is_postback_data(data) or len(data) > LINE_DATA_LIMIT:
        raise PostbackMalformed("not Fang Siang postback data")
    if not data.isascii():
        raise PostbackMalformed("postback data must be ASCII")
    body, _, signature = data.rpartition(".")
    parts = body.split(".")
    if len(parts) < 4 or not signature:
        raise PostbackMalformed("postback data too short")
    if not hmac.compare_digest(signature.encode("ascii"), _signature(_key(secret), body).encode("ascii")):
        raise PostbackForged("postback signature does not match")
    action = _action(parts[1], parts[2:-1])
    issued_at = dt.datetime.fromtimestamp(_int(parts[-1]), tz=dt.UTC)
    moment = _utc(now)
    if issued_at - moment > CLOCK_SKEW:
        raise PostbackMalformed("postback issued in the future")
    if max_age is not None and not isinstance(action, STATIC_ACTIONS) and moment - issued_at > max_age:
        raise PostbackStale(f"postback issued {issued_at.isoformat()}, older than {max_age}")
    return ReceivedPostback(action=action, issued_at=issued_at)


class PostbackSigner:
    """Signs and reads postbacks with one secret, clock and maximum age (what replies and the worker share)."""

    def __init__(self, *, secret: str | bytes, max_age: dt.timedelta | None = DEFAULT_MAX_AGE,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        _key(secret)  # fail early on a short secret
        self._secret = secret
        self._max_age = max_age
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def sign(self, action: Postback) -> str:
        """Signed data for a button, issued now."""
        return sign_postback(action, secret=self._secret, issued_at=self._clock())

    def read(self, data: str) -> ReceivedPostback:
        """Check and read data from a button press."""
        return read_postback(data, secret=self._secret, now=self._clock(), max_age=self._max_age)
