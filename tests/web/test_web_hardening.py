"""The web shell's defences: security headers, no framing, offline API docs, CSRF only excused for a valid token,
tokens that must expire, impossible ids and NUL searches answered without a 500, only http(s) links."""
from __future__ import annotations

import datetime as dt

import jwt
from sqlalchemy import select

from storage.models import Message
from tests.inbox.helpers import case_from_line, staff
from tests.inbox.test_pages import sign_in
from tests.support.server import LiveServer
from web.headers import safe_link


def test_pages_and_api_send_security_headers_and_docs_work_offline(live_server: LiveServer) -> None:
    for path in ("/login", "/api/openapi.json", "/healthz"):
        response = live_server.client.get(path)
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    docs = live_server.client.get("/api/docs")
    assert docs.status_code == 200 and "/api/docs/assets/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert live_server.client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert live_server.client.get("/metrics").status_code == 404  # off unless a scrape token is configured


def test_tokens_must_expire_and_an_invalid_bearer_does_not_skip_csrf(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ไฟถนนดับทั้งซอยค่ะ ซอยสุขใจ 5")
    who = staff(live_server, case)
    secret = live_server.settings.secret_key
    forever = jwt.encode({"sub": "1", "role": "admin"}, secret, algorithm="HS256")
    assert live_server.client.get("/api/cases", headers={"Authorization": f"Bearer {forever}"}).status_code == 401
    expired = jwt.encode({"sub": "1", "exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}, secret,
                         algorithm="HS256")
    assert live_server.client.get("/api/cases", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    # A signed-in browser whose request carries a junk Authorization header is still checked for CSRF.
    browser = sign_in(live_server, "somchai@example.go.th")
    forged = browser.post(f"/inbox/cases/{case.id}/notes", data={"text": "แอบบันทึก"},
                          headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 403
    assert live_server.client.post(f"/api/cases/{case.id}/notes", json={"text": "บันทึกจาก API"},
                                   headers=who["officer"]).status_code == 200


def test_impossible_ids_and_nul_searches_are_not_server_errors(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ขยะไม่เก็บมาสามวันแล้วค่ะ หมู่ 4")
    who = staff(live_server, case)
    for case_id in ("9223372036854775808", str(2**31), "0", "-1"):
        response = live_server.client.get(f"/api/cases/{case_id}", headers=who["admin"])
        assert response.status_code in (404, 422), (case_id, response.status_code)
    browser = sign_in(live_server, "admin@example.go.th")
    page = browser.get(f"/inbox/cases/{2**40}")
    assert page.status_code in (404, 422) and "<html" in page.text.lower()
    assert live_server.client.get("/api/cases?q=a%00b", headers=who["admin"]).status_code == 200
    assert browser.get("/inbox?q=a%00b").status_code == 200


def test_only_http_links_are_shown_to_officers(live_server: LiveServer) -> None:
    assert safe_link("https://example.com/x.jpg") == "https://example.com/x.jpg"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "//evil", None, 5):
        assert safe_link(bad) is None
    case = case_from_line(live_server, "ท่อระบายน้ำอุดตันค่ะ ซอย 9")
    with live_server.runtime.db.session() as session:
        message = session.scalars(select(Message).where(Message.case_id == case.id).order_by(Message.id)).first()
        message.attachments = [{"type": "image", "url": "javascript:alert(document.cookie)"},
                               {"type": "image", "url": "https://scontent.example.com/p.jpg"}]
    staff(live_server, case)
    page = sign_in(live_server, "somchai@example.go.th").get(f"/inbox/cases/{case.id}")
    assert "javascript:alert" not in page.text and "https://scontent.example.com/p.jpg" in page.text
