"""The PMQA report page in headless Chromium at laptop and phone size, on the seeded history: every table fills its
header, nothing scrolls the page sideways, and the screenshots are kept in test-artifacts to look at."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_officer_e2e import sign_in
from tests.reports.seed import seed
from tests.reports.table_grid import misfit_rows
from tests.support.browser import ARTIFACTS, LAPTOP, PHONE, no_horizontal_scroll
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"])
def test_report_page_at_laptop_and_phone_size(browser: Browser, make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: LiveServer = make_server(backend, run_worker=False)
    server.add_user("analyst@example.go.th", role="analyst")
    with server.runtime.db.session() as session:
        seed(session)
    for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page = sign_in(browser, server, "analyst@example.go.th", viewport=viewport)
        page.goto(f"{server.url}/reports/pmqa?fiscal_year=2569")
        # a build longer than the page waits shows its progress, polled until the report loads in its place
        expect(page.locator("#report-building")).to_have_count(0, timeout=120_000)
        expect(page.get_by_role("heading", name="รายงานผลการรับฟังเสียงผู้รับบริการ (PMQA 4.0 หมวด 3)")).to_be_visible()
        assert misfit_rows(page.content()) == []
        for words in ("นิยาม:", "2567*", "1. รับเรื่องร้องเรียน", "3.3 การปรับบริการให้เหมาะกับกลุ่มผู้รับบริการ",
                      "5 วันทำการ", "20 วันทำการ"):
            expect(page.get_by_text(words, exact=False).first).to_be_attached()
        no_horizontal_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"pmqa-report-{name}.png"), full_page=True)
        page.locator("#complaint_flow").screenshot(path=str(ARTIFACTS / f"pmqa-flow-{name}.png"))
        page.locator("#satisfaction_by_channel").screenshot(path=str(ARTIFACTS / f"pmqa-satisfaction-{name}.png"))
