"""A reply as Messenger Send API message objects (text, quick replies, button and generic templates), and as a
Page comment answer (public and short, inviting the citizen to write to the Page in Messenger)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.replies import LABEL_LIMIT, QUICK_REPLY_LIMIT, Card, Link, QuickReply, Reply, clip

TEXT_LIMIT = 2000
BUTTON_TEXT_LIMIT = 640
PAYLOAD_LIMIT = 1000
ELEMENT_LIMIT = 10
ELEMENT_TEXT_LIMIT = 80   # generic template title and subtitle
BUTTONS_LIMIT = 3
COMMENT_LIMIT = 8000


def quick_replies(items: tuple[QuickReply, ...]) -> list[dict[str, Any]]:
    """Messenger text quick replies (at most 13); LINE-only location/camera buttons are left out."""
    out = []
    for item in items:
        if item.kind not in {"postback", "message"}:
            continue
        payload = item.data if item.kind == "postback" and item.data else (item.text or item.label)
        out.append({"content_type": "text", "title": clip(item.label, LABEL_LIMIT),
                    "payload": clip(payload, PAYLOAD_LIMIT)})
    return out[:QUICK_REPLY_LIMIT]


def _button(item: QuickReply | Link) -> dict[str, Any]:
    """A template button: postback, web page, or phone call."""
    title = clip(item.label, LABEL_LIMIT)
    if isinstance(item, Link):
        if item.url.startswith("tel:"):
            return {"type": "phone_number", "title": title, "payload": item.url[4:]}
        return {"type": "web_url", "title": title, "url": item.url}
    if item.kind == "postback" and item.data:
        return {"type": "postback", "title": title, "payload": clip(item.data, PAYLOAD_LIMIT)}
    return {"type": "postback", "title": title, "payload": clip(item.text or item.label, PAYLOAD_LIMIT)}


def _element(card: Card) -> dict[str, Any]:
    """A case card as a generic-template element: ticket and status, then unit and deadline."""
    subtitle = " · ".join(value for _, value in card.rows[:2])
    element: dict[str, Any] = {"title": clip(f"{card.title} {card.status}", ELEMENT_TEXT_LIMIT),
                               "subtitle": clip(subtitle or card.heading, ELEMENT_TEXT_LIMIT)}
    if card.button is not None:
        element["buttons"] = [_button(card.button)]
    return element


def messenger_messages(reply: Reply) -> list[dict[str, Any]]:
    """The reply as Send API `message` objects, in order; quick replies ride on the last one."""
    text = reply.text
    buttons: list[QuickReply | Link] = list(reply.links)
    if len(reply.cards) == 1 and reply.cards[0].button is not None:
        buttons.insert(0, reply.cards[0].button)
    messages: list[dict[str, Any]] = []
    if reply.image.startswith("https://"):  # a picture first (the after-photo with the survey)
        messages.append({"attachment": {"type": "image", "payload": {"url": reply.image, "is_reusable": False}}})
    if buttons and len(text) <= BUTTON_TEXT_LIMIT:
        messages.append({"attachment": {"type": "template", "payload": {
            "template_type": "button", "text": text, "buttons": [_button(b) for b in buttons[:BUTTONS_LIMIT]]}}})
    else:
        for link in reply.links:
            if link.url.startswith("https://") and link.url not in text:
                text += f"\n{link.label}: {link.url}"
        messages.append({"text": clip(text, TEXT_LIMIT)})
    if len(reply.cards) > 1:
        messages.append({"attachment": {"type": "template", "payload": {
            "template_type": "generic", "elements": [_element(c) for c in reply.cards[:ELEMENT_LIMIT]]}}})
    quick = quick_replies(reply.quick_replies)
    if quick:
        messages[-1]["quick_replies"] = quick
    return messages


def comment_message(reply: Reply) -> str:
    """The text of a public answer under a Page comment."""
    return clip(reply.text, COMMENT_LIMIT)


def outbox_rows(answers: Sequence[Reply]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Messenger sends one message per call: each is its own outbox row (its own key), so a retry of a failed later
    part never repeats the earlier ones."""
    return [(a.text, [obj]) for a in answers for obj in messenger_messages(a)]


def comment_rows(answers: Sequence[Reply]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A Page comment is answered by one public comment holding the answers' texts."""
    return [("\n\n".join(comment_message(a) for a in answers), [])]
