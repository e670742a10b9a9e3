"""The status workflow and officer actions on a SQLite session, without a server."""
from __future__ import annotations

import pytest

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from agency.thaitime import WorkingCalendar
from cases import access, service
from storage.db import Database
from storage.models import AuditEvent, CaseNote, Contact, Message, OutboxMessage, User, utcnow

AGENCY = load_agency_config(DEFAULT_AGENCY_CONFIG)


def opened_case(session, *, unit: str = "public_works"):  # type: ignore[no-untyped-def]
    """A complaint from a LINE citizen, opened as the worker would."""
    contact = Contact(channel="line", external_id="U" + "1" * 32, following=True)
    session.add(contact)
    session.flush()
    now = utcnow()
    message = Message(direction="in", channel="line", kind="text", contact_id=contact.id, text="ถนนพังค่ะ ซอย 5",
                      intent="complaint", intent_confidence=0.9, unit_code=unit, unit_confidence=0.9, sent_at=now,
                      received_at=now)
    session.add(message)
    session.flush()
    return service.open_case(session, contact=contact, message=message, agency=AGENCY, calendar=WorkingCalendar(),
                             now=now)


def staff(session, role: str, unit: str | None) -> User:  # type: ignore[no-untyped-def]
    user = User(email=f"{role}-{unit}@example.go.th", password_hash="x", role=role, unit_code=unit, active=True)
    session.add(user)
    session.flush()
    return user


def test_the_workflow_allows_only_its_transitions_and_tells_the_citizen(database: Database) -> None:
    with database.session() as session:
        case = opened_case(session)
        officer = staff(session, "officer", "public_works")
        assert case.ticket.startswith("FS-") and case.status == "new"
        for step in ("in_progress", "resolved", "closed"):
            service.change_status(session, case=case, user=officer, status=step, note=None, agency=AGENCY,
                                  now=utcnow())
        assert case.status == "closed" and case.resolved_at and case.closed_at
        with pytest.raises(service.CaseError, match="ไม่ได้"):
            service.change_status(session, case=case, user=officer, status="new", note=None, agency=AGENCY,
                                  now=utcnow())
        told = [row.payload["text"] for row in session.query(OutboxMessage).order_by(OutboxMessage.id)]
        assert any("ดำเนินการแล้วเสร็จ" in text for text in told)
        actions = [e.action for e in session.query(AuditEvent).order_by(AuditEvent.id)]
        assert actions == ["case_opened", "status_changed", "status_changed", "status_changed"]


def test_forwarding_needs_a_note_and_other_units_cannot_act(database: Database) -> None:
    with database.session() as session:
        case = opened_case(session)
        officer = staff(session, "officer", "public_works")
        stranger = staff(session, "officer", "environment")
        analyst = staff(session, "analyst", None)
        with pytest.raises(service.CaseError, match="ระบุหน่วยงาน"):
            service.change_status(session, case=case, user=officer, status="forwarded", note=" ", agency=AGENCY,
                                  now=utcnow())
        for user in (stranger, analyst):
            assert not access.can_act(user, case)
            with pytest.raises(PermissionError):
                service.add_note(session, case=case, user=user, text="x", now=utcnow())
        assert access.can_see(analyst, case) and not access.can_see(stranger, case)
        assert not access.sees_personal_data(analyst) and access.sees_personal_data(officer)
        assert case.status == "new"


def test_praise_is_recorded_closed_through_the_workflow(database: Database) -> None:
    """Praise recorded, reopening after the citizen's word: named moves that the transitions table allows."""
    with database.session() as session:
        praise = opened_case(session)
        service.record_praise(session, case=praise, now=utcnow())
        assert praise.status == "closed" and praise.resolved_at and praise.closed_at
        event = session.query(AuditEvent).filter_by(action="praise_recorded").one()
        assert event.details["changes"]["status"] == ["new", "closed"]
        with pytest.raises(service.CaseError, match="ไม่ได้"):  # a closed case is not reopened
            service.reopen(session, case=praise, reason="ปัญหากลับมาเกิดขึ้นอีก", now=utcnow())


def test_a_resolved_case_reopens_when_the_citizen_says_the_problem_is_back(database: Database) -> None:
    with database.session() as session:
        case = opened_case(session)
        officer = staff(session, "officer", "public_works")
        service.change_status(session, case=case, user=officer, status="resolved", note=None, agency=AGENCY,
                              now=utcnow())
        service.reopen(session, case=case, reason="ปัญหากลับมาเกิดขึ้นอีก", now=utcnow())
        assert case.status == "in_progress" and case.resolved_at is None
        note = session.query(CaseNote).filter_by(case_id=case.id).one()
        assert "ปัญหากลับมาเกิดขึ้นอีก" in note.text and note.author_user_id is None
        with pytest.raises(service.CaseError, match="ไม่ได้"):  # in progress already: nothing to reopen
            service.reopen(session, case=case, reason="ปัญหากลับมาเกิดขึ้นอีก", now=utcnow())
