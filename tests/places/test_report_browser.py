"""The report form in headless Chromium at phone size: a citizen types the problem, pins it on the map (tiles from the
configured URL), uses "my location", attaches a photo, consents and sends; they land on the public status page with
their ticket. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.places.conftest import HOME
from tests.places.photos import phone_photo
from tests.support.browser import ARTIFACTS, PHONE, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_citizen_reports_from_a_phone_with_a_photo_and_a_pin(browser: Browser, make_server, platform_stub,
                                                               tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = make_server(fangsiang_map_tiles_url=platform_stub.url + "/tiles/{z}/{x}/{y}.png",
                         fangsiang_map_attribution="แผนที่ทดสอบ")
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True,
                                  geolocation={"latitude": HOME[0], "longitude": HOME[1]}, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{server.url}/report")
    expect(page.get_by_role("heading", name="แจ้งปัญหาถึงเทศบาลตำบลฟังเสียง")).to_be_visible()
    no_horizontal_scroll(page)

    page.get_by_label("เล่ารายละเอียดของปัญหา").fill("ไฟถนนหน้าตลาดสดดับมาสามคืนแล้ว มืดมาก เด็กเดินกลับบ้านลำบากค่ะ")
    page.get_by_label("ประเภทของปัญหา").select_option(label="ไฟฟ้าส่องสว่าง")
    page.get_by_role("button", name="ใช้ตำแหน่งปัจจุบันของฉัน").click()
    expect(page.locator("#where-status")).to_contain_text("ใช้ตำแหน่งปัจจุบันแล้ว")
    map_ = page.locator("#map")
    expect(map_).to_be_visible()
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()  # tiles came from the configured server
    box = map_.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2)  # nudge the pin on the map
    expect(page.locator("#where-status")).to_contain_text("ปักหมุดแล้ว")
    pinned = (float(page.locator("#lat").input_value()), float(page.locator("#lon").input_value()))
    assert abs(pinned[0] - HOME[0]) < 0.01 and pinned[1] > HOME[1]  # east of where the citizen stands
    photo = tmp_path / "street.jpg"
    photo.write_bytes(phone_photo(gps=(HOME[0], HOME[1]), size=(640, 480)))
    page.get_by_label("รูปภาพ").set_input_files(str(photo))
    page.get_by_label("ช่องทางติดต่อกลับ").fill("081-234-5678")
    page.screenshot(path=str(ARTIFACTS / "report-form-phone.png"), full_page=True)
    page.get_by_label("ข้าพเจ้ายินยอม").check()
    page.get_by_role("button", name="ส่งเรื่อง").click()

    expect(page.get_by_role("heading", name="เรื่องเลขที่")).to_be_visible(timeout=30_000)
    expect(page.locator("#status")).to_have_text("รับเรื่องใหม่")
    ticket = page.locator("#ticket").inner_text()
    assert ticket.startswith("FS-") and "/t/" + ticket in page.url
    expect(page.locator("#unit")).to_have_text("กองช่าง")
    expect(page.locator(".public-photos img")).to_have_count(1)
    assert page.locator(".public-photos img").evaluate("img => img.naturalWidth") == 640  # the photo loads
    assert "081-234-5678" not in page.content()
    no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "report-status-phone.png"), full_page=True)

    api = server.client.get(f"/open311/v2/requests/{ticket}.json").json()[0]
    assert api["service_code"] == "street_lights" and round(pinned[0], 3) == api["lat"]
    context.close()


def test_officers_see_places_duplicates_and_the_map(browser: Browser, make_server, platform_stub,
                                                    tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.test_officer_e2e import sign_in
    from tests.places.conftest import north_of
    from tests.places.test_report_live import post_report

    from tests.places.test_proof import street_photo

    server = make_server(fangsiang_map_tiles_url=platform_stub.url + "/tiles/{z}/{x}/{y}.png")
    citizens_photo = street_photo(5)
    first = post_report(server, text="ไฟถนนหน้าตลาดสดดับมาสามคืนแล้ว มืดมากค่ะ", photos=[citizens_photo]).json()
    lat, lon = north_of(120)
    second = post_report(server, text="เสาไฟส่องสว่างข้างตลาดสดเอียงจะล้ม สายไฟห้อยต่ำมากครับ", lat=str(lat),
                         lon=str(lon)).json()
    server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    page = sign_in(browser, server, "somchai@example.go.th")
    with server.runtime.db.session() as session:
        from sqlalchemy import select

        from storage.models import Case
        ids = dict(session.execute(select(Case.ticket, Case.id)).all())
    page.goto(f"{server.url}/inbox/cases/{ids[second['ticket']]}")
    panel = page.locator("#place")
    expect(panel).to_contain_text("หมุดที่ผู้แจ้งปักในแบบฟอร์ม")
    expect(panel).to_contain_text("อาจเป็นเรื่องเดียวกัน")
    expect(panel).to_contain_text(first["ticket"])
    panel.screenshot(path=str(ARTIFACTS / "case-place-panel.png"))
    page.get_by_role("button", name=f"รวมเข้ากับเรื่อง {first['ticket']}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"รวมเรื่องเข้ากับเรื่องเลขที่ {first['ticket']}")

    # Proof of fix: the first case's own citizen photo uploaded as the second case's after-photo is flagged.
    reused = tmp_path / "after.jpg"
    reused.write_bytes(citizens_photo)
    page.get_by_label("แนบภาพหลังแก้ไข").set_input_files(str(reused))
    page.get_by_role("button", name="บันทึกภาพหลังแก้ไข").click()
    flagged = page.locator("#after-photos .after-photo.flagged")
    expect(flagged).to_contain_text(f"รูปนี้ซ้ำกับรูปในเรื่องเลขที่ {first['ticket']}")
    expect(page.locator("#after-photo-status")).to_contain_text("หัวหน้าหน่วยงานตรวจสอบ")
    page.locator("#after-photos").screenshot(path=str(ARTIFACTS / "after-photo-flagged.png"))
    public_page = server.client.get(second["status_url"]).text
    assert "ภาพหลังแก้ไข" in public_page and "/after/" in public_page

    page.goto(f"{server.url}/inbox/map?category=street_lights")
    expect(page.locator("#map-cases tbody tr")).to_have_count(2)
    expect(page.locator(".leaflet-interactive")).to_have_count(2)  # one marker per case
    page.screenshot(path=str(ARTIFACTS / "officer-map.png"), full_page=True)
    page.goto(f"{server.url}/inbox/map?category=waste")
    expect(page.locator("#map-cases")).to_contain_text("ไม่มีเรื่องที่ตรงกับตัวกรอง")
