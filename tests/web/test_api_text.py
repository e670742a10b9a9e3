"""Text no database column can hold (NUL, a lone UTF-16 surrogate): a 422 in Thai for an API body, dropped from a
query string; never a 500."""
from __future__ import annotations

from tests.inbox.helpers import case_from_line, staff
from tests.inbox.test_pages import csrf, sign_in
from tests.support.server import LiveServer


def test_unstorable_text_in_api_bodies_is_refused_clearly(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: LiveServer = make_server(backend)
    case = case_from_line(server, "ไฟถนนดับทั้งซอยค่ะ ซอยสุขใจ 5")
    officer = {**staff(server, case)["officer"], "content-type": "application/json"}
    bodies = {
        f"/api/cases/{case.id}/notes": [b'{"text": "a\\ud800b"}', b'{"text": "a\\u0000b"}'],
        f"/api/cases/{case.id}/reply": [b'{"text": "\\udfff"}', b'{"text": "ok\\u0000"}'],
        f"/api/cases/{case.id}/status": [b'{"status": "in_progress", "note": "x\\ud800"}'],
        "/api/cases": [b'{"channel": "walk_in", "text": "\\ud800 x"}', b'{"channel": "walk_in", "text": "x\\u0000"}'],
    }
    for path, payloads in bodies.items():
        for body in payloads:
            response = server.client.post(path, content=body, headers=officer)
            assert response.status_code == 422, (path, body, response.status_code, response.text[:200])
            assert "อักขระพิเศษ" in response.json()["detail"]
    for url in ("/api/analytics/volumes?intent=a%00b", "/api/analytics/topics?unit=%00", "/api/cases?unit=x%00y"):
        response = server.client.get(url, headers=officer)
        assert response.status_code < 500, (url, response.status_code)
    note = server.client.post(f"/api/cases/{case.id}/notes", json={"text": "โทรนัดหมายแล้ว 😀"}, headers=officer)
    assert note.status_code == 200
    page = sign_in(server, "somchai@example.go.th")
    token = csrf(page.get(f"/inbox/cases/{case.id}"))
    form = page.post(f"/inbox/cases/{case.id}/notes", content=f"csrf_token={token}&text=a%00b".encode(),
                     headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 303, form.status_code  # the note is kept, without the NUL
    notes = server.client.get(f"/api/cases/{case.id}", headers=officer).json()["notes"]
    assert "ab" in [n["text"] for n in notes]
