"""A citizen on LINE in the tests: posts signed events to the live service and reads what the platform stub got."""
from __future__ import annotations

import io
import time
import uuid
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from storage.models import Message
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub


def photo_png(width: int = 64, height: int = 48) -> bytes:
    """A small PNG, as a citizen's photo."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


class Chat:
    """One citizen on LINE, talking to the live service and reading what the stub received for them."""

    def __init__(self, server: LiveServer, stub: PlatformStub, name: str) -> None:
        self.server, self.stub, self.name = server, stub, name
        from listeners.simulator import line_user_id

        self.user_id = line_user_id(name)
        self.tokens: list[str] = []

    def _post(self, *, at: float | None = None, **event: Any) -> None:
        """Post one signed event, sent now or at the epoch second `at` (the platform's clock)."""
        from listeners import simulator

        sent = time.time() if at is None else at
        built = simulator.line_event(user_id=self.user_id, timestamp_ms=int(sent * 1000), **event)
        self.tokens.append(built.get("replyToken", ""))
        response = self.server.post_line(built)
        assert response.status_code == 200, response.text
        settle(self.server)

    def say(self, text: str, *, at: float | None = None) -> None:
        self._post(at=at, text=text)

    def image(self, message_id: str) -> None:
        self._post(message={"id": message_id, "type": "image", "quoteToken": "q",
                            "contentProvider": {"type": "line"}})

    def sticker(self, *, at: float | None = None) -> None:
        self._post(at=at, message={"id": str(uuid.uuid4().int)[:18], "type": "sticker", "packageId": "446",
                            "stickerId": "1988", "stickerResourceType": "STATIC", "quoteToken": "q"})

    def tap(self, data: str) -> None:
        self._post(event_type="postback", postback={"data": data})

    def follow(self) -> None:
        self._post(event_type="follow")

    def answers(self) -> list[dict]:
        """Every LINE message object sent to this citizen (reply to their tokens, or push to them), in order."""
        out = []
        for request in self.stub.sent("/v2/bot/message/"):
            body = request.json
            if body.get("to") == self.user_id or body.get("replyToken") in self.tokens:
                out.extend(body["messages"])
        return out

    def last(self) -> dict:
        return self.server.wait_until(lambda: self.answers() and self.answers()[-1])

    def wait_text(self, needle: str) -> dict:
        return self.server.wait_until(lambda: next((m for m in reversed(self.answers())
                                                    if needle in (m.get("text") or m.get("altText") or "")), None))


def last_in(server: LiveServer, user_id: str) -> Message:
    """The citizen's newest stored message (detached), to see where it landed."""
    with server.runtime.db.read_session() as session:
        message = session.scalars(select(Message).where(Message.sender_id == user_id, Message.direction == "in")
                                  .order_by(Message.id.desc()).limit(1)).one()
        session.expunge(message)
        return message


def settle(server: LiveServer) -> None:
    """Wait until the worker processed every message and sent every outbox row."""
    from storage.models import OutboxMessage

    def done() -> bool:
        with server.runtime.db.read_session() as session:  # never queues for SQLite's write lock
            pending = session.scalar(select(func.count()).select_from(Message)
                                     .where(Message.processed_at.is_(None), Message.direction == "in"))
            unsent = session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status.in_(("pending", "sending"))))
            return not pending and not unsent

    server.wait_until(done, timeout=60)


def text_of(message: dict) -> str:
    return message.get("text") or message.get("altText") or ""


def quick_data(message: dict, label_part: str) -> str:
    """The postback data of the quick reply whose label contains label_part."""
    for item in (message.get("quickReply") or {}).get("items", []):
        action = item["action"]
        if label_part in action.get("label", "") and action.get("type") == "postback":
            return action["data"]
    raise AssertionError(f"no quick reply {label_part!r} in {message.get('quickReply')}")
