"""Places end to end on the live service: a LINE location becomes the case's place, the case API shows `location`
and `same_problem`, and an officer merges the same problem through `POST /api/cases/{id}/merge`."""
from __future__ import annotations

import re
import time

from tests.places.conftest import HOME, north_of
from tests.places.test_proof import street_photo
from tests.inbox.test_pages import sign_in
from tests.support.chat import Chat, settle

PUBLIC = "https://fangsiang.example.go.th"


def location_event(lat: float, lon: float) -> dict:
    """A LINE location message as LINE sends it."""
    return {"id": str(time.time_ns())[:18], "type": "location", "title": "ตำแหน่งของฉัน",
            "address": "ซอยวัดใหม่ ตำบลฟังเสียง", "latitude": lat, "longitude": lon}


def test_line_locations_place_cases_and_officers_merge_the_same_problem(make_server, platform_stub) -> None:  # type: ignore[no-untyped-def]
    server = make_server(fangsiang_public_url=PUBLIC)
    first, second = Chat(server, platform_stub, "somsri"), Chat(server, platform_stub, "prasit")
    first.say("ถนนหน้าตลาดสดเป็นหลุมใหญ่มาก รถจักรยานยนต์ล้มไปสองคันแล้วค่ะ")
    acknowledged = first.wait_text("เลขที่เรื่อง")  # with the link to the case's public status page
    (status_link,) = [b["action"]["uri"] for b in acknowledged["contents"]["footer"]["contents"]
                      if b["action"]["type"] == "uri"]
    assert re.fullmatch(rf"{PUBLIC}/t/FS-[0-9-]+\?k=[\w-]+", status_link)
    assert server.client.get(status_link.removeprefix(PUBLIC)).status_code == 200
    first._post(message=location_event(*HOME))  # the acknowledgement's "ส่งตำแหน่งที่ตั้ง" button
    second.say("ยางมะตอยหน้าตลาดแตกเป็นหลุมลึก ขับรถลำบากมากครับ")
    second._post(message=location_event(*north_of(100)))
    settle(server)

    server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    auth = server.token("somchai@example.go.th")
    listed = server.client.get("/api/cases", headers=auth).json()["items"]
    by_text = {c["summary"][:6]: c for c in listed}
    target, duplicate = by_text["ถนนหน้"], by_text["ยางมะต"]

    shown = server.client.get(f"/api/cases/{target['id']}", headers=auth).json()
    assert shown["location"] == {"lat": HOME[0], "lon": HOME[1], "source": "line_location"}
    later = server.client.get(f"/api/cases/{duplicate['id']}", headers=auth).json()
    assert later["location"]["source"] == "line_location"
    assert [(s["case_id"], s["ticket"]) for s in later["same_problem"]] == [(target["id"], target["ticket"])]
    assert 95 < later["same_problem"][0]["distance_m"] < 105

    page = sign_in(server, "somchai@example.go.th").get(f"/inbox/cases/{duplicate['id']}").text
    assert "ตำแหน่งที่เกิดเหตุ" in page and "อาจเป็นเรื่องเดียวกัน" in page and target["ticket"] in page
    assert "ตำแหน่งที่ส่งทาง LINE" in page and "รวมเข้ากับเรื่อง" in page

    refused = server.client.post(f"/api/cases/{duplicate['id']}/merge", json={"into": duplicate["id"]}, headers=auth)
    assert refused.status_code == 422 and "ตัวเอง" in refused.json()["detail"]
    merged = server.client.post(f"/api/cases/{duplicate['id']}/merge", json={"into": target["id"]}, headers=auth)
    assert merged.status_code == 200, merged.text
    second.wait_text(f"เรื่องนี้มีผู้แจ้งแล้ว เลขที่ {target['ticket']}")

    # A third citizen reports the same problem in other words nearby: joined at once and told the known ticket.
    third = Chat(server, platform_stub, "wilai")
    third.say("หน้าตลาดสดถนนเป็นหลุมลึกมาก มอเตอร์ไซค์ล้มไปสองคันแล้วครับ")
    third._post(message=location_event(*north_of(30)))
    third.wait_text(f"เรื่องนี้มีผู้แจ้งแล้ว เลขที่ {target['ticket']}")

    refused = server.client.post(f"/api/cases/{target['id']}/status", json={"status": "resolved"}, headers=auth)
    assert refused.status_code == 422 and "กรุณาแนบภาพหลังแก้ไข" in refused.json()["detail"]  # a road: proof asked
    photo = server.client.post(f"/api/cases/{target['id']}/after-photos", headers=auth,
                               files={"photo": ("after.jpg", street_photo(11), "image/jpeg")})
    assert photo.status_code == 201, photo.text
    for step in ("in_progress", "resolved"):
        response = server.client.post(f"/api/cases/{target['id']}/status", json={"status": step}, headers=auth)
        assert response.status_code == 200, response.text
    second.wait_text(f"เรื่องเลขที่ {duplicate['ticket']} ดำเนินการแล้วเสร็จ")
    # The survey shows the citizens the officer's after-photo, each under their own case's status page (a merged
    # case's citizen never gets the target's page key).
    for citizen, own in ((first, target), (second, duplicate)):
        citizen.wait_text("รบกวนประเมินความพึงพอใจ")
        pictures = [m for m in citizen.answers() if m["type"] == "image"]
        assert len(pictures) == 1 and pictures[0]["originalContentUrl"].startswith(f"{PUBLIC}/t/{own['ticket']}/after/")
        served = server.client.get(pictures[0]["originalContentUrl"].removeprefix(PUBLIC))
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    third.wait_text("ดำเนินการแล้วเสร็จ")
    assert server.wait_until(lambda: server.client.get(f"/api/cases/{duplicate['id']}", headers=auth)
                             .json()["status"] == "resolved")
