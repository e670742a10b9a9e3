"""Proof of fix on resolving: a physical problem (a category the agency config marks physical) is resolved only with an
after-photo taken since it was last reopened, or with the officer's reason why none is possible (kept in the audit
event); other categories resolve as before. On SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cases import service as cases
from cases.errors import CaseError
from places import proof
from places.photos import clean_photo
from storage.models import AuditEvent, utcnow
from tests.places.conftest import AGENCY, HOME, PLACES, officer, seed_case
from tests.places.test_proof import street_photo


def resolve(session, case, user, *, reason: str | None = None):  # type: ignore[no-untyped-def]
    return proof.change_status_with_proof(session, case=case, user=user, status="resolved", note="ซ่อมแล้วค่ะ",
                                          no_photo_reason=reason, agency=AGENCY, places=PLACES, now=utcnow())


def test_resolving_a_physical_problem_asks_for_an_after_photo_or_a_reason(backend: str, places_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "street_lights" in PLACES.physical_categories and "nuisance" not in PLACES.physical_categories
    with places_db.session() as session:
        staff = officer(session)
        lamp = seed_case(session, text="ไฟถนนหน้าตลาดดับสามคืนแล้วค่ะ", unit="public_works", at=HOME, citizen="U-1",
                         embedded=False)
        with pytest.raises(CaseError, match="กรุณาแนบภาพหลังแก้ไข"):
            resolve(session, lamp, staff)
        with pytest.raises(CaseError, match="ยาวเกินไป"):
            resolve(session, lamp, staff, reason="ก" * 501)
        assert lamp.status == "new"
        # Other moves are not asked for a photo, and a refused move is refused for its own reason first.
        cases.change_status(session, case=lamp, user=staff, status="in_progress", note=None, agency=AGENCY,
                            now=utcnow())
        proof.add_after_photo(session, case=lamp, photo=clean_photo(street_photo(5), max_bytes=10**7), user=staff,
                              data_dir=tmp_path, now=utcnow())
        event = resolve(session, lamp, staff)
        assert lamp.status == "resolved" and "no_after_photo_reason" not in event.details

        # Reopened by the citizen: the old photo did not fix it; a reason is kept in the audit event.
        cases.reopen(session, case=lamp, reason="ยังไม่ได้รับการแก้ไข", now=utcnow())
        assert not proof.has_after_photo(session, case=lamp)
        with pytest.raises(CaseError, match="กรุณาแนบภาพหลังแก้ไข"):
            resolve(session, lamp, staff, reason="   ")
        event = resolve(session, lamp, staff, reason="เปลี่ยนหลอดตอนกลางคืน กล้องถ่ายไม่ติด")
        assert event.details["no_after_photo_reason"] == "เปลี่ยนหลอดตอนกลางคืน กล้องถ่ายไม่ติด"
        assert event.details["changes"]["status"] == ["in_progress", "resolved"]

        noise = seed_case(session, text="ร้านคาราโอเกะเสียงดังทุกคืนค่ะ", unit="environment", at=HOME, citizen="U-2",
                          embedded=False)
        assert not proof.needs_after_photo(noise, session=session, agency=AGENCY, places=PLACES)
        event = resolve(session, noise, officer(session, unit="environment"))
        assert noise.status == "resolved" and "no_after_photo_reason" not in event.details
        reasons = session.scalars(select(AuditEvent.details).where(AuditEvent.case_id == lamp.id,
                                                                   AuditEvent.action == "status_changed")).all()
        assert [d.get("no_after_photo_reason") for d in reasons] == [None, None, "เปลี่ยนหลอดตอนกลางคืน กล้องถ่ายไม่ติด"]


def test_the_api_and_the_case_page_ask_for_the_after_photo(make_server) -> None:  # type: ignore[no-untyped-def]
    from tests.inbox.test_pages import csrf, sign_in

    server = make_server(run_worker=False)
    with server.runtime.db.session() as session:
        by_api = seed_case(session, text="ไฟถนนหน้าตลาดดับค่ะ", unit="public_works", at=HOME, citizen="U-a",
                           embedded=False).id
        by_page = seed_case(session, text="ถนนหน้าวัดเป็นหลุมลึกค่ะ", unit="public_works", at=HOME, citizen="U-b",
                            embedded=False).id
    server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    auth = server.token("somchai@example.go.th")

    refused = server.client.post(f"/api/cases/{by_api}/status", json={"status": "resolved"}, headers=auth)
    assert refused.status_code == 422 and "กรุณาแนบภาพหลังแก้ไข" in refused.json()["detail"]
    not_photo = server.client.post(f"/api/cases/{by_api}/after-photos", headers=auth,
                                   files={"photo": ("a.jpg", b"%PDF-1.4", "image/jpeg")})
    assert not_photo.status_code == 422 and "รูปภาพ" in not_photo.json()["detail"]
    added = server.client.post(f"/api/cases/{by_api}/after-photos", headers=auth,
                               files={"photo": ("after.jpg", street_photo(7), "image/jpeg")})
    assert added.status_code == 201 and added.json() == {"detail": "บันทึกภาพหลังแก้ไขแล้ว", "flagged": False}
    resolved = server.client.post(f"/api/cases/{by_api}/status", json={"status": "resolved"}, headers=auth)
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"

    client = sign_in(server, "somchai@example.go.th")
    page = client.get(f"/inbox/cases/{by_page}")
    assert 'id="resolve-proof"' in page.text and 'name="no_photo_reason"' in page.text
    token = csrf(page)
    bare = client.post(f"/inbox/cases/{by_page}/status", data={"status": "resolved", "csrf_token": token})
    assert bare.status_code == 422 and "กรุณาแนบภาพหลังแก้ไข" in bare.text
    done = client.post(f"/inbox/cases/{by_page}/status", data={
        "status": "resolved", "csrf_token": token, "no_photo_reason": "ถนนปิดซ่อม เข้าไปถ่ายภาพไม่ได้"})
    assert done.status_code == 303
    shown = client.get(f"/inbox/cases/{by_page}").text
    assert "ไม่มีภาพหลังแก้ไข เพราะ: ถนนปิดซ่อม เข้าไปถ่ายภาพไม่ได้" in shown and 'id="resolve-proof"' not in shown
    assert "แจ้งดำเนินการแล้วเสร็จโดยไม่มีภาพหลังแก้ไข" in shown  # in the after-photo panel, for the unit's head
