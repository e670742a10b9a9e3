"""Messages that open nothing, through signed LINE webhooks: a lone number is asked about and kept on the contact
(unless it answers the bot's question), and stickers get a short reply at most once in the throttle window — judged
by the platform's send times, so the test sets the clock in the events themselves."""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from conversation.routing import handle_message
from conversation.small_talk import STICKER_REPLY_EVERY
from listeners import simulator
from listeners.simulator import line_user_id
from storage.models import Case, Message, OutboxMessage
from tests.support.chat import Chat, last_in, text_of
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub

ROAD = "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอไซค์ล้มไปสองคันแล้วค่ะ ซอยเทศบาล 5 หมู่ 3"
NOISE = "ร้านคาราโอเกะข้างบ้านเปิดเพลงเสียงดังทุกคืนจนตีสอง นอนไม่ได้เลยครับ"
WHAT_DO_YOU_NEED = "ไม่แน่ใจว่าท่านต้องการแจ้งเรื่องใด"


def _cases(server: LiveServer) -> int:
    with server.runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_a_lone_number_is_asked_about_unless_it_answers_the_bots_question(make_server,
                                                                           platform_stub: PlatformStub) -> None:
    server: LiveServer = make_server()
    citizen = Chat(server, platform_stub, "numbers")
    citizen.say(ROAD)
    assert _cases(server) == 1
    for number in ("5", "๒๓", "12345", "7 ค่ะ"):
        before = len(citizen.answers())
        citizen.say(number)
        said = citizen.answers()[before:]
        assert len(said) == 1 and WHAT_DO_YOU_NEED in text_of(said[0]), (number, said)
        message = last_in(server, citizen.user_id)
        assert message.case_id is None and message.contact_id is not None, number
    assert _cases(server) == 1, "a lone number opens nothing"

    # The same number answers the question the bot just asked: "2" is the second button, a new matter.
    citizen.say(NOISE)
    assert "เรื่องใหม่" in text_of(citizen.last())
    citizen.say("2")
    assert _cases(server) == 2
    with server.runtime.db.session() as session:
        noise = session.scalars(select(Case).order_by(Case.id.desc()).limit(1)).one()
        assert noise.summary.startswith("ร้านคาราโอเกะ")
    citizen.wait_text(noise.ticket)


def test_stickers_get_one_short_reply_per_window_and_every_one_is_kept(make_server,
                                                                        platform_stub: PlatformStub) -> None:
    server: LiveServer = make_server()
    citizen = Chat(server, platform_stub, "stickers")
    window = STICKER_REPLY_EVERY.total_seconds()
    start = time.time() - 3 * window  # sent in the recent past, as the platform stamped them
    answered = []
    for offset in (0, window / 2, window - 1, window + 60, window + 120):
        before = len(citizen.answers())
        citizen.sticker(at=start + offset)
        answered.append(any("มีเรื่องใดให้ช่วยไหมคะ" in text_of(m) for m in citizen.answers()[before:]))
        message = last_in(server, citizen.user_id)
        assert message.kind == "sticker" and message.case_id is None and message.contact_id is not None
    # the first is answered; the next two fall in its window; past it the next is answered, and opens a new window
    assert answered == [True, False, False, True, False]
    assert _cases(server) == 0


def test_stickers_taken_by_parallel_workers_get_one_reply_per_window(make_server, backend: str) -> None:
    """A burst of stickers in one signed webhook, taken by workers out of order or at once: one answer per window."""
    server: LiveServer = make_server(backend, run_worker=False)
    user = line_user_id("parallel-stickers")
    start = time.time() - 3 * STICKER_REPLY_EVERY.total_seconds()

    def sticker(at: float) -> dict:
        return simulator.line_event(user_id=user, timestamp_ms=int(at * 1000), message={
            "id": str(uuid.uuid4().int)[:18], "type": "sticker", "packageId": "446", "stickerId": "1988",
            "stickerResourceType": "STATIC", "quoteToken": "q"})

    # Two windows apart: a pair taken in the reverse of the order they were sent, a pair taken by racing workers.
    later_window = start + 2 * STICKER_REPLY_EVERY.total_seconds()
    assert server.post_line(sticker(start), sticker(start + 30), sticker(later_window),
                            sticker(later_window + 30)).status_code == 200
    with server.runtime.db.read_session() as session:
        first, second, third, fourth = session.scalars(select(Message.id).where(Message.sender_id == user)
                                                       .order_by(Message.sent_at)).all()
    assert handle_message(server.runtime, message_id=second) == "no_case"
    assert handle_message(server.runtime, message_id=first) == "no_case"
    gate = threading.Barrier(2)

    def work(message_id: int) -> str:
        gate.wait()
        return handle_message(server.runtime, message_id=message_id)

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(work, (fourth, third))) == ["no_case", "no_case"]
    with server.runtime.db.read_session() as session:
        replies = session.scalars(select(OutboxMessage.idempotency_key)
                                  .where(OutboxMessage.idempotency_key.like("sticker:%"))).all()
        stickers = session.scalars(select(Message).where(Message.sender_id == user, Message.kind == "sticker")).all()
        assert all(m.contact_id is not None and m.case_id is None for m in stickers) and len(stickers) == 4
    window_of = {f"sticker:{stickers[0].contact_id}:{m}": n // 2 for n, m in enumerate((first, second, third, fourth))}
    assert sorted(window_of[key] for key in replies) == [0, 1], replies
