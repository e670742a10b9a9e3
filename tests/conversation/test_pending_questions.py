"""Two questions of the bot waiting at once, through signed LINE webhooks, on SQLite and on PostgreSQL + Redis: a
citizen with a satisfaction survey still open is then asked "เพิ่มเติมเรื่องเดิม / แจ้งเรื่องใหม่" — a typed "1"
answers the question asked last (the same matter), not the survey; the survey still takes its typed score after."""
from __future__ import annotations

from sqlalchemy import select

from conversation.models import Survey
from storage.models import Case, Message
from tests.support.chat import Chat, quick_data, settle, text_of
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub

ROAD = "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอไซค์ล้มไปสองคันแล้วค่ะ ซอยเทศบาล 5 หมู่ 3"
NOISE = "อีกเรื่องนะคะ ร้านคาราโอเกะข้างบ้านเปิดเพลงเสียงดังทุกคืนจนตีสอง นอนไม่ได้เลย"
LIGHT = "อีกเรื่องค่ะ ไฟส่องสว่างในซอยเทศบาล 7 ดับมาสามคืนแล้ว มืดมากเดินกลับบ้านไม่กล้า"


def _survey(server: LiveServer, case_id: int) -> Survey:
    with server.runtime.db.session() as session:
        survey = session.scalars(select(Survey).where(Survey.case_id == case_id)).one()
        session.expunge(survey)
        return survey


def test_a_typed_answer_goes_to_the_question_asked_last(make_server, platform_stub: PlatformStub,
                                                        backend: str) -> None:
    server: LiveServer = make_server(backend)
    citizen = Chat(server, platform_stub, "two-questions")
    citizen.say(ROAD)
    citizen.say(NOISE)
    citizen.tap(quick_data(citizen.last(), "แจ้งเรื่องใหม่"))
    with server.runtime.db.session() as session:
        road, noise = session.scalars(select(Case).order_by(Case.id)).all()
        road_id, noise_id, noise_ticket = road.id, noise.id, noise.ticket

    # The road case is resolved: its survey waits for a score.
    server.add_user("works@example.go.th", role="officer", unit=road.unit_code)
    works = server.token("works@example.go.th")
    resolved = server.client.post(f"/api/cases/{road_id}/status", headers=works, json={
        "status": "resolved", "note": "ซ่อมถนนเรียบร้อยแล้ว", "no_photo_reason": "ซ่อมเสร็จตอนกลางคืน ถ่ายภาพไม่ได้"})
    assert resolved.status_code == 200, resolved.text
    citizen.wait_text("ประเมินความพึงพอใจ")
    settle(server)

    # Another matter while the noise case is open: asked "เรื่องเดิม / เรื่องใหม่" after the survey.
    citizen.say(LIGHT)
    asked = citizen.last()
    assert noise_ticket in text_of(asked) and "เรื่องใหม่" in str(asked.get("quickReply")), asked
    citizen.say("1")  # the first button of the question just asked: the same matter
    with server.runtime.db.session() as session:
        light = session.scalars(select(Message).where(Message.text == LIGHT)).one()
        assert light.case_id == noise_id, "the waiting message joins the matter the citizen chose"
        assert len(session.scalars(select(Case)).all()) == 2
    assert _survey(server, road_id).score is None, "the '1' was not the survey's score"
    assert f"ได้รับข้อมูลเพิ่มเติมสำหรับเรื่อง {noise_ticket}" in text_of(citizen.last())

    # With the question answered, the survey takes its typed score.
    citizen.say("4")
    assert _survey(server, road_id).score == 4
