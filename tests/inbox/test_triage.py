"""Triage: a case the router was unsure of shows the suggested units as one-click buttons; urgent cases stand out."""
from __future__ import annotations

from tests.inbox.helpers import case_from_line, load_case
from tests.inbox.test_pages import csrf, sign_in
from tests.support.server import LiveServer
from storage.models import Case


def test_triage_officer_routes_a_case_with_one_click(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ขอสอบถามเรื่องทั่วไปค่ะ หน้าบ้านมีปัญหานิดหน่อย")
    with live_server.runtime.db.session() as session:
        stored = session.get(Case, case.id)
        stored.unit_code, stored.priority, stored.priority_reason = "triage", "urgent", "มีผู้บาดเจ็บ"
        stored.unit_candidates = [{"unit": "public_works", "confidence": 0.41},
                                  {"unit": "environment", "confidence": 0.33}, {"unit": "triage", "confidence": 0.1}]
    live_server.add_user("triage@example.go.th", role="officer", unit="triage")
    client = sign_in(live_server, "triage@example.go.th")
    page = client.get(f"/inbox/cases/{case.id}")
    assert page.status_code == 200
    assert 'id="unit-suggestions"' in page.text and "41%" in page.text and "33%" in page.text
    assert "เร่งด่วน: มีผู้บาดเจ็บ" in page.text
    listing = client.get("/inbox")
    assert "เร่งด่วน: มีผู้บาดเจ็บ" in listing.text
    moved = client.post(f"/inbox/cases/{case.id}/assign", data={
        "csrf_token": csrf(page), "unit": "public_works", "reason": "ส่งต่อตามที่ระบบแนะนำ (ความมั่นใจ 41%)"})
    assert moved.status_code == 303
    assert load_case(live_server, case.id).unit_code == "public_works"
