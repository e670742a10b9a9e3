"""The cases API: officers reply, change status, reassign, relabel and note; bad input changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.models import AuditEvent, CaseNote, Contact, Correction, Message
from tests.inbox.helpers import case_from_line, load_case, other_unit, staff
from tests.support.server import LiveServer

COMPLAINT = "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอเตอร์ไซค์ล้มทุกวันเลยครับ ซอยวัดกลาง หมู่ 3"


def history(server: LiveServer, case_id: int) -> list[str]:
    with server.runtime.db.session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.id)))


def test_officer_replies_and_resolves_and_the_citizen_hears_on_line(live_server: LiveServer, platform_stub) -> None:
    case = case_from_line(live_server, COMPLAINT)
    who = staff(live_server, case)
    api = live_server.client
    listed = api.get("/api/cases", headers=who["officer"]).json()
    assert [c["ticket"] for c in listed["items"]] == [case.ticket]

    answer = api.post(f"/api/cases/{case.id}/reply", json={"text": "รับเรื่องแล้วค่ะ ช่างจะเข้าไปดูพรุ่งนี้"},
                      headers=who["officer"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "acknowledged" and body["first_response_at"]
    assert body["messages"][-1]["text"] == "รับเรื่องแล้วค่ะ ช่างจะเข้าไปดูพรุ่งนี้"
    platform_stub.wait_for(lambda reqs: any("ช่างจะเข้าไปดูพรุ่งนี้" in r.text for r in reqs))

    for step in ("in_progress", "resolved"):
        moved = api.post(f"/api/cases/{case.id}/status", json={"status": step, "note": "ซ่อมถนนเรียบร้อยแล้ว",
                                                                 "no_photo_reason": "ซ่อมเสร็จตอนกลางคืน ถ่ายภาพไม่ได้"},
                         headers=who["officer"])
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == step
    sent = platform_stub.wait_for(lambda reqs: any("ดำเนินการแล้วเสร็จ" in r.text for r in reqs))
    assert any(case.ticket in r.text and "ซ่อมถนนเรียบร้อยแล้ว" in r.text for r in sent)
    assert load_case(live_server, case.id).resolved_at is not None
    live_server.wait_until(lambda: all(m["delivery"] == "sent" for m in api.get(
        f"/api/cases/{case.id}", headers=who["officer"]).json()["messages"] if m["direction"] == "out"))
    officers = [a for a in history(live_server, case.id) if a != "survey_asked"]  # the survey job may ask meanwhile
    assert officers[-3:] == ["replied", "status_changed", "status_changed"]


def test_another_units_officer_can_neither_see_nor_change_the_case(live_server: LiveServer) -> None:
    case = case_from_line(live_server, COMPLAINT)
    who = staff(live_server, case)
    api = live_server.client
    assert api.get("/api/cases", headers=who["other"]).json()["items"] == []
    assert api.get(f"/api/cases/{case.id}", headers=who["other"]).status_code == 404
    for path, body in (("reply", {"text": "สวัสดี"}), ("status", {"status": "resolved"}),
                       ("assign", {"unit": other_unit(case), "reason": "ของเรา"}), ("notes", {"text": "x"})):
        assert api.post(f"/api/cases/{case.id}/{path}", json=body, headers=who["other"]).status_code == 404
    assert api.post(f"/api/cases/{case.id}/reply", json={"text": "สวัสดี"}, headers=who["analyst"]).status_code == 403
    assert api.get(f"/api/cases/{case.id}").status_code == 401
    assert load_case(live_server, case.id).status == "new"


def test_analyst_sees_no_personal_data(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ไฟถนนดับค่ะ ติดต่อกลับ 081-234-5678 หน้าบ้านเลขที่ 12 หมู่ 4")
    who = staff(live_server, case)
    data = live_server.client.get(f"/api/cases/{case.id}", headers=who["analyst"]).json()
    assert "citizen" not in data and "notes" not in data
    assert "081-234-5678" not in str(data)
    assert all(event["actor"] is None for event in data["history"])


def test_reassign_and_relabel_are_kept_as_corrections(live_server: LiveServer, platform_stub) -> None:
    case = case_from_line(live_server, COMPLAINT)
    who = staff(live_server, case)
    api = live_server.client
    relabel = api.post(f"/api/cases/{case.id}/intent", json={"intent": "suggestion"}, headers=who["officer"])
    assert relabel.status_code == 200, relabel.text
    assert relabel.json()["intent"] == "suggestion" and relabel.json()["due_at"] > case.due_at.isoformat()
    target = other_unit(case)
    moved = api.post(f"/api/cases/{case.id}/assign", json={"unit": target, "reason": "เป็นเรื่องของกองนี้"},
                     headers=who["officer"])
    assert moved.status_code == 200, moved.text
    assert moved.json()["unit"] == target
    # The case has left the officer's unit: it is now the other unit's.
    assert api.get(f"/api/cases/{case.id}", headers=who["officer"]).status_code == 404
    assert api.get(f"/api/cases/{case.id}", headers=who["other"]).status_code == 200
    with live_server.runtime.db.session() as session:
        rows = session.scalars(select(Correction).order_by(Correction.id)).all()
        assert [(r.intent, r.previous_intent, r.unit_code, r.previous_unit_code) for r in rows] == [
            ("suggestion", case.intent, None, None), (None, None, target, case.unit_code)]
        assert rows[0].text == COMPLAINT
    platform_stub.wait_for(lambda reqs: any("ได้ส่งต่อให้" in r.text for r in reqs))


def test_internal_notes_never_reach_the_citizen(live_server: LiveServer, platform_stub) -> None:
    case = case_from_line(live_server, COMPLAINT)
    who = staff(live_server, case)
    platform_stub.wait_for(lambda reqs: any(case.ticket in r.text for r in reqs))  # the acknowledgement
    outgoing = select(func.count()).select_from(Message).where(Message.direction == "out")
    with live_server.runtime.db.session() as session:
        before = session.scalar(outgoing)  # the acknowledgement and the one-time citizen-group question
    noted = live_server.client.post(f"/api/cases/{case.id}/notes", json={"text": "บันทึกลับ: ผู้ร้องเคยแจ้งแล้ว"},
                                    headers=who["officer"])
    assert noted.status_code == 200
    assert noted.json()["status"] == "new"
    data = live_server.client.get(f"/api/cases/{case.id}", headers=who["officer"]).json()
    assert [n["text"] for n in data["notes"]] == ["บันทึกลับ: ผู้ร้องเคยแจ้งแล้ว"]
    with live_server.runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 1
        assert session.scalar(outgoing) == before  # the note queued nothing for the citizen
    live_server.worker.dispatch_outbox()
    assert all("บันทึกลับ" not in r.text for r in platform_stub.requests)


def test_bad_input_gets_a_thai_error_and_leaves_the_case_unchanged(live_server: LiveServer, platform_stub) -> None:
    case = case_from_line(live_server, COMPLAINT)
    who = staff(live_server, case)
    platform_stub.wait_for(lambda reqs: any(case.ticket in r.text for r in reqs))  # the acknowledgement went out
    live_server.wait_until(lambda: load_case(live_server, case.id).messages[-1].delivery == "sent")
    api = live_server.client
    url = f"/api/cases/{case.id}"

    def refused(path: str, body: dict, words: str) -> None:
        before = api.get(url, headers=who["officer"]).json()
        response = api.post(f"{url}/{path}", json=body, headers=who["officer"])
        assert response.status_code == 422, response.text
        assert words in response.json()["detail"]
        after = api.get(url, headers=who["officer"]).json()
        assert after == before

    refused("reply", {"text": ""}, "กรุณาพิมพ์ข้อความ")
    refused("reply", {"text": "   "}, "กรุณาพิมพ์ข้อความ")
    refused("reply", {"text": "ก" * 5000}, "ยาวเกินไป")
    refused("status", {"status": "done"}, "ไม่รู้จักสถานะ")
    refused("status", {"status": "rejected"}, "กรุณาระบุเหตุผล")
    refused("status", {"status": "forwarded", "note": ""}, "กรุณาระบุหน่วยงานที่ส่งต่อ")
    refused("assign", {"unit": "no_such_unit", "reason": "ผิดกอง"}, "ไม่พบหน่วยงาน")
    refused("assign", {"unit": other_unit(case), "reason": ""}, "กรุณาระบุเหตุผล")
    refused("assign", {"unit": case.unit_code, "reason": "ซ้ำ"}, "อยู่แล้ว")
    refused("intent", {"intent": "gossip"}, "ไม่รู้จักประเภทเรื่อง")
    refused("notes", {"text": ""}, "กรุณาพิมพ์บันทึก")

    for step in ("resolved", "closed"):
        assert api.post(f"{url}/status", json={"status": step, "no_photo_reason": "ซ่อมเสร็จตอนกลางคืน ถ่ายภาพไม่ได้"},
                        headers=who["officer"]).status_code == 200
    # the status notes and the satisfaction survey go out first, so the thread stops changing under the check
    live_server.wait_until(lambda: all(m.delivery == "sent" for m in load_case(live_server, case.id).messages
                                       if m.direction == "out"))
    refused("status", {"status": "new"}, "เปลี่ยนสถานะจาก “ปิดเรื่อง” เป็น “รับเรื่องใหม่” ไม่ได้")
    refused("status", {"status": "in_progress"}, "ไม่ได้")


def test_reply_to_a_citizen_who_unfollowed_is_refused(live_server: LiveServer) -> None:
    case = case_from_line(live_server, COMPLAINT)
    who = staff(live_server, case)
    with live_server.runtime.db.session() as session:
        session.get(Contact, case.contact_id).following = False
    response = live_server.client.post(f"/api/cases/{case.id}/reply", json={"text": "สวัสดีค่ะ"},
                                       headers=who["officer"])
    assert response.status_code == 422
    assert "เลิกติดตาม" in response.json()["detail"]
    case_now = load_case(live_server, case.id)
    assert case_now.status == "new" and case_now.first_response_at is None
    # A status change still happens; the citizen simply cannot be told.
    moved = live_server.client.post(f"/api/cases/{case.id}/status", json={"status": "in_progress"},
                                    headers=who["officer"])
    assert moved.status_code == 200
