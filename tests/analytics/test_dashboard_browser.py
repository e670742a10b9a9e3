"""The analyst's dashboard in headless Chromium at laptop and phone size (screenshots in test-artifacts/)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from history.service import load_demo
from tests.support.browser import ARTIFACTS, LAPTOP, PHONE, no_horizontal_scroll
from tests.inbox.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_analyst_reads_the_dashboard_on_a_laptop_and_a_phone(browser: Browser, make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server("sqlite", run_worker=False, wait_for_worker=False)
    load_demo(server.runtime, messages=2500, months=4, seed=5)
    server.add_user("analyst@example.go.th", role="analyst")
    for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page = browser.new_context(viewport=viewport, locale="th-TH").new_page()
        page.goto(f"{server.url}/login?next=/dashboard")
        page.get_by_label("อีเมล").fill("analyst@example.go.th")
        page.get_by_label("รหัสผ่าน").fill(PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        expect(page.get_by_role("heading", name="แดชบอร์ดการรับฟังเสียงประชาชน")).to_be_visible()
        with page.expect_navigation():
            page.select_option("#f-period", "last90")
        assert "period=last90" in page.url
        expect(page.locator(".dash-grid svg").first).to_be_visible()
        expect(page.get_by_role("img", name="ข้อความตามช่องทาง")).to_be_visible()
        expect(page.get_by_role("heading", name="ระยะเวลาให้บริการ (วันทำการ)")).to_be_visible()
        assert page.locator("svg").count() >= 4
        no_horizontal_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)
        if name == "laptop":
            page.locator(".dash-issues a").first.click()
            expect(page.get_by_role("heading", name="กล่องเรื่องร้องเรียน")).to_be_visible()
            assert "topic=" in page.url and "date_from=" in page.url
            assert page.locator("[data-case-id]").count() > 0
        page.context.close()
