"""An urgent danger reported through a signed LINE webhook alerts the case's unit at once: a LINE push to the unit's
configured group (through the outbox) and an alert on the inbox that the unit's officers see until one of them
acknowledges it; another unit's officers see nothing; all audited. On SQLite and on PostgreSQL + Redis."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from cases.alerts import alert_text
from storage.models import AuditEvent, Case, Unit
from tests.inbox.test_pages import csrf, sign_in
from tests.support.chat import Chat, settle
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub

WIRE = "สายไฟขาดห้อยลงมาข้างโรงเรียนอนุบาล มีประกายไฟด้วย อันตรายมากค่ะ รีบมาด่วน"
ROAD = "ถนนหน้าบ้านเป็นหลุมใหญ่ ขับรถลำบากค่ะ ซอยเทศบาล 5"


def group_of(unit: str) -> str:
    """The LINE group id the test config gives a unit's alerts."""
    return "C" + hashlib.md5(unit.encode()).hexdigest()


def config_with_alert_groups(tmp_path: Path) -> Path:
    """The default agency config with every unit's `alert_line_to` set to a group of its own."""
    text = DEFAULT_AGENCY_CONFIG.read_text(encoding="utf-8")
    text = re.sub(r'^alert_line_to = ""\n', "", text, flags=re.MULTILINE)
    text = re.sub(r'^code = "([a-z_]+)"\n', lambda m: f'{m.group(0)}alert_line_to = "{group_of(m.group(1))}"\n', text,
                  flags=re.MULTILINE)
    path = tmp_path / "agency-alerts.toml"
    path.write_text(text, encoding="utf-8")
    assert all(u.alert_line_to == group_of(u.code) for u in load_agency_config(path).units)
    return path


def test_the_alert_reads_as_a_note_to_the_unit() -> None:
    """Addressed to the unit ("เรียน กองช่าง"), the ticket and why, the masked words clipped, what to do."""
    case = Case(ticket="FS-2569-000042", priority_reason="ไฟฟ้ารั่ว/สายไฟขาด")
    text = alert_text(case=case, unit_name="กองช่าง", summary="สายไฟขาดห้อยลงมา\nข้างโรงเรียน " + "อันตรายมาก " * 30)
    head, to, ticket, words, ask = text.splitlines()
    assert (head, to, ticket) == ("แจ้งเตือนเรื่องเร่งด่วน", "เรียน กองช่าง", "เลขที่เรื่อง FS-2569-000042 · ไฟฟ้ารั่ว/สายไฟขาด")
    assert words.startswith("ข้อความจากประชาชน: สายไฟขาดห้อยลงมา ข้างโรงเรียน อันตรายมาก") and words.endswith("…")
    assert ask == "กรุณาเปิดดูในกล่องเรื่องร้องเรียนของระบบฟังเสียงและดำเนินการโดยทันทีค่ะ"
    bare = alert_text(case=Case(ticket="FS-2569-000043"), unit_name="กองสาธารณสุขและสิ่งแวดล้อม", summary="")
    assert bare.splitlines()[1:3] == ["เรียน กองสาธารณสุขและสิ่งแวดล้อม", "เลขที่เรื่อง FS-2569-000043"]


def test_the_default_config_leaves_alert_ids_empty() -> None:
    assert all(u.alert_line_to == "" for u in load_agency_config(DEFAULT_AGENCY_CONFIG).units)


def test_an_urgent_case_alerts_its_unit_at_once(make_server, platform_stub: PlatformStub, backend: str,
                                                tmp_path: Path) -> None:
    server: LiveServer = make_server(backend, fangsiang_agency_config=config_with_alert_groups(tmp_path))
    Chat(server, platform_stub, "not-urgent").say(ROAD)  # not urgent: no alert
    Chat(server, platform_stub, "urgent-alert").say(WIRE)
    settle(server)
    with server.runtime.db.session() as session:
        road, wire = session.scalars(select(Case).order_by(Case.id)).all()
        assert (road.priority, wire.priority) == ("normal", "urgent")
        notified = session.scalars(select(AuditEvent).where(AuditEvent.action == "urgent_notified")).all()
        assert [(e.case_id, e.details["line"]) for e in notified] == [(wire.id, True)]
        unit, ticket, wire_id, wire_reason = wire.unit_code, wire.ticket, wire.id, wire.priority_reason
    pushes = [r.json for r in platform_stub.sent("/v2/bot/message/push") if r.json.get("to", "").startswith("C")]
    assert [p["to"] for p in pushes] == [group_of(unit)], "one push, to the urgent case's unit only"
    text = pushes[0]["messages"][0]["text"]
    with server.runtime.db.session() as session:
        unit_name = session.get(Unit, unit).name
    assert text.splitlines()[1:3] == [f"เรียน {unit_name}", f"เลขที่เรื่อง {ticket} · {wire_reason}"]
    assert text.endswith("ดำเนินการโดยทันทีค่ะ")

    # The unit's officer sees the alert on the inbox until it is acknowledged; another unit's officer never does.
    other = "environment" if unit != "environment" else "public_works"
    server.add_user("duty@example.go.th", role="officer", unit=unit)
    server.add_user("elsewhere@example.go.th", role="officer", unit=other)
    officer, stranger = sign_in(server, "duty@example.go.th"), sign_in(server, "elsewhere@example.go.th")
    page = officer.get("/inbox")
    assert "รอเจ้าหน้าที่รับทราบ" in page.text and ticket in page.text
    assert "รอเจ้าหน้าที่รับทราบ" not in stranger.get("/inbox").text
    action = re.search(r'action="(/inbox/alerts/\d+/acknowledge)"', page.text).group(1)
    refused = stranger.post(action, data={"csrf_token": csrf(stranger.get("/inbox"))})
    assert refused.status_code == 404
    done = officer.post(action, data={"csrf_token": csrf(page)})
    assert done.status_code == 303 and done.headers["location"] == f"/inbox/cases/{wire_id}"
    assert "รอเจ้าหน้าที่รับทราบ" not in officer.get("/inbox").text
    with server.runtime.db.session() as session:
        [acknowledged] = session.scalars(select(AuditEvent).where(AuditEvent.action == "alert_acknowledged")).all()
        assert (acknowledged.actor, acknowledged.case_id) == ("duty@example.go.th", wire_id)
