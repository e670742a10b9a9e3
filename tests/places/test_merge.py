"""Merging the same problem: the merged case's citizen is told, then gets the target's status updates, the officer's
replies and the satisfaction survey; every step is audited; impossible merges are refused in Thai."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from agency.settings import Settings
from cases import service as cases
from conversation.models import Survey
from conversation.surveys import ask_surveys
from runtime import ConversationState
from places import service
from storage.models import AuditEvent, Contact, OutboxMessage, utcnow
from tests.places.conftest import AGENCY, HOME, north_of, officer, seed_case

POTHOLE = "ถนนเป็นหลุมใหญ่หน้าตลาดสด รถจักรยานยนต์ล้มบ่อยมากค่ะ"


def told(session, case) -> list[str]:  # type: ignore[no-untyped-def]
    """What the case's citizen has been sent, oldest first."""
    contact = session.get(Contact, case.contact_id)
    return [row.payload["text"] for row in session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == contact.external_id).order_by(OutboxMessage.id))]


def test_merge_moves_the_citizen_to_the_targets_updates_and_survey(backend: str, places_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runtime = SimpleNamespace(db=places_db, agency=AGENCY, conversation=ConversationState(), settings=Settings(
        _env_file=None, fangsiang_data_dir=tmp_path, fangsiang_secret_key="k" * 40))
    with places_db.session() as session:
        target = seed_case(session, text=POTHOLE, unit="public_works", at=HOME, citizen="U-target")
        merged = seed_case(session, text="ยางมะตอยหน้าตลาดแตกเป็นหลุม ขับรถลำบากครับ", unit="public_works",
                           at=north_of(80), citizen="U-merged")
        staff = officer(session)
        assert [s.case_id for s in service.same_problem(session, case=merged, agency=AGENCY,
                                                        config=service.PlacesConfig())] == [target.id]
        service.merge(session, case=merged, into=target, user=staff, agency=AGENCY, now=utcnow())
        assert f"เรื่องนี้มีผู้แจ้งแล้ว เลขที่ {target.ticket}" in told(session, merged)[-1]
        with pytest.raises(cases.CaseError, match="ถูกรวมกับเรื่องอื่นไปแล้ว"):
            service.merge(session, case=merged, into=target, user=staff, agency=AGENCY, now=utcnow())
        with pytest.raises(cases.CaseError, match=f"กรุณารวมเข้ากับเรื่องเลขที่ {target.ticket}"):
            service.merge(session, case=target, into=merged, user=staff, agency=AGENCY, now=utcnow())
        merged_id, target_id = merged.id, target.id
        cases.reply(session, case=target, user=staff, text="เจ้าหน้าที่จะเข้าซ่อมผิวถนนวันพรุ่งนี้ค่ะ โทร 081-234-5678",
                    now=utcnow())
        for step in ("in_progress", "resolved"):
            cases.change_status(session, case=target, user=staff, status=step, note=None, agency=AGENCY, now=utcnow())

    assert service.relay_merged(runtime) == 3  # one reply and two status changes
    assert service.relay_merged(runtime) == 0  # passed on once
    assert ask_surveys(runtime) == 2  # the target's citizen and the merged case's citizen

    with places_db.session() as session:
        merged, target = session.get(service.Case, merged_id), session.get(service.Case, target_id)
        assert merged.status == "resolved" and merged.resolved_at is not None
        texts = told(session, merged)
        assert any("เจ้าหน้าที่จะเข้าซ่อมผิวถนนวันพรุ่งนี้ค่ะ" in t and "081-234-5678" not in t for t in texts)
        assert any(f"เรื่องเลขที่ {merged.ticket} ดำเนินการแล้วเสร็จ" in t for t in texts)
        assert session.scalars(select(Survey.case_id).order_by(Survey.case_id)).all() == sorted([merged_id, target_id])
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == merged_id)).all()
        assert "case_merged" in actions and actions.count("merge_relayed") == 3
        assert "merge_received" in session.scalars(select(AuditEvent.action)
                                                   .where(AuditEvent.case_id == target_id)).all()


