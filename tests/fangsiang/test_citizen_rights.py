"""Citizens' PDPA rights: erasure on request and the retention period mask personal data but keep the counts; an
analyst never reads officers' emails, notes or reasons unmasked in a case's history."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from fangsiang.citizen_rights import RETENTION_ACTION, apply_retention, retention_job
from listeners import simulator
from storage.models import AuditEvent, Case, CaseNote, Contact, InboundEvent, Message
from tests.fangsiang.test_cli import run_cli
from tests.inbox.helpers import case_from_line, other_unit, staff
from tests.inbox.test_pages import sign_in
from tests.support.server import LiveServer

PERSONAL = "นางสาวมาลี ศรีสุข โทร 081-234-5678 ถนนหน้าบ้านเลขที่ 99/1 เป็นหลุมใหญ่ รถล้มไปสองคันแล้วค่ะ"
SECRETS = ("081-234-5678", "มาลี", "99/1")


def _texts(server: LiveServer, case_id: int) -> list[str]:
    with server.runtime.db.session() as session:
        return [m.text for m in session.scalars(select(Message).where(Message.case_id == case_id))]


def test_erasure_masks_texts_drops_ids_and_keeps_the_counts(live_server: LiveServer) -> None:
    case = case_from_line(live_server, PERSONAL, user="malee")
    who = staff(live_server, case)
    note = live_server.client.post(f"/api/cases/{case.id}/notes", json={"text": "โทรกลับคุณมาลี 081-234-5678"},
                                   headers=who["officer"])
    assert note.status_code == 200
    with live_server.runtime.db.session() as session:
        before = {model.__name__: session.scalar(select(func.count()).select_from(model))
                  for model in (Case, Message, Contact, CaseNote)}
    user_id = simulator.line_user_id("malee")
    result = run_cli(live_server, "citizens", "erase", "--channel", "line", "--user", user_id)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["messages"] >= 1
    with live_server.runtime.db.session() as session:
        after = {model.__name__: session.scalar(select(func.count()).select_from(model))
                 for model in (Case, Message, Contact, CaseNote)}
        contact = session.get(Contact, case.contact_id)
        assert contact.external_id == f"erased-{contact.id}" and contact.display_name is None
        messages = session.scalars(select(Message).where(Message.case_id == case.id)).all()
        assert all(m.sender_id is None and m.reply_token is None for m in messages if m.direction == "in")
        stored = " ".join([m.text for m in messages] + [n.text for n in session.scalars(select(CaseNote))]
                          + [session.get(Case, case.id).summary]
                          + [json.dumps(e.payload, ensure_ascii=False) for e in session.scalars(select(InboundEvent))])
        assert not [s for s in SECRETS if s in stored], stored
        assert user_id not in stored
        erased = session.scalars(select(AuditEvent).where(AuditEvent.action == "citizen_erased")).one()
        assert erased.actor == "cli" and user_id not in json.dumps(erased.details)
    assert after == before  # the reports' counts are untouched
    again = run_cli(live_server, "citizens", "erase", "--channel", "line", "--user", user_id)
    assert again.returncode == 2 and "nothing stored" in again.stderr


def test_closed_cases_lose_their_raw_texts_after_the_retention_period(live_server: LiveServer) -> None:
    old = case_from_line(live_server, PERSONAL, user="old-case")
    recent = case_from_line(live_server, "คุณสมชาย โทร 089-999-1234 ไฟดับทั้งซอยครับ", user="recent-case")
    with live_server.runtime.db.session() as session:
        for case_id, age in ((old.id, 400), (recent.id, 10)):
            case = session.get(Case, case_id)
            case.status = "closed"
            case.resolved_at = case.updated_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=age)
    assert retention_job(live_server.runtime) == 1  # FANGSIANG_RETENTION_DAYS defaults to 365
    assert not [s for s in SECRETS if s in " ".join(_texts(live_server, old.id))]
    assert any("089-999-1234" in t for t in _texts(live_server, recent.id))
    with live_server.runtime.db.session() as session:
        assert apply_retention(session, days=365) == 0  # once per case
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == RETENTION_ACTION)) == 1
        assert session.scalar(select(func.count()).select_from(Message).where(Message.case_id == old.id)) >= 1


def test_analysts_never_see_staff_emails_notes_or_reasons(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ขยะไม่มีคนมาเก็บมาสามวันแล้วค่ะ ซอยสุขใจ")
    who = staff(live_server, case)
    reason = "ผู้ร้องคือนายสมชาย ใจดี โทร 089-111-2222 ขอให้กองอื่นดูแล"
    assert live_server.client.post(f"/api/cases/{case.id}/reply", json={"text": "รับเรื่องแล้วค่ะ"},
                                   headers=who["officer"]).status_code == 200
    assert live_server.client.post(f"/api/cases/{case.id}/assign", json={"unit": other_unit(case), "reason": reason},
                                   headers=who["officer"]).status_code == 200
    history = live_server.client.get(f"/api/cases/{case.id}", headers=who["analyst"]).json()["history"]
    reassigned = next(h for h in history if h["details"].get("reason"))
    assert "089-111-2222" not in reassigned["details"]["reason"] and "สมชาย" not in reassigned["details"]["reason"]
    assert all(h["actor"] is None for h in history)
    page = sign_in(live_server, "analyst@example.go.th").get(f"/inbox/cases/{case.id}")
    assert page.status_code == 200
    for secret in ("089-111-2222", "สมชาย", "somchai@example.go.th", "malee@example.go.th", "admin@example.go.th"):
        assert secret not in page.text, secret
    officer_page = sign_in(live_server, "admin@example.go.th").get(f"/inbox/cases/{case.id}")
    assert "089-111-2222" in officer_page.text  # staff of the case still read it whole
