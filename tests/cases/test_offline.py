"""Cases that arrive off-line (walk-in, phone, letter…): recorded with routing, deadlines and audit as for LINE,
nothing sent to the citizen; bad input is refused in Thai with nothing stored. Citizen groups on cases."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from agency.thaitime import BANGKOK, WorkingCalendar
from cases import offline, service
from storage.db import Database
from storage.models import AuditEvent, Case, Contact, Message, OutboxMessage
from tests.reports.helpers import migrated, user

AGENCY = load_agency_config(DEFAULT_AGENCY_CONFIG)
NOW = dt.datetime(2026, 2, 10, 10, 0, tzinfo=BANGKOK).astimezone(dt.UTC)  # a Tuesday


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    database = migrated(backend, tmp_path=tmp_path, request=request)
    yield database
    database.dispose()


def record(db: Database, email: str, **fields: object) -> Case:
    matter = offline.OfflineMatter(**{"channel": "walk_in", "text": "ไฟทางดับหน้าซอย 5 หมู่ 3 มาสามวันแล้วค่ะ",
                                      **fields})
    with db.session() as session:
        case = offline.record_offline_case(session, matter=matter, user=user(db, email), agency=AGENCY,
                                           calendar=WorkingCalendar(), now=NOW)
        session.expunge(case)
        return case


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                     for model in (Case, Contact, Message, OutboxMessage))


def test_an_officer_records_a_walk_in_case(db: Database) -> None:
    received = dt.datetime(2026, 2, 9, 15, 0, tzinfo=BANGKOK)  # Monday afternoon, recorded on Tuesday
    case = record(db, "works@example.go.th", citizen_name="นายมานะ ขยันดี", citizen_phone="089-111-2222",
                  group="ผู้สูงอายุ/ผู้พิการ", received_at=received)
    assert case.ticket.startswith("FS-2569-") and case.channel == "walk_in" and case.status == "new"
    assert case.unit_code == "public_works" and case.citizen_group == "ผู้สูงอายุ/ผู้พิการ"
    assert case.created_at == received.astimezone(dt.UTC)
    if case.intent == "complaint":  # the unit's own standard: 1 working day to acknowledge, 20 to resolve
        assert case.respond_due_at == dt.datetime(2026, 2, 10, 16, 30, tzinfo=BANGKOK)
        assert case.due_at == WorkingCalendar().add_working_days(received, 20)
    with db.session() as session:
        contact = session.get(Contact, case.contact_id)
        assert (contact.channel, contact.display_name, contact.phone) == ("walk_in", "นายมานะ ขยันดี", "089-111-2222")
        assert contact.citizen_group == "ผู้สูงอายุ/ผู้พิการ"
        message = session.scalars(select(Message).where(Message.case_id == case.id)).one()
        assert message.masked_text and "089-111-2222" not in message.masked_text
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)))
        assert actions == ["case_opened", "recorded_offline"]
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # nothing sent to the citizen


def test_an_admin_case_is_routed_by_the_classifier(db: Database) -> None:
    case = record(db, "admin@example.go.th", channel="letter", text="ขยะไม่มีคนมาเก็บ ส่งกลิ่นเหม็นมาก")
    assert case.unit_code == "environment"
    assert record(db, "admin@example.go.th", channel="phone", unit="revenue").unit_code == "revenue"


@pytest.mark.parametrize(("fields", "words"), [
    ({"text": "   "}, "กรุณากรอกรายละเอียด"),
    ({"channel": "line"}, "ไม่รู้จักช่องทาง"),
    ({"channel": "fax"}, "ไม่รู้จักช่องทาง"),
    ({"group": "นักการเมือง"}, "ไม่รู้จักกลุ่มผู้รับบริการ"),
    ({"received_at": NOW + dt.timedelta(days=1)}, "ในอนาคต"),
    ({"unit": "nowhere"}, "ไม่พบหน่วยงาน"),
])
def test_bad_input_is_refused_in_thai_and_nothing_is_stored(db: Database, fields: dict, words: str) -> None:
    before = counts(db)
    with pytest.raises(service.CaseError, match=words):
        record(db, "works@example.go.th", **fields)
    assert counts(db) == before


def test_analysts_cannot_record_cases(db: Database) -> None:
    with pytest.raises(PermissionError):
        record(db, "analyst@example.go.th")


def test_received_at_typed_by_the_officer() -> None:
    assert offline.parse_received_at("2026-02-09T15:00") == dt.datetime(2026, 2, 9, 15, tzinfo=BANGKOK)
    assert offline.parse_received_at("") is None
    with pytest.raises(service.CaseError, match="วันเวลาที่รับเรื่องไม่ถูกต้อง"):
        offline.parse_received_at("9 ก.พ.")


def test_citizen_group_on_a_case_and_a_contact(db: Database) -> None:
    case = record(db, "works@example.go.th")
    works, other = user(db, "works@example.go.th"), user(db, "env@example.go.th")
    with db.session() as session:
        stored = session.get(Case, case.id)
        service.set_citizen_group(session, case=stored, group="ผู้ประกอบการ", agency=AGENCY, actor=works, now=NOW)
        assert session.get(Contact, case.contact_id).citizen_group == "ผู้ประกอบการ"
        with pytest.raises(service.CaseError, match="ไม่รู้จักกลุ่มผู้รับบริการ"):
            service.set_citizen_group(session, case=stored, group="x", agency=AGENCY, actor="citizen", now=NOW)
        with pytest.raises(PermissionError):
            service.set_citizen_group(session, case=stored, group="ผู้ประกอบการ", agency=AGENCY, actor=other,
                                      now=NOW)
    with db.session() as session:  # the conversation helper sets a LINE citizen's group on the contact
        contact = session.get(Contact, case.contact_id)
        stored = session.get(Case, case.id)
        stored.citizen_group = None
        service.set_citizen_group(session, contact=contact, group="นักเรียน/นักศึกษา", agency=AGENCY,
                                  actor="citizen", now=NOW)
        assert stored.citizen_group == "นักเรียน/นักศึกษา"
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "group_set")).all()
        assert {e.entity for e in events} == {"case", "contact"}


def test_offline_cases_over_the_api(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server = make_server(backend)
    server.add_user("works@example.go.th", role="officer", unit="public_works")
    server.add_user("analyst@example.go.th", role="analyst")
    officer, analyst = server.token("works@example.go.th"), server.token("analyst@example.go.th")
    body = {"channel": "phone", "text": "ท่อระบายน้ำอุดตัน น้ำท่วมขังหน้าบ้านค่ะ",
            "citizen": {"name": "นางสาวใจดี มีสุข", "phone": "02-123-4567"}, "group": "ประชาชนทั่วไป",
            "received_at": "2025-11-03T09:30:00+07:00"}
    created = server.client.post("/api/cases", json=body, headers=officer)
    assert created.status_code == 201, created.text
    case = created.json()
    # the ticket carries the B.E. year the citizen came in (3 Nov 2025 = 2568), as every ticket does
    assert case["ticket"].startswith("FS-2568-") and case["unit"] == "public_works"
    assert case["channel"] == "phone" and case["citizen_group"] == "ประชาชนทั่วไป"
    assert case["citizen"]["phone"] == "02-123-4567" and case["created_at"].startswith("2025-11-03T02:30")
    grouped = server.client.post(f"/api/cases/{case['id']}/group", json={"group": "ผู้ประกอบการ"}, headers=officer)
    assert grouped.status_code == 200 and grouped.json()["citizen_group"] == "ผู้ประกอบการ"
    listed = server.client.get("/api/cases?channel=phone", headers=officer).json()
    assert [item["ticket"] for item in listed["items"]] == [case["ticket"]]
    for bad, words in (({"text": ""}, "กรุณากรอกรายละเอียด"), ({"channel": "pigeon"}, "ไม่รู้จักช่องทาง"),
                       ({"received_at": "2099-01-01T00:00"}, "ในอนาคต"), ({"group": "x"}, "กลุ่มผู้รับบริการ"),
                       ({"received_at": "เมื่อวาน"}, "ไม่ถูกต้อง")):
        refused = server.client.post("/api/cases", json={**body, **bad}, headers=officer)
        assert refused.status_code == 422 and words in refused.json()["detail"]
    assert server.client.post("/api/cases", json=body, headers=analyst).status_code == 403
    assert server.client.get("/api/cases", headers=officer).json()["total"] == 1
