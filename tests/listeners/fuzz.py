"""Hypothesis strategies for signed webhook bodies: valid citizen events, mutated events and mutated bodies.

A body is either a *mixed batch* (valid events, each with a unique id, among malformed ones: it must be answered 200
and every valid event stored) or a *broken body* (bytes mutated, nested too deep, unreadable numbers, not an object:
any 4xx or 200, never a 5xx).
"""
from __future__ import annotations

import copy
import itertools
import json
import math
import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

PAGE_ID = "100000000000001"
NOW_MS = 1_763_700_000_000
_serial = itertools.count(1)

HOSTILE_CHARS = ["\x00", "\ud800", "\udc00", "\udbff", "\u200b", "\ufeff", "\u202e", "\x7f", "\n", '"', "\\", "ก",
                 "๑", "\uffff", "\U0001f600"]
HOSTILE_VALUES: list[Any] = [
    [], {}, None, "", "\x00", "a\x00b", "\ud800", "x\udfffy", float("nan"), float("inf"), float("-inf"), 10**400,
    -1, 0, True, 1.5, "x" * 300, [None], {"type": "user"}, "2025-11-21T00:00:00Z", "javascript:alert(1)",
]
text_alphabet = st.one_of(st.characters(codec="utf-8"), st.sampled_from(HOSTILE_CHARS))
hostile_text = st.text(alphabet=text_alphabet, max_size=24)
citizen_text = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(["ก", "\x00", "\u200b"])),
                       min_size=1, max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**40, max_value=10**40) | st.floats() | hostile_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3),
    max_leaves=8,
)


def unique(prefix: str) -> str:
    """An id no other generated event has in this test run."""
    return f"{prefix}{next(_serial):010d}"


@dataclass
class Body:
    """One signed request to send, and what must happen to it."""

    raw: bytes
    valid_keys: list[tuple[str, str]] = field(default_factory=list)  # (channel, event_key) that must be stored
    mixed: bool = True  # a well-formed batch: 200 is required


# Valid events ------------------------------------------------------------------------------------------------------
def line_event(kind: str, text: str, rng: random.Random) -> dict[str, Any]:
    """A valid LINE event from a user, of one of the types the service handles, with unique ids."""
    event: dict[str, Any] = {
        "type": "message", "mode": "active", "timestamp": NOW_MS + rng.randrange(10**6),
        "source": {"type": "user", "userId": "U" + "%032x" % rng.getrandbits(128)},
        "webhookEventId": unique("01LINEFUZZ"), "deliveryContext": {"isRedelivery": rng.random() < 0.1},
        "replyToken": "%032x" % rng.getrandbits(128),
    }
    message_id = unique("")
    if kind == "text":
        event["message"] = {"id": message_id, "type": "text", "quoteToken": "q", "text": text}
    elif kind == "image":
        event["message"] = {"id": message_id, "type": "image", "contentProvider": {"type": "line"}}
    elif kind == "sticker":
        event["message"] = {"id": message_id, "type": "sticker", "packageId": "446", "stickerId": "1988",
                            "keywords": [text[:10]]}
    elif kind == "location":
        event["message"] = {"id": message_id, "type": "location", "title": text[:30], "address": "หมู่ 4",
                            "latitude": 13.75, "longitude": 100.5}
    elif kind == "postback":
        event.update(type="postback", postback={"data": f"action=menu&text={text[:20]}"})
    else:
        event["type"] = kind  # follow, unfollow
        if kind == "unfollow":
            del event["replyToken"]
    return event


