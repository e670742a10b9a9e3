"""What every channel's webhook payload models are made of: the checked field types (ids, texts, names, timestamps,
coordinates), the `Payload` base and the storability checks; the channels' own models are `channels/<name>/payloads.py`.

An event that fails its channel's models is skipped (and logged) by its channel; the other events of its batch are
stored.
Identifiers must be non-empty text without NUL characters, citizens' texts lose NUL characters, and no string may hold
a lone UTF-16 surrogate (neither UTF-8 nor PostgreSQL can store one). Numbers that JSON in PostgreSQL cannot hold
(NaN, Infinity) are refused wherever they appear in what is stored: see `storable_json`.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

MAX_ID_CHARS = 200
MAX_NAME_CHARS = 200


def has_lone_surrogate(value: str) -> bool:
    """True when the text holds a UTF-16 surrogate half (JSON's "\\ud800" escape), which UTF-8 cannot encode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _identifier(value: str) -> str:
    """A platform id: non-empty, at most 200 characters, no NUL, no lone surrogate."""
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_ID_CHARS:
        raise ValueError(f"longer than {MAX_ID_CHARS} characters")
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    if has_lone_surrogate(value):
        raise ValueError("contains a lone surrogate")
    return value


def _text(value: str) -> str:
    """What a citizen wrote: NUL characters dropped, a lone surrogate refused."""
    if has_lone_surrogate(value):
        raise ValueError("contains a lone surrogate")
    return value.replace("\x00", "")


def _name(value: str) -> str:
    """A display name: like text, cut to the 200 characters storage keeps."""
    return _text(value)[:MAX_NAME_CHARS]


def _epoch(value: Any, *, per_second: int) -> dt.datetime:
    """An epoch timestamp (integer, digits or finite number) → aware UTC datetime, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("timestamp must be a number")  # noqa: TRY004 -- pydantic reports ValueError only
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("timestamp must be finite")
    try:
        count = int(value)
        if count <= 0:
            raise ValueError("timestamp must be positive")
        return dt.datetime.fromtimestamp(count / per_second, tz=dt.UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError("timestamp out of range") from exc


def _finite(value: float) -> float:
    """A coordinate: a real, finite number."""
    if not math.isfinite(value):
        raise ValueError("must be finite")
    return value


def _integer_as_text(value: Any) -> Any:
    """An integer written where text is expected (a numeric id, a text of digits) read as its digits."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Identifier = Annotated[str, AfterValidator(_identifier)]
NumericIdentifier = Annotated[str, BeforeValidator(_integer_as_text), AfterValidator(_identifier)]  # ids some senders write as numbers
Text = Annotated[str, BeforeValidator(_integer_as_text), AfterValidator(_text)]
Name = Annotated[str, AfterValidator(_name)]
FiniteFloat = Annotated[float, AfterValidator(_finite)]
EpochMillis = Annotated[dt.datetime, BeforeValidator(lambda v: _epoch(v, per_second=1000))]
EpochSeconds = Annotated[dt.datetime, BeforeValidator(lambda v: _epoch(v, per_second=1))]


class Payload(BaseModel):
    """A part of a platform's payload: unknown fields ignored (the raw event is stored as sent)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def web_url(value: str | None) -> str | None:
    """The link if it is an http(s) URL, else None: a `javascript:` or `data:` link never reaches an officer's page."""
    if not value:
        return None
    scheme, sep, rest = value.strip().partition(":")
    if sep and scheme.lower() in {"http", "https"} and rest.startswith("//") and not any(c.isspace() for c in rest):
        return value.strip()
    return None


# What is stored ----------------------------------------------------------------------------------------------------
def storable_json(value: Any) -> str | None:
    """Why this JSON value cannot be stored in a JSON column (NaN/Infinity, a lone surrogate), or None if it can.

    Found by serialising it as the database will (C encoder, no NaN, UTF-8): walking the value in Python cost the
    webhook more per event than verifying its signature and parsing its body together."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # (a ValueError: caught first)
        return "a string with a lone surrogate"
    except ValueError:
        return "a number that is NaN or infinite"
    except (TypeError, RecursionError):
        return "a value JSON cannot hold"
    return None
