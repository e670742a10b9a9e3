"""End to end in headless Chromium: a LINE complaint reaches the officer's inbox live; they see the citizen's photo,
reply and resolve it, and see the citizen's answer to the satisfaction survey."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.inbox.helpers import PASSWORD, case_from_line, other_unit
from tests.places.test_proof import street_photo
from tests.support.browser import ARTIFACTS, LAPTOP, PHONE, no_horizontal_scroll
from tests.support.chat import Chat, photo_png, quick_data
from tests.support.server import LiveServer

COMPLAINT = "ไฟถนนดับทั้งซอยเลยครับ มืดมาก กลัวขโมย ซอยเทศบาล 5 หมู่ 2 ช่วยมาซ่อมด้วยครับ"

pytestmark = pytest.mark.browser


def sign_in(browser: Browser, server: LiveServer, email: str, viewport: dict[str, int] = LAPTOP) -> Page:
    page = browser.new_context(viewport=viewport, locale="th-TH").new_page()
    page.goto(f"{server.url}/inbox")
    expect(page).to_have_url(f"{server.url}/login?next=/inbox")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("heading", name="กล่องเรื่องร้องเรียน")).to_be_visible()
    return page


def test_officer_sees_a_line_case_live_replies_and_resolves_it(
    browser: Browser, live_server: LiveServer, platform_stub
) -> None:
    # Create the unit's officer before the case exists: the case should appear in the open inbox without a reload.
    live_server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    page = sign_in(browser, live_server, "somchai@example.go.th")
    expect(page.get_by_text("ยังไม่มีเรื่องในรายการนี้")).to_be_visible()
    case = case_from_line(live_server, COMPLAINT, user="citizen-e2e")
    assert case.unit_code == "public_works", "the classifier should route street lights to กองช่าง"
    row = page.locator(f'[data-case-id="{case.id}"]')
    expect(row).to_be_visible(timeout=15_000)  # arrived over Server-Sent Events
    expect(row).to_contain_text(case.ticket)
    expect(row).to_contain_text("รับเรื่องใหม่")
    page.screenshot(path=str(ARTIFACTS / "inbox-laptop.png"), full_page=True)

    citizen = Chat(live_server, platform_stub, "citizen-e2e")
    photo = photo_png(320, 240)
    platform_stub.contents["E2E-PHOTO"] = ("image/png", photo)
    citizen.image("E2E-PHOTO")  # fetched by the worker through LINE's content endpoint

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=case.ticket)).to_be_visible()
    expect(page.locator("#thread")).to_contain_text("ไฟถนนดับทั้งซอย")
    expect(page.locator("#satisfaction")).to_contain_text("ยังไม่ได้ประเมิน")
    picture = page.locator("#thread img[alt='รูปภาพที่ประชาชนส่งมา']")
    for _ in range(50):  # the worker stores the photo a moment after the message
        if picture.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(picture).to_be_visible()
    picture.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=picture.element_handle())
    page.get_by_label("ตอบกลับประชาชน").fill("")
    page.get_by_role("button", name="ส่งข้อความ").click()
    expect(page.get_by_role("alert")).to_contain_text("กรุณาพิมพ์ข้อความตอบกลับ")

    page.get_by_label("ตอบกลับประชาชน").fill("รับเรื่องแล้วครับ ช่างไฟฟ้าจะเข้าไปซ่อมภายในวันพรุ่งนี้ครับ")
    page.get_by_role("button", name="ส่งข้อความ").click()
    expect(page.get_by_role("status").first).to_contain_text("ส่งข้อความตอบกลับแล้ว")
    expect(page.locator("#thread")).to_contain_text("ช่างไฟฟ้าจะเข้าไปซ่อม")
    platform_stub.wait_for(lambda reqs: any("ช่างไฟฟ้าจะเข้าไปซ่อม" in r.text and "/v2/bot/message/" in r.path
                                            for r in reqs))
    # The delivery state in the thread follows the outbox (live update or reload).
    page.reload()
    expect(page.locator(".msg.out").last).to_contain_text("ส่งถึงแล้ว", timeout=15_000)

    page.get_by_role("textbox", name="บันทึกภายใน", exact=True).fill("ประสานช่างสมศักดิ์แล้ว")
    page.get_by_role("button", name="เพิ่มบันทึก").click()
    expect(page.locator("#notes")).to_contain_text("ประสานช่างสมศักดิ์แล้ว")

    page.get_by_label("สถานะใหม่").select_option("resolved")
    page.get_by_label("หมายเหตุถึงประชาชน").fill("เปลี่ยนหลอดไฟเรียบร้อยแล้ว")
    page.locator("#resolve-photo").set_input_files(files=[{"name": "after.jpg", "mimeType": "image/jpeg",
                                                          "buffer": street_photo(21)}])  # a street light: proof
    page.get_by_role("button", name="บันทึกสถานะ").click()
    expect(page.locator("#case-head")).to_contain_text("ดำเนินการแล้วเสร็จ")
    expect(page.locator("#after-photos img")).to_have_count(1)
    expect(page.locator("#history")).to_contain_text("รับทราบแล้ว → ดำเนินการแล้วเสร็จ")
    platform_stub.wait_for(lambda reqs: any("เปลี่ยนหลอดไฟเรียบร้อยแล้ว" in r.text for r in reqs))

    survey = citizen.wait_text("ประเมินความพึงพอใจ")  # the citizen rates the service: 2, too slow
    citizen.tap(quick_data(survey, "พึงพอใจน้อย"))
    citizen.tap(quick_data(citizen.wait_text("รบกวนบอกเหตุผล"), "ล่าช้า"))
    page.reload()
    expect(page.locator("#satisfaction")).to_contain_text("2/5")
    expect(page.locator("#satisfaction")).to_contain_text("ล่าช้า")
    page.screenshot(path=str(ARTIFACTS / "case-laptop.png"), full_page=True)

    phone = sign_in(browser, live_server, "somchai@example.go.th", viewport=PHONE)
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(ARTIFACTS / "inbox-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/inbox/cases/{case.id}")
    expect(phone.get_by_role("heading", name=case.ticket)).to_be_visible()
    no_horizontal_scroll(phone)
    phone.screenshot(path=str(ARTIFACTS / "case-phone.png"), full_page=True)


def test_another_units_officer_can_neither_see_nor_open_the_case(browser: Browser, live_server: LiveServer) -> None:
    case = case_from_line(live_server, COMPLAINT, user="citizen-e2e-2")
    live_server.add_user("malee@example.go.th", role="officer", unit=other_unit(case))
    page = sign_in(browser, live_server, "malee@example.go.th")
    expect(page.locator("#case-list")).not_to_contain_text(case.ticket)
    response = page.goto(f"{live_server.url}/inbox/cases/{case.id}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("ไม่พบเรื่องนี้")
    api = page.request.get(f"{live_server.url}/api/cases/{case.id}")
    assert api.status == 404
    listed = page.request.get(f"{live_server.url}/api/cases").json()
    assert case.ticket not in [c["ticket"] for c in listed["items"]]


POLE = "เสาไฟฟ้าล้มขวางถนนหน้าตลาด สายไฟขาดมีประกายไฟ อันตรายมาก รีบมาด่วนค่ะ"


def test_an_urgent_alert_appears_on_the_open_inbox_without_a_reload(browser: Browser, live_server: LiveServer) -> None:
    # Two units' officers have the inbox open (laptop and phone) before the citizen writes.
    for unit in ("public_works", "environment"):
        live_server.add_user(f"duty-{unit}@example.go.th", role="officer", unit=unit)
    pages = {(unit, size): sign_in(browser, live_server, f"duty-{unit}@example.go.th", viewport=viewport)
             for unit in ("public_works", "environment") for size, viewport in (("laptop", LAPTOP), ("phone", PHONE))}
    for page in pages.values():
        expect(page.locator("#urgent-alerts")).to_be_empty()
    case = case_from_line(live_server, POLE, user="citizen-urgent")
    assert (case.priority, case.unit_code) == ("urgent", "public_works"), "a fallen pole with sparks: urgent, กองช่าง"
    for size in ("laptop", "phone"):
        page = pages[("public_works", size)]
        banner = page.get_by_role("alert")
        expect(banner).to_contain_text("เรื่องเร่งด่วน 1 เรื่อง รอเจ้าหน้าที่รับทราบ", timeout=15_000)  # over SSE
        expect(banner).to_contain_text(case.ticket)
        expect(page.locator(f'[data-case-id="{case.id}"]')).to_be_visible()
        expect(page.locator("#status-counts a", has_text="รับเรื่องใหม่")).to_contain_text("1")  # counts follow
        page.screenshot(path=str(ARTIFACTS / f"urgent-alert-{size}.png"), full_page=True)
        no_horizontal_scroll(page)
    phone = pages[("public_works", "phone")]
    phone.get_by_role("button", name="รับทราบและเปิดเรื่อง").click()  # the live banner's form still works
    expect(phone.get_by_role("heading", name=case.ticket)).to_be_visible()
    phone.goto(f"{live_server.url}/inbox")
    expect(phone.locator("#urgent-alerts")).to_be_empty()
    expect(pages[("environment", "laptop")].locator("#urgent-alerts")).to_be_empty()  # never another unit's