def facebook_item(kind: str, text: str, rng: random.Random) -> tuple[str, dict[str, Any], tuple[str, str]]:
    """A valid Messenger item or feed change: (where it goes in the entry, the item, its stored key)."""
    psid = str(rng.randrange(10**15, 10**16))
    ts = NOW_MS + rng.randrange(10**6)
    if kind == "comment":
        comment_id = unique(f"{PAGE_ID}_1_")
        change = {"field": "feed", "value": {
            "item": "comment", "verb": "add", "comment_id": comment_id, "post_id": f"{PAGE_ID}_1",
            "message": text, "from": {"id": psid, "name": text[:20]}, "created_time": ts // 1000}}
        return "changes", change, ("facebook_comment", comment_id)
    mid = unique("m_")
    message: dict[str, Any] = {"mid": mid, "text": text}
    if kind == "image":
        message = {"mid": mid, "attachments": [{"type": "image", "payload": {"url": "https://example.org/a.jpg"}}]}
    elif kind == "postback":
        item = {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ts,
                "postback": {"title": text[:20], "payload": "CONTACT", "mid": mid}}
        return "messaging", item, ("facebook", mid)
    item = {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ts, "message": message}
    return "messaging", item, ("facebook", mid)


# Mutations ---------------------------------------------------------------------------------------------------------
def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found.append(prefix + (key,))
        found.extend(_paths(child, prefix + (key,)))
    return found


def mutate(event: Any, rng: random.Random, replacement: Any, count: int) -> Any:
    """The event with `count` fields replaced, deleted or given a hostile character."""
    for _ in range(count):
        paths = _paths(event)
        if not paths:
            return copy.deepcopy(replacement)
        path = rng.choice(paths)
        parent = event
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = rng.randrange(4)
        if action == 0 and isinstance(parent, dict):
            del parent[key]
        elif action == 1 and isinstance(parent[key], str):
            value = parent[key]
            at = rng.randrange(len(value) + 1)
            parent[key] = value[:at] + rng.choice(HOSTILE_CHARS) + value[at:]
        elif action == 2:
            parent[key] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
        else:
            parent[key] = copy.deepcopy(replacement)
    return event


def encode(payload: Any, *, ascii_only: bool) -> bytes:
    """JSON bytes as a platform would send (UTF-8), escaping what UTF-8 cannot carry (lone surrogates)."""
    if not ascii_only:
        try:
            return json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            pass
    return json.dumps(payload).encode("utf-8")


def break_body(raw: bytes, rng: random.Random, how: int) -> bytes:
    """A body made unacceptable or odd as a whole: cut, flipped, nested deep, huge numbers, not an object..."""
    if how == 0:
        return raw[: rng.randrange(len(raw) + 1)]
    if how == 1:
        data = bytearray(raw)
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if how == 2:
        depth = rng.choice([65, 200, 1_000, 5_000, 50_000])
        return b'{"events": [' + b"[" * depth + b"]" * depth + b'], "entry": [], "object": "page"}'
    if how == 3:
        depth = rng.choice([65, 1_500, 20_000])
        return b'{"events": [' + b'{"a":' * depth + b"1" + b"}" * depth + b"]}"
    if how == 4:
        return raw[:-1] + b', "n": ' + b"9" * rng.choice([4_301, 5_000, 40_000]) + b"}"
    if how == 5:
        return raw[:-1] + b', "n": ' + rng.choice([b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e400"]) + b"}"
    if how == 6:
        return rng.choice([b"", b"null", b"[]", b'"text"', b"1", b"\xff\xfe", b"{", b'{"events": {}}',
                           b'{"object": "page", "entry": {}}', b'{"\\ud800": 1}', b"\xef\xbb\xbf{}"])
    at = rng.randrange(len(raw) + 1)
    return raw[:at] + rng.choice([b"\x00", b"\\", b'"', b"\xc3", b"\xed\xa0\x80", b"]]]]", b"{{{{"]) + raw[at:]


# Bodies ------------------------------------------------------------------------------------------------------------
LINE_KINDS = ["text", "text", "text", "image", "sticker", "location", "postback", "follow", "unfollow"]
FACEBOOK_KINDS = ["text", "text", "comment", "comment", "image", "postback"]


def _line_body(rng: random.Random, texts: list[str], values: list[Any]) -> Body:
    """A mixed LINE batch built from the drawn texts and JSON values, or (3 times in 10) a broken body."""
    events, keys = [], []
    for _ in range(rng.randrange(1, 7)):
        event = line_event(rng.choice(LINE_KINDS), rng.choice(texts), rng)
        events.append(event)
        keys.append(("line", event["webhookEventId"]))
    for _ in range(rng.randrange(5)):
        events.append(mutate(line_event(rng.choice(LINE_KINDS), rng.choice(texts), rng), rng, rng.choice(values),
                             rng.randrange(1, 4)))
    events.extend(copy.deepcopy(rng.choice(values)) for _ in range(rng.randrange(3)))  # not events at all
    rng.shuffle(events)
    raw = encode({"destination": "U" + "0" * 32, "events": events}, ascii_only=rng.random() < 0.3)
    if rng.random() < 0.3:
        return Body(break_body(raw, rng, rng.randrange(8)), mixed=False)
    return Body(raw, keys)


def _facebook_body(rng: random.Random, texts: list[str], values: list[Any]) -> Body:
    """A mixed Facebook Page batch built from the drawn texts and JSON values, or (3 times in 10) a broken body."""
    entry: dict[str, Any] = {"id": PAGE_ID, "time": NOW_MS, "messaging": [], "changes": []}
    keys = []
    for _ in range(rng.randrange(1, 7)):
        where, item, key = facebook_item(rng.choice(FACEBOOK_KINDS), rng.choice(texts), rng)
        entry[where].append(item)
        keys.append(key)
    for _ in range(rng.randrange(5)):
        where, item, _ = facebook_item(rng.choice(FACEBOOK_KINDS), rng.choice(texts), rng)
        entry[where].append(mutate(item, rng, rng.choice(values), rng.randrange(1, 4)))
    rng.shuffle(entry["messaging"])
    rng.shuffle(entry["changes"])
    entries: list[Any] = [entry]
    for _ in range(rng.randrange(3)):  # whole entries gone wrong
        where, item, _ = facebook_item(rng.choice(FACEBOOK_KINDS), rng.choice(texts), rng)
        entries.append(mutate({"id": PAGE_ID, "time": NOW_MS, where: [item]}, rng, rng.choice(values),
                              rng.randrange(1, 3)))
    rng.shuffle(entries)
    raw = encode({"object": "page", "entry": entries}, ascii_only=rng.random() < 0.3)
    if rng.random() < 0.3:
        return Body(break_body(raw, rng, rng.randrange(8)), mixed=False)
    return Body(raw, keys)


BUILDERS = {"line": _line_body, "facebook": _facebook_body}


def bodies(channel: str, count: int) -> st.SearchStrategy[list[Body]]:
    """`count` bodies for the channel: hypothesis draws texts, JSON values and a seed; the bodies mix and mutate them."""
    @st.composite
    def draw_bodies(draw: st.DrawFn) -> list[Body]:
        rng = random.Random(draw(st.integers(0, 2**32)))
        texts = draw(st.lists(citizen_text, min_size=1, max_size=8))
        values = draw(st.lists(json_values, min_size=1, max_size=6))
        return [BUILDERS[channel](rng, texts, values) for _ in range(count)]

    return draw_bodies()
