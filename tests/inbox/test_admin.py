"""Admin pages: units, users, canned replies; other roles are refused."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEvent, ReplyTemplate, Unit
from tests.inbox.helpers import PASSWORD, case_from_line
from tests.inbox.test_pages import csrf, sign_in
from tests.support.server import LiveServer


def test_admin_manages_units_users_and_canned_replies(live_server: LiveServer) -> None:
    live_server.add_user("admin@example.go.th", role="admin")
    client = sign_in(live_server, "admin@example.go.th")
    token = csrf(client.get("/admin/units"))
    post = lambda path, **data: client.post(path, data={"csrf_token": token, **data})  # noqa: E731
    assert post("/admin/units", code="parks", name="งานสวนสาธารณะ").status_code == 303
    assert "เพิ่มหน่วยงานแล้ว" in client.get("/admin/units").text
    post("/admin/units", code="parks", name="ซ้ำ")
    assert "มีหน่วยงานรหัส parks อยู่แล้ว" in client.get("/admin/units").text
    post("/admin/units/parks", name="งานสวนและพื้นที่สีเขียว", active="0")
    post("/admin/units/triage", name="ศูนย์คัดกรอง", active="0")
    assert "ปิดใช้งานศูนย์คัดกรองเรื่องไม่ได้" in client.get("/admin/units").text
    with live_server.runtime.db.session() as session:
        parks = session.get(Unit, "parks")
        assert parks.name == "งานสวนและพื้นที่สีเขียว" and not parks.active
        assert session.get(Unit, "triage").active

    post("/admin/users", email="new@example.go.th", password="short", role="officer", unit="public_works")
    assert "รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร" in client.get("/admin/users").text
    post("/admin/users", email="new@example.go.th", password=PASSWORD, role="officer", unit="public_works")
    assert "new@example.go.th" in client.get("/admin/users").text

    shipped = client.get("/admin/templates").text
    assert "ขอข้อมูลสถานที่เพิ่มเติม" in shipped, "the config file's canned replies are there from the first start"
    post("/admin/templates", title="นัดช่างตรวจหน้างาน", text="เจ้าหน้าที่จะเข้าตรวจสอบภายใน 3 วันทำการค่ะ", unit="")
    with live_server.runtime.db.session() as session:
        template = session.scalars(select(ReplyTemplate).where(ReplyTemplate.title == "นัดช่างตรวจหน้างาน")).one()
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"unit_added", "unit_updated", "user_created", "template_saved"} <= actions
    for beyond in ("9223372036854775808", str(2**31)):  # an edited template's id past any row: not found, not a 500
        assert post("/admin/templates", template_id=beyond, title="ชื่อ", text="ข้อความ", unit="").status_code == 303
        assert "ไม่พบข้อความสำเร็จรูปนี้" in client.get("/admin/templates").text
    case = case_from_line(live_server, "ถนนเป็นหลุมลึกมากครับ ซอย 9")
    officer = sign_in(live_server, "new@example.go.th")
    if case.unit_code == "public_works":
        assert "นัดช่างตรวจหน้างาน" in officer.get(f"/inbox/cases/{case.id}").text
    post(f"/admin/templates/{template.id}/delete")
    assert "นัดช่างตรวจหน้างาน" not in client.get("/admin/templates").text
    with live_server.runtime.db.session() as session:
        assert session.get(ReplyTemplate, template.id) is None


def test_only_admins_open_admin_pages(live_server: LiveServer) -> None:
    live_server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    client = sign_in(live_server, "somchai@example.go.th")
    page = client.get("/admin/units")
    assert page.status_code == 403 and "สำหรับผู้ดูแลระบบเท่านั้น" in page.text
    token = csrf(client.get("/inbox"))
    assert client.post("/admin/units", data={"code": "x1", "name": "x", "csrf_token": token}).status_code == 403
