"""A reply as LINE Messaging API message objects: text or Flex (bubble/carousel, altText fallback), quick replies."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.replies import LABEL_LIMIT, QUICK_REPLY_LIMIT, Card, QuickReply, Reply, clip

TEXT_LIMIT = 5000
ALT_TEXT_LIMIT = 400
DATA_LIMIT = 300          # postback data, displayText and message-action text
CAROUSEL_BUBBLES = 10     # LINE allows 12; we offer at most 10 cases
FLEX_TEXT_LIMIT = 1000    # keep each Flex text well inside the bubble's 30 KB

BRAND = "#1E4E8C"
MUTED = "#6B7280"
_QUICK_ACTION_TYPES = {"location": "location", "camera": "camera", "camera_roll": "cameraRoll"}


def _action(item: QuickReply) -> dict[str, Any]:
    """A LINE action for a quick reply or a Flex button."""
    label = clip(item.label, LABEL_LIMIT)
    if item.kind in _QUICK_ACTION_TYPES:
        return {"type": _QUICK_ACTION_TYPES[item.kind], "label": label}
    if item.kind == "message" or item.data is None:
        return {"type": "message", "label": label, "text": clip(item.text or item.label, DATA_LIMIT)}
    if len(item.data) > DATA_LIMIT:
        raise ValueError("postback data longer than LINE allows")
    return {"type": "postback", "label": label, "data": item.data,
            "displayText": clip(item.text or item.label, DATA_LIMIT)}


def quick_reply(items: tuple[QuickReply, ...]) -> dict[str, Any] | None:
    """LINE's quickReply object (at most 13 buttons), or None."""
    if not items:
        return None
    return {"items": [{"type": "action", "action": _action(item)} for item in items[:QUICK_REPLY_LIMIT]]}


def _text(text: str, **style: Any) -> dict[str, Any]:
    """A wrapped Flex text component."""
    return {"type": "text", "text": clip(text, FLEX_TEXT_LIMIT) or " ", "wrap": True, **style}


def bubble(card: Card) -> dict[str, Any]:
    """A case card as a Flex bubble: heading and ticket on the agency's colour, status, rows, note, one button."""
    rows: list[dict[str, Any]] = [
        {"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
            _text("สถานะ", size="sm", color=MUTED, flex=2),
            _text(card.status, size="sm", weight="bold", color=BRAND, flex=5),
        ]},
    ]
    for label, value in card.rows:
        rows.append({"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
            _text(label, size="sm", color=MUTED, flex=2),
            _text(value, size="sm", flex=5),
        ]})
    if card.note:
        rows.append({"type": "separator", "margin": "md"})
        rows.append(_text(card.note, size="xs", color=MUTED, margin="md"))
    contents: dict[str, Any] = {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical", "backgroundColor": BRAND, "paddingAll": "16px", "contents": [
            _text(card.heading, size="sm", color="#FFFFFF"),
            _text(card.title, size="xl", weight="bold", color="#FFFFFF"),
        ]},
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": rows},
    }
    if card.button is not None:
        contents["footer"] = {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "primary", "color": BRAND, "height": "sm", "action": _action(card.button)},
        ]}
    return contents


def line_messages(reply: Reply) -> list[dict[str, Any]]:
    """The reply as LINE message objects (one message; quick replies attached to it)."""
    text = reply.text
    for link in reply.links:
        if link.url.startswith("https://") and link.url not in text:
            text += f"\n{link.label}: {link.url}"
    if reply.cards:
        cards = reply.cards[:CAROUSEL_BUBBLES]
        contents = bubble(cards[0]) if len(cards) == 1 else {"type": "carousel", "contents": [bubble(c) for c in cards]}
        if len(cards) == 1 and reply.links:  # web pages (the public status page) as buttons under the card
            footer = contents.setdefault("footer", {"type": "box", "layout": "vertical", "contents": []})
            footer["contents"] += [{"type": "button", "style": "link", "height": "sm", "action": {
                "type": "uri", "label": clip(link.label, LABEL_LIMIT), "uri": link.url}} for link in reply.links]
        message: dict[str, Any] = {"type": "flex", "altText": clip(text, ALT_TEXT_LIMIT), "contents": contents}
    else:
        message = {"type": "text", "text": clip(text, TEXT_LIMIT)}
    quick = quick_reply(reply.quick_replies)
    if quick is not None:
        message["quickReply"] = quick
    if reply.image.startswith("https://"):  # LINE shows only https pictures; the quick replies stay on the last
        return [{"type": "image", "originalContentUrl": reply.image, "previewImageUrl": reply.image}, message]
    return [message]


def outbox_rows(answers: Sequence[Reply]) -> list[tuple[str, list[dict[str, Any]]]]:
    """One reply token: the answers' texts together and up to five message objects, in one call."""
    return [("\n\n".join(a.text for a in answers), [obj for a in answers for obj in line_messages(a)][:5])]
