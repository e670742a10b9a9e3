"""Plays the conversation corpus against a live service through signed webhooks (LINE and Messenger) and reports
every message that landed in the wrong place or got no answer.

A script is a list of steps. Where a message must land:
  "contact"  on the contact only (no case);  "+A" a new case, called A from then on;  "A" the case called A;
  "*" anywhere (still checked: one place at most, which the schema guarantees).
Texts may name a case's ticket: {A} (FS-2569-000002), {A_short} (2569-2), {A_slash} (2569/2), {A_thai} (๒๕๖๙-๒).
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from listeners import simulator
from storage.models import Case, Message
from tests.support.chat import last_in, settle
from tests.support.server import PAGE_ID, LiveServer
from tests.support.stubs import PlatformStub

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@dataclass(frozen=True)
class Say:
    text: str
    where: str = "*"
    answer: str | None = None  # a part of some answer to this message


@dataclass(frozen=True)
class Sticker:
    where: str = "contact"


@dataclass(frozen=True)
class Press:
    label: str  # a part of the label of a button in the last answer
    answer: str | None = None


@dataclass(frozen=True)
class Resolve:
    case: str
    note: str = "ดำเนินการเรียบร้อยแล้ว"


@dataclass(frozen=True)
class Satisfaction:
    case: str
    score: int


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[Any, ...]
    channel: str = "line"


@dataclass
class Outcome:
    """What went wrong in the corpus: one line per misfiled or unanswered message (and other broken promises)."""

    misfiled: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    messages: int = 0

    @property
    def problems(self) -> list[str]:
        return self.misfiled + self.unanswered + self.other


class Citizen:
    """One citizen on LINE or Messenger: posts signed events, reads what the platform stub received for them."""

    def __init__(self, server: LiveServer, stub: PlatformStub, *, channel: str, name: str) -> None:
        self.server, self.stub, self.channel = server, stub, channel
        self.user_id = simulator.line_user_id(name) if channel == "line" else str(10**15 + uuid.uuid4().int % 10**15)
        self.tokens: list[str] = []

    def _post_line(self, **event: Any) -> None:
        built = simulator.line_event(user_id=self.user_id, timestamp_ms=int(time.time() * 1000), **event)
        self.tokens.append(built.get("replyToken", ""))
        assert self.server.post_line(built).status_code == 200

    def _post_facebook(self, messaging: dict[str, Any]) -> None:
        now = int(time.time() * 1000)
        body = {"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
            "sender": {"id": self.user_id}, "recipient": {"id": PAGE_ID}, "timestamp": now, **messaging}]}]}
        assert self.server.post_facebook(body).status_code == 200

    def say(self, text: str) -> None:
        if self.channel == "line":
            self._post_line(text=text)
        else:
            self._post_facebook({"message": {"mid": "m_" + uuid.uuid4().hex, "text": text}})
        settle(self.server)

    def sticker(self) -> None:
        if self.channel == "line":
            self._post_line(message={"id": str(uuid.uuid4().int)[:18], "type": "sticker", "packageId": "446",
                                     "stickerId": "1988", "stickerResourceType": "STATIC", "quoteToken": "q"})
        else:
            self._post_facebook({"message": {"mid": "m_" + uuid.uuid4().hex, "sticker_id": 369239263222822,
                                             "attachments": [{"type": "image", "payload": {
                                                 "url": "https://example.com/s.png", "sticker_id": 369239263222822}}]}})
        settle(self.server)

    def press(self, data: str, label: str) -> None:
        if self.channel == "line":
            self._post_line(event_type="postback", postback={"data": data})
        else:
            self._post_facebook({"message": {"mid": "m_" + uuid.uuid4().hex, "text": label,
                                             "quick_reply": {"payload": data}}})
        settle(self.server)

    def answers(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(text, [(button label, data)]) of every message sent to this citizen, in order."""
        out = []
        if self.channel == "line":
            for request in self.stub.sent("/v2/bot/message/"):
                body = request.json
                if body.get("to") == self.user_id or body.get("replyToken") in self.tokens:
                    for message in body["messages"]:
                        items = (message.get("quickReply") or {}).get("items", [])
                        buttons = [(i["action"].get("label", ""), i["action"].get("data") or i["action"].get("text", ""))
                                   for i in items]
                        shown = message.get("text") or message.get("altText") or ""
                        if message.get("type") == "flex":  # what the card itself shows, beyond its altText
                            shown += "\n" + json.dumps(message.get("contents"), ensure_ascii=False)
                            buttons += [(a.get("label", ""), a.get("data") or a.get("text", ""))
                                        for a in _actions(message.get("contents"))]
                        out.append((shown, buttons))
            return out
        for request in self.stub.sent("/me/messages"):
            body = request.json
            if (body.get("recipient") or {}).get("id") != self.user_id:
                continue
            message = body.get("message") or {}
            payload = (message.get("attachment") or {}).get("payload") or {}
            text = message.get("text") or payload.get("text") or " ".join(
                e.get("title", "") + " " + e.get("subtitle", "") for e in payload.get("elements", []))
            buttons = [(q.get("title", ""), q.get("payload", "")) for q in message.get("quick_replies") or []]
            buttons += [(b.get("title", ""), b.get("payload", "")) for e in payload.get("elements", [])
                        for b in e.get("buttons", []) if b.get("type") == "postback"]
            out.append((text, buttons))
        return out


