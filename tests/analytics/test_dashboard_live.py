"""The analytics API and dashboard on a live service with a demo history: scope, masking, 422s; SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from history.service import load_demo
from history.loading import HistoryRow, Loader
from analytics.rollups import bangkok_day, rebuild_rollups
from storage.models import utcnow
from tests.inbox.test_pages import sign_in
from tests.support.server import LiveServer

PERSONAL = ("081-234-5678", "สมศรี", "1101700203451", "45/2", "somsri@example.com")


def _seed(server: LiveServer) -> None:
    runtime = server.runtime
    load_demo(runtime, messages=3000, months=4, seed=3)
    now = utcnow() - dt.timedelta(hours=1)
    with runtime.db.session() as session:
        loader = Loader(session=session, agency=runtime.agency, calendar=runtime.calendar, source="personal")
        loader.load([HistoryRow(
            text="ขยะไม่เก็บ หมู่ 9 ค่ะ ติดต่อนางสาวสมศรี มีสุข 081-234-5678 บ้านเลขที่ 45/2 "
                 "เลขบัตร 1101700203451 อีเมล somsri@example.com", received_at=now, channel="line", status="new",
            unit="environment")])
        rebuild_rollups(session, calendar=runtime.calendar)


@pytest.fixture
def seeded(make_server, backend: str):  # type: ignore[no-untyped-def]
    server = make_server(backend, run_worker=False, wait_for_worker=False)
    _seed(server)
    server.add_user("analyst@example.go.th", role="analyst")
    server.add_user("works@example.go.th", role="officer", unit="public_works")
    server.add_user("admin@example.go.th", role="admin")
    return server, {name: server.token(f"{name}@example.go.th") for name in ("analyst", "works", "admin")}


def test_analytics_api_scope_masking_and_errors(seeded) -> None:  # type: ignore[no-untyped-def]
    server, tokens = seeded
    today = bangkok_day(utcnow())
    period = {"from": (today - dt.timedelta(days=89)).isoformat(), "to": today.isoformat()}
    get = server.client.get
    volumes = get("/api/analytics/volumes", params={**period, "by": "month", "group": "unit"},
                  headers=tokens["analyst"]).json()
    assert {s["key"] for s in volumes["series"]} > {"public_works"}
    assert all(set(p) == {"period", "count"} for s in volumes["series"] for p in s["points"])
    mine = get("/api/analytics/volumes", params={**period, "group": "unit", "unit": "environment"},
               headers=tokens["works"]).json()
    assert [s["key"] for s in mine["series"]] == ["public_works"]  # an officer reads their own unit only
    fy = get("/api/analytics/volumes", params={**period, "by": "fiscal_year"}, headers=tokens["admin"]).json()
    assert all(re.fullmatch(r"25\d\d", p["period"]) for s in fy["series"] for p in s["points"])

    found = get("/api/analytics/topics", params=period, headers=tokens["analyst"]).json()["topics"]
    assert found and set(found[0]) >= {"label", "count", "baseline", "score", "trend", "case_ids"}
    assert found == sorted(found, key=lambda t: t["trend"] != "rising")[:len(found)] or found[0]["trend"] == "rising"
    alerts = get("/api/analytics/alerts", headers=tokens["analyst"]).json()
    assert "alerts" in alerts

    for params in ({"from": "2026-13-01"}, {"from": "2026-05-10", "to": "2026-05-01"}, {"by": "year"},
                   {"group": "name"}):
        answer = get("/api/analytics/volumes", params=params, headers=tokens["analyst"])
        assert answer.status_code == 422 and re.search(r"[ก-๙]", answer.json()["detail"])
    assert get("/api/analytics/topics", params=period).status_code == 401

    # the analyst's dashboard and the case list it links to: no personal data anywhere
    client = sign_in(server, "analyst@example.go.th")
    page = client.get("/dashboard", params={"period": "last90"})
    assert page.status_code == 200 and "แดชบอร์ด" in page.text and "<svg" in page.text
    links = set(re.findall(r'href="(/inbox\?[^"]+)"', page.text))
    assert links and any("topic=" in link for link in links)
    for link in list(links)[:6] + ["/inbox?topic=ขยะไม่เก็บ|หมู่ 9"]:
        listed = client.get(link.replace("&amp;", "&"))
        assert listed.status_code == 200
        assert not any(item in listed.text for item in PERSONAL), link
    assert not any(item in page.text for item in PERSONAL)
    bad = client.get("/dashboard", params={"period": "custom", "date_from": "xx", "date_to": ""})
    assert bad.status_code == 422 and "alert error" in bad.text and "4/11/2569" in bad.text
    typed = client.get("/dashboard", params={"period": "custom", "date_from": "๑/๑๐/๒๕๖๘", "date_to": "31/10/2568"})
    assert typed.status_code == 200 and 'value="1/10/2568"' in typed.text and 'value="31/10/2568"' in typed.text
    western = client.get("/dashboard", params={"period": "custom", "date_from": "1/10/2025", "date_to": "31/10/2568"})
    assert western.status_code == 422 and "กรุณาระบุปีเป็น พ.ศ. เช่น 1/10/2568" in western.text