def test_an_officer_undoes_a_merge_and_the_citizen_follows_their_own_case_again(backend: str, places_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runtime = SimpleNamespace(db=places_db, agency=AGENCY, conversation=ConversationState(), settings=Settings(
        _env_file=None, fangsiang_data_dir=tmp_path, fangsiang_secret_key="k" * 40))
    with places_db.session() as session:
        target = seed_case(session, text=POTHOLE, unit="public_works", at=HOME, citizen="U-target", embedded=False)
        merged = seed_case(session, text="ยางมะตอยหน้าตลาดแตกเป็นหลุมครับ", unit="public_works", at=north_of(80),
                           citizen="U-merged", embedded=False)
        kept = seed_case(session, text="ทางเท้าหน้าตลาดทรุดครับ", unit="public_works", at=north_of(60),
                         citizen="U-kept", embedded=False)
        staff = officer(session)
        with pytest.raises(cases.CaseError, match="ไม่ได้รวมกับเรื่องอื่น"):
            service.unmerge(session, case=merged, user=staff, agency=AGENCY, now=utcnow())
        for case in (merged, kept):
            service.merge(session, case=case, into=target, user=staff, agency=AGENCY, now=utcnow())
        # An officer moves the kept case on its own: undoing its merge keeps that status.
        cases.change_status(session, case=kept, user=staff, status="in_progress", note=None, agency=AGENCY,
                            now=utcnow())
        for step in ("in_progress", "resolved"):
            cases.change_status(session, case=target, user=staff, status=step, note=None, agency=AGENCY, now=utcnow())
        ids = merged.id, target.id, kept.id
    assert service.relay_merged(runtime) == 4  # two status changes, to each of the two merged cases

    with places_db.session() as session:
        merged, target, kept = (session.get(service.Case, i) for i in ids)
        staff = session.scalars(select(service.User)).first()
        assert merged.status == "resolved" and kept.status == "resolved"
        event = service.unmerge(session, case=merged, user=staff, agency=AGENCY, now=utcnow())
        assert merged.status == "new" and merged.resolved_at is None and event.details["citizen_told"]
        assert service.merged_into(session, case_id=merged.id) is None
        assert f"แยกออกจากเรื่องเลขที่ {target.ticket} แล้ว" in told(session, merged)[-1]
        service.unmerge(session, case=kept, user=staff, agency=AGENCY, now=utcnow())
        assert kept.status == "resolved"  # the last change was not the target's alone: nothing is taken back
        assert service.join_known_problem(session, case=merged, agency=AGENCY, config=service.PlacesConfig(
            join_similarity=0.0, similarity=0.0)) is None  # parted by an officer: never joined again by itself
        with pytest.raises(cases.CaseError, match="ไม่ได้รวมกับเรื่องอื่น"):
            service.unmerge(session, case=merged, user=staff, agency=AGENCY, now=utcnow())
        cases.change_status(session, case=target, user=staff, status="closed", note=None, agency=AGENCY, now=utcnow())
        cases.change_status(session, case=merged, user=staff, status="in_progress", note=None, agency=AGENCY,
                            now=utcnow())
        assert f"เรื่องเลขที่ {merged.ticket} อยู่ระหว่างดำเนินการ" in told(session, merged)[-1]
        assert {"merge_withdrawn"} <= set(session.scalars(select(AuditEvent.action)
                                                          .where(AuditEvent.case_id == target.id)))
        assert "merge_undone" in session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == merged.id)).all()
    assert service.relay_merged(runtime) == 0  # the target's closing is no longer passed on
    with places_db.session() as session:
        assert session.get(service.Case, ids[0]).status == "in_progress"


def test_merge_undo_through_the_api_and_the_case_page(make_server) -> None:  # type: ignore[no-untyped-def]
    from tests.inbox.test_pages import csrf, sign_in

    server = make_server(run_worker=False)
    with server.runtime.db.session() as session:
        target, one, two = (seed_case(session, text=POTHOLE, unit="public_works", at=north_of(d), citizen=f"U-{d}",
                                      embedded=False).id for d in (0, 40, 80))
    server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    auth = server.token("somchai@example.go.th")
    for case_id in (one, two):
        assert server.client.post(f"/api/cases/{case_id}/merge", json={"into": target}, headers=auth).status_code == 200
    undone = server.client.delete(f"/api/cases/{one}/merge", headers=auth)
    assert undone.status_code == 200 and undone.json()["status"] == "new"
    again = server.client.delete(f"/api/cases/{one}/merge", headers=auth)
    assert again.status_code == 422 and "ไม่ได้รวมกับเรื่องอื่น" in again.json()["detail"]

    client = sign_in(server, "somchai@example.go.th")
    page = client.get(f"/inbox/cases/{two}")
    assert "ยกเลิกการรวมเรื่อง" in page.text
    assert client.post(f"/inbox/cases/{two}/unmerge", data={"csrf_token": csrf(page)}).status_code == 303
    shown = client.get(f"/inbox/cases/{two}").text
    assert "ยกเลิกการรวมเรื่องแล้ว" in shown and "ยกเลิกการรวมเรื่อง (ไม่ใช่ปัญหาเดียวกัน)" in shown  # history line
    with server.runtime.db.session() as session:
        assert service.merged_into(session, case_id=two) is None
