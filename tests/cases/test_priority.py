"""Urgent cases (danger to people now): the shorter standard, the unit told at once, first in the inbox."""
from __future__ import annotations

from sqlalchemy import select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from agency.thaitime import WorkingCalendar
from cases import queries, service
from storage.db import Database
from storage.models import AuditEvent, Case, Contact, Message, User, utcnow

AGENCY = load_agency_config(DEFAULT_AGENCY_CONFIG)


def _open(session, text: str, *, priority: str, reason: str | None = None) -> Case:  # type: ignore[no-untyped-def]
    contact = Contact(channel="line", external_id=f"U{abs(hash(text)) % 10**32:032d}", following=True)
    session.add(contact)
    session.flush()
    now = utcnow()
    message = Message(direction="in", channel="line", kind="text", contact_id=contact.id, text=text,
                      intent="complaint", intent_confidence=0.9, unit_code="public_works", unit_confidence=0.9,
                      priority=priority, priority_reason=reason, sent_at=now, received_at=now,
                      unit_candidates=[{"unit": "public_works", "confidence": 0.9},
                                       {"unit": "disaster", "confidence": 0.06}])
    session.add(message)
    session.flush()
    return service.open_case(session, contact=contact, message=message, agency=AGENCY, calendar=WorkingCalendar(),
                             now=now)


def test_an_urgent_case_gets_the_shorter_standard_and_the_unit_hears_at_once(database: Database) -> None:
    with database.session() as session:
        session.add(User(email="somchai@example.go.th", password_hash="x", role="officer", unit_code="public_works"))
        session.add(User(email="other@example.go.th", password_hash="x", role="officer", unit_code="environment"))
        usual = _open(session, "ถนนเป็นหลุมค่ะ ซอย 5", priority="normal")
        urgent = _open(session, "สายไฟขาดพาดถนน มีประกายไฟ ซอย 7", priority="urgent", reason="สายไฟฟ้าขาด/ไฟรั่ว")
        assert urgent.priority == "urgent" and urgent.priority_reason == "สายไฟฟ้าขาด/ไฟรั่ว"
        assert urgent.due_at < usual.due_at and urgent.respond_due_at <= usual.respond_due_at
        assert urgent.unit_candidates[0] == {"unit": "public_works", "confidence": 0.9}
        [told] = session.scalars(select(AuditEvent).where(AuditEvent.action == "urgent_notified")).all()
        assert told.case_id == urgent.id and told.details["notified"] == ["somchai@example.go.th"]
        usual.due_at = utcnow()  # even a case due now comes after one where people are in danger
        session.flush()
        officer = session.scalars(select(User).where(User.email == "somchai@example.go.th")).one()
        order = session.scalars(queries.most_urgent_first(queries.filtered_cases(officer, now=utcnow()))).all()
        assert [c.id for c in order] == [urgent.id, usual.id]


def test_relabelling_an_urgent_case_keeps_its_shorter_standard(database: Database) -> None:
    with database.session() as session:
        officer = User(email="somchai@example.go.th", password_hash="x", role="officer", unit_code="public_works")
        session.add(officer)
        urgent = _open(session, "สายไฟขาดพาดถนน มีประกายไฟ ซอย 7", priority="urgent", reason="สายไฟฟ้าขาด/ไฟรั่ว")
        due = urgent.due_at
        service.relabel(session, case=urgent, user=officer, intent="suggestion", agency=AGENCY,
                        calendar=WorkingCalendar(), now=utcnow())
        assert urgent.intent == "suggestion" and urgent.due_at <= due, "people are still in danger"


def test_an_urgent_case_reassigned_alerts_the_new_unit(database: Database) -> None:
    from cases.alerts import UnitAlert, open_alerts

    with database.session() as session:
        works = User(email="works@example.go.th", password_hash="x", role="officer", unit_code="public_works")
        rescue = User(email="rescue@example.go.th", password_hash="x", role="officer", unit_code="disaster")
        session.add_all([works, rescue])
        urgent = _open(session, "ต้นไม้ใหญ่ล้มทับสายไฟ ขวางถนน ซอย 9", priority="urgent", reason="ต้นไม้ล้ม")
        assert [a.unit_code for a, _ in open_alerts(session, user=works)] == ["public_works"]
        assert open_alerts(session, user=rescue) == []
        service.assign(session, case=urgent, user=works, unit_code="disaster", reason="งานกู้ภัยรับผิดชอบ",
                       agency=AGENCY, now=utcnow())
        assert open_alerts(session, user=works) == [], "moving the case settles the old unit's alert"
        assert [(a.unit_code, c.id) for a, c in open_alerts(session, user=rescue)] == [("disaster", urgent.id)]
        alerts = session.scalars(select(UnitAlert).order_by(UnitAlert.id)).all()
        assert [(a.unit_code, a.acknowledged_by) for a in alerts] == [("public_works", "works@example.go.th"),
                                                                      ("disaster", None)]
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == urgent.id)
                                  .order_by(AuditEvent.id)).all()
        assert actions.count("urgent_notified") == 2 and "alert_acknowledged" in actions
