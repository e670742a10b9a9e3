"""The pages: sign-in with CSRF and a rate limit, the unit's inbox, the case page and its forms."""
from __future__ import annotations

import re

import httpx

from tests.inbox.helpers import PASSWORD, case_from_line, load_case, other_unit
from tests.support.server import LiveServer

COMPLAINT = "ขยะไม่มีคนมาเก็บหน้าบ้านมาสามวันแล้ว ส่งกลิ่นเหม็นมากค่ะ ซอยสุขใจ"


def csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the page has no CSRF token"
    return match.group(1)


def browser(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30, follow_redirects=False)


def sign_in(server: LiveServer, email: str) -> httpx.Client:
    client = browser(server)
    token = csrf(client.get("/login"))
    response = client.post("/login", data={"username": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text
    return client


def test_sign_in_sets_a_safe_session_cookie_and_checks_csrf(live_server: LiveServer) -> None:
    live_server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    client = browser(live_server)
    assert client.get("/inbox").headers["location"].startswith("/login")
    form = client.get("/login")
    assert "เข้าสู่ระบบ" in form.text
    no_token = client.post("/login", data={"username": "somchai@example.go.th", "password": PASSWORD})
    assert no_token.status_code == 403 and "กรุณาโหลดหน้าใหม่" in no_token.text
    wrong = client.post("/login", data={"username": "somchai@example.go.th", "password": "nope nope",
                                        "csrf_token": csrf(form)})
    assert wrong.status_code == 401 and "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in wrong.text
    ok = client.post("/login", data={"username": "somchai@example.go.th", "password": PASSWORD,
                                     "csrf_token": csrf(form)})
    assert ok.status_code == 303 and ok.headers["location"] == "/inbox"
    cookie = next(h for h in ok.headers.get_list("set-cookie") if h.startswith("fangsiang_session="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and "กล่องเรื่องร้องเรียน" in inbox.text
    # A signed-in form post without the token is refused, and so is a cookie-authenticated API post.
    assert client.post("/logout").status_code == 403
    assert client.post("/api/cases/1/notes", json={"text": "x"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": csrf(inbox)}).status_code == 303
    assert client.get("/inbox").status_code == 303


def test_sign_in_is_rate_limited(live_server: LiveServer) -> None:
    client = browser(live_server)
    token = csrf(client.get("/login"))
    codes = [client.post("/login", data={"username": "x@example.go.th", "password": "wrong-password",
                                         "csrf_token": token}).status_code for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2  # per account: five mistakes, then a wait (tests/web/test_sessions.py)
    assert "บ่อยเกินไป" in client.post("/login", data={"username": "x@example.go.th", "password": "x",
                                                       "csrf_token": token}).text


def test_officer_works_a_case_through_the_pages(live_server: LiveServer, platform_stub) -> None:
    case = case_from_line(live_server, COMPLAINT)
    live_server.add_user("somchai@example.go.th", role="officer", unit=case.unit_code)
    live_server.add_user("malee@example.go.th", role="officer", unit=other_unit(case))
    client = sign_in(live_server, "somchai@example.go.th")
    inbox = client.get("/inbox")
    assert case.ticket in inbox.text
    page = client.get(f"/inbox/cases/{case.id}")
    assert page.status_code == 200
    for words in (case.ticket, "บทสนทนา", "ตอบกลับประชาชน", "ประวัติการดำเนินการ", "หน่วยงานรับผิดชอบ", "กำหนดเสร็จ"):
        assert words in page.text
    token = csrf(page)

    empty = client.post(f"/inbox/cases/{case.id}/reply", data={"text": "  ", "csrf_token": token})
    assert empty.status_code == 422 and "กรุณาพิมพ์ข้อความตอบกลับ" in empty.text
    long = client.post(f"/inbox/cases/{case.id}/reply", data={"text": "ข" * 5000, "csrf_token": token})
    assert long.status_code == 422 and "ยาวเกินไป" in long.text and "ข" * 5000 in long.text  # the draft is kept
    assert load_case(live_server, case.id).first_response_at is None

    sent = client.post(f"/inbox/cases/{case.id}/reply", data={"text": "รับเรื่องแล้วค่ะ", "csrf_token": token})
    assert sent.status_code == 303
    bad = client.post(f"/inbox/cases/{case.id}/status", data={"status": "new", "csrf_token": token})
    assert bad.status_code == 422 and "ไม่ได้" in bad.text
    nowhere = client.post(f"/inbox/cases/{case.id}/assign", data={"unit": "mars", "reason": "x", "csrf_token": token})
    assert nowhere.status_code == 422 and "ไม่พบหน่วยงาน" in nowhere.text
    assert client.post(f"/inbox/cases/{case.id}/notes", data={"text": "โทรนัดแล้ว", "csrf_token": token}).status_code == 303
    assert client.post(f"/inbox/cases/{case.id}/status",
                       data={"status": "resolved", "note": "เก็บขยะแล้ว", "csrf_token": token,
                             "no_photo_reason": "รถเก็บขยะเก็บตอนตีสี่ ถ่ายภาพไม่ได้"}).status_code == 303
    page = client.get(f"/inbox/cases/{case.id}")
    assert "เปลี่ยนสถานะเรียบร้อยแล้ว" in page.text and "โทรนัดแล้ว" in page.text
    assert "ดำเนินการแล้วเสร็จ" in page.text
    assert load_case(live_server, case.id).status == "resolved"
    platform_stub.wait_for(lambda reqs: any("เก็บขยะแล้ว" in r.text for r in reqs))

    other = sign_in(live_server, "malee@example.go.th")
    assert case.ticket not in other.get("/inbox").text
    refused = other.get(f"/inbox/cases/{case.id}")
    assert refused.status_code == 404 and case.ticket not in refused.text
    token = csrf(other.get("/inbox"))
    assert other.post(f"/inbox/cases/{case.id}/notes", data={"text": "x", "csrf_token": token}).status_code == 404


def test_analyst_pages_are_read_only_and_masked(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ไฟถนนดับค่ะ โทรกลับ 081-234-5678 ได้เลย")
    live_server.add_user("analyst@example.go.th", role="analyst")
    client = sign_in(live_server, "analyst@example.go.th")
    assert case.ticket in client.get("/inbox").text
    page = client.get(f"/inbox/cases/{case.id}")
    assert page.status_code == 200
    assert "081-234-5678" not in page.text and "ตอบกลับประชาชน" not in page.text
    assert "ปกปิดข้อมูลส่วนบุคคล" in page.text
    token = csrf(page)
    refused = client.post(f"/inbox/cases/{case.id}/notes", data={"text": "x", "csrf_token": token})
    assert refused.status_code == 403
