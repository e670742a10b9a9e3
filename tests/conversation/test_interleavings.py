"""A property over random interleavings of citizens and turns, through signed webhooks on SQLite and on PostgreSQL +
Redis: every citizen message is on exactly one place (one of that citizen's own cases, or the contact) and every
text gets at least one answer (a sticker too, but a second one within the throttle window only lands)."""
from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.models import Case, Contact, Message
from tests.conversation.corpus.runner import Citizen
from tests.conversation.corpus.scripts import DRAIN, LAMP, NOISE, ROAD, TRASH, WIRE
from tests.support.stubs import PlatformStub

TURNS = (ROAD, LAMP, TRASH, NOISE, DRAIN, WIRE, "แจ้งเรื่องใหม่", "เรื่องใหม่ค่ะ", "เพิ่มเติมเรื่องเดิม", "5", "๔",
         "พึงพอใจมากที่สุด", "555555", "asdkjh qweoiu", "สวัสดีค่ะ", "ขอบคุณค่ะ", "เรื่องที่แจ้งไปถึงไหนแล้วคะ",
         "2569-1", "สำนักงานเปิดกี่โมงคะ", "อะไรนะคะ", "😊", "sticker")


def test_every_message_lands_once_and_every_text_is_answered(make_server, platform_stub: PlatformStub,
                                                              backend: str) -> None:
    server = make_server(backend)

    @settings(max_examples=4, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(TURNS), st.sampled_from(("line", "facebook"))),
                    min_size=3, max_size=8))
    def play(turns: list[tuple[int, str, str]]) -> None:
        citizens: dict[tuple[int, str], Citizen] = {}
        stickered: set[tuple[int, str]] = set()  # a sticker is answered once in the throttle window, then kept quietly
        for who, text, channel in turns:
            key = (who, channel)
            if key not in citizens:
                citizens[key] = Citizen(server, platform_stub, channel=channel, name=f"p-{uuid.uuid4().hex[:8]}")
            citizen = citizens[key]
            before = len(citizen.answers())
            citizen.sticker() if text == "sticker" else citizen.say(text)
            if text != "sticker" or key not in stickered:
                assert len(citizen.answers()) > before, f"{text!r} from {channel} got no answer"
            if text == "sticker":
                stickered.add(key)
        with server.runtime.db.session() as session:
            for citizen in citizens.values():
                for message in session.scalars(select(Message).where(Message.sender_id == citizen.user_id,
                                                                     Message.direction == "in")):
                    assert message.contact_id is not None
                    if message.case_id is not None:
                        case = session.get(Case, message.case_id)
                        owner = session.get(Contact, case.contact_id)
                        assert owner.external_id == citizen.user_id, f"{message.text!r} filed on someone else's case"

    play()
