"""Working-day deadlines in Asia/Bangkok (weekends, Songkran, agency days off) and escalation of overdue cases."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from agency.thaitime import BANGKOK
from cases.deadlines import time_left
from storage.models import AuditEvent, Case, utcnow
from tests.inbox.helpers import case_from_line, load_case
from tests.inbox.test_pages import csrf, sign_in
from tests.support.server import LiveServer


def test_time_left_reads_in_thai() -> None:
    now = utcnow()
    case = Case(status="in_progress", due_at=now + dt.timedelta(days=2, hours=3, minutes=5))
    assert time_left(case, now=now) == "เหลือ 2 วัน 3 ชั่วโมง"
    case.due_at = now - dt.timedelta(minutes=90)
    assert time_left(case, now=now) == "เกินกำหนด 1 ชั่วโมง 30 นาที"
    case.status = "closed"
    assert time_left(case, now=now) == ""


def test_an_admin_added_day_off_moves_new_deadlines(live_server: LiveServer) -> None:
    live_server.add_user("admin@example.go.th", role="admin")
    client = sign_in(live_server, "admin@example.go.th")
    calendar = live_server.runtime.calendar
    now = utcnow()
    next_day = calendar.add_working_days(now, 1).astimezone(BANGKOK).date()
    token = csrf(client.get("/admin/holidays"))
    typed = f"{next_day.day}/{next_day.month}/{next_day.year + 543}"  # as an officer types it: day/month/B.E. year
    added = client.post("/admin/holidays", data={"day": typed, "name": "งานประเพณีตำบล",
                                                 "csrf_token": token})
    assert added.status_code == 303
    page = client.get("/admin/holidays")
    assert "เพิ่มวันหยุดแล้ว" in page.text and "งานประเพณีตำบล" in page.text
    assert not live_server.runtime.calendar.is_working_day(next_day)
    case = case_from_line(live_server, "ท่อระบายน้ำอุดตัน น้ำขังหน้าบ้านครับ ซอย 7")
    assert case.respond_due_at.astimezone(BANGKOK).date() > next_day
    bad = client.post("/admin/holidays", data={"day": "31/02/2569", "name": "x", "csrf_token": token})
    assert bad.status_code == 303 and "ไม่มีวันที่ “31/02/2569” ในปฏิทิน" in client.get("/admin/holidays").text
    western = client.post("/admin/holidays", data={"day": "4/11/2026", "name": "x", "csrf_token": token})
    assert western.status_code == 303 and "กรุณาระบุปีเป็น พ.ศ." in client.get("/admin/holidays").text


def test_overdue_cases_are_flagged_and_escalated_to_the_units_admin(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ไฟถนนดับหน้าโรงเรียนมาหนึ่งสัปดาห์แล้วค่ะ")
    live_server.add_user("chief@example.go.th", role="admin", unit=case.unit_code)
    live_server.add_user("somchai@example.go.th", role="officer", unit=case.unit_code)
    with live_server.runtime.db.session() as session:
        session.get(Case, case.id).due_at = utcnow() - dt.timedelta(hours=1)
    assert live_server.worker.escalate_once() == 1
    assert live_server.worker.escalate_once() == 0  # once only
    assert load_case(live_server, case.id).escalated_at is not None
    with live_server.runtime.db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "escalated")).one()
        assert event.details["notified"] == ["chief@example.go.th"]
    admin = sign_in(live_server, "chief@example.go.th")
    assert "เรื่องเกินกำหนดที่ต้องติดตาม 1 เรื่อง" in admin.get("/inbox").text
    assert case.ticket in admin.get("/inbox?escalated=1").text
    officer = sign_in(live_server, "somchai@example.go.th")
    listing = officer.get("/inbox?overdue=1").text
    assert case.ticket in listing and "เกินกำหนด" in listing
    page = officer.get(f"/inbox/cases/{case.id}").text
    assert "แจ้งผู้ดูแลหน่วยงานแล้ว" in page and "เกินกำหนด 1 ชั่วโมง" in page
