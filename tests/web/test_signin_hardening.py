"""Sign-in under attack and after use: simultaneous wrong passwords are checked at most the free number of times,
"sign out everywhere" ends every browser and API token of the account, and nothing with personal data is cached."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from accounts.throttle import FREE_FAILURES, SignInThrottle
from web import signin
from tests.inbox.helpers import case_from_line, staff
from tests.inbox.test_pages import browser, csrf, sign_in
from tests.support.server import LiveServer

ATTEMPTS = 40


def test_simultaneous_wrong_passwords_are_checked_at_most_the_allowed_number(make_server, backend: str,  # type: ignore[no-untyped-def]
                                                                             monkeypatch) -> None:
    # After the free failures the next attempt waits an hour: any further check could only come from a race.
    monkeypatch.setattr(signin, "THROTTLE", SignInThrottle(base_seconds=3600))
    server: LiveServer = make_server(backend, run_worker=False)
    server.add_user("fresh@example.go.th", role="officer", unit="public_works")

    def attempt(n: int) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            return client.post("/api/auth/token", data={"username": "fresh@example.go.th",
                                                        "password": f"guess number {n}"}).status_code

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        codes = list(pool.map(attempt, range(ATTEMPTS)))
    checked = codes.count(401)
    assert set(codes) <= {401, 429}, codes
    assert checked == FREE_FAILURES, f"{checked} passwords checked of {ATTEMPTS} simultaneous attempts"
    assert codes.count(429) == ATTEMPTS - checked


def test_sign_out_everywhere_ends_every_browser_and_api_token(live_server: LiveServer) -> None:
    live_server.add_user("niran@example.go.th", role="officer", unit="public_works")
    token = live_server.token("niran@example.go.th")
    office, home = sign_in(live_server, "niran@example.go.th"), sign_in(live_server, "niran@example.go.th")
    # A plain sign-out ends only this browser's session.
    assert home.post("/logout", data={"csrf_token": csrf(home.get("/inbox"))}).status_code == 303
    assert live_server.client.get("/api/cases", headers=token).status_code == 200
    assert office.get("/inbox").status_code == 200
    # "Sign out everywhere" (the second button by the user's name) ends the token and the other browsers too.
    page = office.get("/inbox")
    assert "ออกจากระบบทุกเครื่อง" in page.text
    assert office.post("/logout", data={"csrf_token": csrf(page), "everywhere": "1"}).status_code == 303
    assert live_server.client.get("/api/cases", headers=token).status_code == 401
    again = browser(live_server)
    again.cookies.update(dict(office.cookies))
    assert again.get("/inbox").status_code == 303
    assert live_server.token("niran@example.go.th")  # signing in again works


def test_case_pages_api_responses_and_exports_are_never_cached(live_server: LiveServer) -> None:
    case = case_from_line(live_server, "ไฟถนนดับหน้าบ้านเลขที่ 12 ซอยสุขใจครับ")
    who = staff(live_server, case)
    officer = sign_in(live_server, "somchai@example.go.th")
    responses = {
        "case page": officer.get(f"/inbox/cases/{case.id}"),
        "inbox": officer.get("/inbox"),
        "case list": live_server.client.get("/api/cases", headers=who["officer"]),
        "case": live_server.client.get(f"/api/cases/{case.id}", headers=who["officer"]),
        "report xlsx": live_server.client.get("/api/reports/pmqa?fiscal_year=2569&format=xlsx", headers=who["analyst"]),
        "report csv": live_server.client.get("/api/reports/pmqa?fiscal_year=2569&format=csv", headers=who["analyst"]),
    }
    for name, response in responses.items():
        assert response.status_code == 200, (name, response.status_code)
        assert response.headers.get("cache-control") == "no-store", name
    assert "no-store" not in live_server.client.get("/static/app.css").headers.get("cache-control", "")