def _actions(node: Any) -> list[dict]:
    """The postback actions of a LINE Flex message's buttons, in order."""
    if isinstance(node, list):
        return [a for item in node for a in _actions(item)]
    if not isinstance(node, dict):
        return []
    action = node.get("action")
    own = [action] if isinstance(action, dict) and action.get("type") == "postback" else []
    return own + [a for key, value in node.items() if key != "action" for a in _actions(value)]


def _forms(ticket: str) -> dict[str, str]:
    prefix, year, number = ticket.split("-")
    short = f"{year}-{int(number)}"
    return {"": ticket, "_short": short, "_slash": f"{year}/{int(number)}", "_thai": short.translate(THAI_DIGITS)}


def _case_of(server: LiveServer, message_id: int) -> Case | None:
    with server.runtime.db.session() as session:
        message = session.get(Message, message_id)
        case = session.get(Case, message.case_id) if message and message.case_id else None
        if case is not None:
            session.expunge(case)
        return case


class Player:
    """Plays scripts one after another against one running service."""

    def __init__(self, server: LiveServer, stub: PlatformStub) -> None:
        self.server, self.stub = server, stub
        self.outcome = Outcome()
        self.officers: dict[str, dict[str, str]] = {}

    def _officer(self, unit: str) -> dict[str, str]:
        if unit not in self.officers:
            email = f"{unit}-{uuid.uuid4().hex[:6]}@example.go.th"
            self.server.add_user(email, role="officer", unit=unit)
            self.officers[unit] = self.server.token(email)
        return self.officers[unit]

    def play(self, script: Script) -> None:
        citizen = Citizen(self.server, self.stub, channel=script.channel, name=f"{script.name}-{uuid.uuid4().hex[:6]}")
        cases: dict[str, int] = {}
        tickets: dict[str, str] = {}
        landed: list[tuple[int, str, str]] = []  # message id, expected place, text
        where = f"[{script.channel}] {script.name}"
        for number, step in enumerate(script.steps, 1):
            before = len(citizen.answers())
            if isinstance(step, (Say, Sticker)):
                if isinstance(step, Say):
                    names = {f"{k}{suffix}": v for k, t in tickets.items() for suffix, v in _forms(t).items()}
                    text = step.text.format(**names)
                    citizen.say(text)
                else:
                    text = "(sticker)"
                    citizen.sticker()
                self.outcome.messages += 1
                message = last_in(self.server, citizen.user_id)
                landed.append((message.id, step.where, text))
                if step.where.startswith("+"):  # bind the new case now, so later steps can name its ticket
                    case = _case_of(self.server, message.id)
                    if case is not None and case.id not in cases.values():
                        cases[step.where[1:]], tickets[step.where[1:]] = case.id, case.ticket
                new = citizen.answers()[before:]
                if not new:
                    self.outcome.unanswered.append(f"{where} #{number} {text!r}: no answer")
                elif isinstance(step, Say) and step.answer and not any(step.answer in t for t, _ in new):
                    self.outcome.other.append(f"{where} #{number} {text!r}: answer lacks {step.answer!r}: "
                                              f"{[t[:80] for t, _ in new]}")
            elif isinstance(step, Press):
                buttons = [b for _, bs in citizen.answers()[-3:] for b in bs if step.label in b[0]]
                if not buttons:
                    self.outcome.other.append(f"{where} #{number}: no button {step.label!r}")
                    continue
                citizen.press(buttons[-1][1], buttons[-1][0])
                new = citizen.answers()[before:]
                if not new or step.answer and not any(step.answer in t for t, _ in new):
                    self.outcome.other.append(f"{where} #{number}: press {step.label!r} answered {[t[:60] for t, _ in new]}")
            elif isinstance(step, Resolve):
                case_id = cases.get(step.case)
                if case_id is None:
                    self.outcome.other.append(f"{where} #{number}: no case {step.case} to resolve")
                    continue
                with self.server.runtime.db.session() as session:
                    unit = session.get(Case, case_id).unit_code
                response = self.server.client.post(f"/api/cases/{case_id}/status", headers=self._officer(unit),
                                                   json={"status": "resolved", "note": step.note, "no_photo_reason": "ซ่อมเสร็จตอนกลางคืน ถ่ายภาพไม่ได้"})
                assert response.status_code == 200, response.text
                settle(self.server)
                self.server.wait_until(lambda: len(citizen.answers()) > before + 1 or _surveyed(self.server, case_id),
                                       timeout=20)
                settle(self.server)
            elif isinstance(step, Satisfaction):
                from conversation.surveys import satisfaction

                with self.server.runtime.db.session() as session:
                    got = satisfaction(session, case_id=cases.get(step.case, -1))
                if not got or got["score"] != step.score:
                    self.outcome.other.append(f"{where} #{number}: satisfaction of {step.case} is {got}, not {step.score}")
        for message_id, expected, text in landed:
            case = _case_of(self.server, message_id)
            if expected == "*":
                continue
            if expected == "contact":
                ok = case is None
            elif expected.startswith("+"):  # a case opened later (after a question) is bound here
                if case is not None and expected[1:] not in cases and case.id not in cases.values():
                    cases[expected[1:]] = case.id
                ok = case is not None and cases.get(expected[1:]) == case.id
            else:
                ok = case is not None and cases.get(expected) == case.id
            if not ok:
                got = "contact" if case is None else next((k for k, v in cases.items() if v == case.id), case.ticket)
                self.outcome.misfiled.append(f"{where} {text!r}: on {got}, expected {expected}")


def _surveyed(server: LiveServer, case_id: int) -> bool:
    from conversation.models import Survey

    with server.runtime.db.session() as session:
        return session.scalars(select(Survey).where(Survey.case_id == case_id)).first() is not None
