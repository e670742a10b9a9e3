"""The web report form end to end on the live service: a report with a photo and a pin gets a ticket through the
worker like a LINE message; its public status page leaks nothing planted; bad input is refused in Thai with nothing
stored; the LIFF path links the case to the LINE user; Open311 answers with the spec's fields."""
from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import func, select

from conversation.models import MediaFile
from places.public import status_token
from storage.models import Case, Contact, Message
from tests.places.conftest import HOME
from tests.places.photos import phone_photo
from tests.support.chat import settle

PLANTED = ("นายสมชาย ใจดี", "081-234-5678", "1101700230705", "บ้านเลขที่ 99/1", "somchai@example.com")
REPORT_TEXT = ("ไฟถนนหน้าบ้านเลขที่ 99/1 ซอยวัดใหม่ดับมาสามคืนแล้ว มืดมากค่ะ ติดต่อนายสมชาย ใจดี 081-234-5678 "
               "เลขบัตร 1101700230705 อีเมล somchai@example.com")
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def post_report(server, *, json: bool = True, photos: list[bytes] = (), **fields: str):  # type: ignore[no-untyped-def]
    data = {"text": REPORT_TEXT, "category": "street_lights", "lat": str(HOME[0]), "lon": str(HOME[1]),
            "contact": "081-234-5678", "consent": "yes", **fields}
    files = [("photo", (f"p{i}.jpg", raw, "image/jpeg")) for i, raw in enumerate(photos)]
    return server.client.post("/report", data=data, files=files or None,
                              headers={"accept": "application/json"} if json else {})


def stored_counts(server) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with server.runtime.db.session() as session:
        return (session.scalar(select(func.count()).select_from(Message).where(Message.kind == "report")),
                session.scalar(select(func.count()).select_from(MediaFile)))


def test_a_web_report_gets_a_ticket_and_a_public_page_that_leaks_nothing(live_server) -> None:  # type: ignore[no-untyped-def]
    server = live_server
    form = server.client.get("/report")
    assert form.status_code == 200 and 'for="consent"' in form.text and "ใช้ตำแหน่งปัจจุบันของฉัน" in form.text
    response = post_report(server, photos=[phone_photo(gps=(13.7571, 100.5025))],
                           address="ตรงข้ามร้านป้าแดง ซอยวัดใหม่")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"ticket", "status_url"} and body["ticket"].startswith("FS-")
    settle(server)

    with server.runtime.db.session() as session:
        case = session.scalars(select(Case).where(Case.ticket == body["ticket"])).one()
        assert case.channel == "web" and case.unit_code == "public_works" and case.status == "new"
        assert session.get(Contact, case.contact_id).phone == "081-234-5678"  # the contact, for officers only
        told = session.scalars(select(Message.delivery).where(Message.case_id == case.id,
                                                              Message.direction == "out")).all()
        assert told and set(told) == {"sent"}  # web citizens read what they are told on the status page
        media = session.scalars(select(MediaFile)).one()
        stored = (server.settings.data_dir / media.path).read_bytes()
    assert not Image.open(io.BytesIO(stored)).getexif()  # EXIF stripped from what is stored

    server.add_user("somchai@example.go.th", role="officer", unit="public_works")
    auth = server.token("somchai@example.go.th")
    reply = server.client.post(f"/api/cases/{case.id}/reply", headers=auth, json={
        "text": "ช่างจะเข้าเปลี่ยนหลอดไฟพรุ่งนี้ค่ะ หากสงสัยติดต่อนายสมชาย ใจดี 081-234-5678"})
    assert reply.status_code == 200, reply.text
    moved = server.client.post(f"/api/cases/{case.id}/status", headers=auth,
                               json={"status": "in_progress", "note": "ส่งช่างไปบ้านเลขที่ 99/1 แล้วค่ะ"})
    assert moved.status_code == 200, moved.text

    page = server.client.get(body["status_url"])
    assert "ช่างจะเข้าเปลี่ยนหลอดไฟพรุ่งนี้ค่ะ" in page.text and "กำลังดำเนินการ" in page.text
    assert page.status_code == 200 and body["ticket"] in page.text and "กองช่าง" in page.text
    for planted in (*PLANTED, "13.7563", "100.5018", "PhoneMaker", "ป้าแดง", "ช่องทางติดต่อ"):
        assert planted not in page.text, planted
    assert "13.756, 100.502" in page.text  # the place, rounded
    photo_url = re.search(r'src="(/t/[^"]+/photos/\d+\?k=[^"]+)"', page.text).group(1)
    photo = server.client.get(photo_url.replace("&amp;", "&"))
    assert photo.status_code == 200 and not Image.open(io.BytesIO(photo.content)).getexif()

    wrong = server.client.get(f"/t/{body['ticket']}?k=" + "A" * 22)
    assert wrong.status_code == 404 and "ไม่พบหน้านี้" in wrong.text and body["ticket"] not in wrong.text
    assert server.client.get(f"/t/{body['ticket']}").status_code == 404

    html = post_report(server, json=False, text="ท่อระบายน้ำหน้าโรงเรียนอุดตัน น้ำท่วมขังทุกครั้งที่ฝนตกค่ะ",
                       category="drains_flooding")
    assert html.status_code == 303 and html.headers["location"].startswith("/t/FS-")

    services = server.client.get("/open311/v2/services.json").json()
    assert services and all(set(s) == SERVICE_FIELDS and s["type"] == "realtime" for s in services)
    requests_ = server.client.get("/open311/v2/requests.json").json()
    assert {r["service_request_id"] for r in requests_} >= {body["ticket"]}
    for item in requests_:
        assert set(item) == REQUEST_FIELDS and item["status"] in ("open", "closed")
        assert ISO.match(item["requested_datetime"]) and ISO.match(item["updated_datetime"])
        for planted in PLANTED:
            assert planted not in str(item)
    one = server.client.get(f"/open311/v2/requests/{body['ticket']}.json").json()
    assert len(one) == 1 and one[0]["service_code"] == "street_lights" and one[0]["lat"] == 13.756
    assert server.client.get("/open311/v2/requests/FS-0000-000000.json").status_code == 404
    assert server.client.get("/open311/v2/requests/a%00b.json").status_code == 404  # no ticket: not a 500 on PostgreSQL
    assert server.client.get("/open311/v2/requests.json?status=closed").json() == []
    assert server.client.get("/open311/v2/requests.json?status=bad").status_code == 400


def test_bad_reports_are_refused_in_thai_and_nothing_is_stored(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server(fangsiang_report_per_hour=3, fangsiang_media_max_bytes=200_000)
    cases = [
        (dict(lat="51.5", lon="-0.12"), 422, "นอกพื้นที่"),
        (dict(consent=""), 422, "ยินยอม"),
        (dict(text="  "), 422, "รายละเอียด"),
        (dict(category="bombs"), 422, "ประเภท"),
    ]
    for fields, status_code, words in cases:
        response = post_report(server, **fields)
        assert response.status_code == status_code and words in response.json()["detail"], response.text
    not_image = post_report(server, photos=[b"%PDF-1.4 not a photo"])
    assert not_image.status_code == 422 and "ไม่ใช่รูปภาพ" in not_image.json()["detail"]
    too_big = post_report(server, photos=[phone_photo(size=(3000, 3000)) + b"\0" * 200_000])
    assert too_big.status_code == 413 and "ใหญ่เกินไป" in too_big.json()["detail"]
    page = post_report(server, json=False, lat="51.5", lon="-0.12")
    assert page.status_code == 422 and "นอกพื้นที่" in page.text and "ไฟถนนหน้าบ้าน" in page.text  # typed text kept
    assert stored_counts(server) == (0, 0)  # nothing stored half

    for _ in range(3):
        assert post_report(server, text="ไฟถนนดับค่ะ", category="street_lights").status_code in (201, 202)
    flood = post_report(server, text="ไฟถนนดับค่ะ")
    assert flood.status_code == 429 and "บ่อยเกินไป" in flood.json()["detail"]
    assert stored_counts(server)[0] == 3


def test_the_liff_form_links_the_case_to_the_line_user(make_server, platform_stub) -> None:  # type: ignore[no-untyped-def]
    server = make_server(line_liff_id="1234567890-AbcdEfgh")
    user_id = "U" + "a" * 32
    platform_stub.id_tokens["good-token"] = {"iss": "https://access.line.me", "sub": user_id, "aud": "1234567890",
                                             "exp": 2_000_000_000, "iat": 1_700_000_000, "name": "ผู้แจ้งทดสอบ"}
    forged = post_report(server, id_token="forged-token")
    assert forged.status_code == 422 and "LINE" in forged.json()["detail"]
    assert stored_counts(server) == (0, 0)

    response = post_report(server, id_token="good-token")
    assert response.status_code == 201, response.text
    settle(server)
    with server.runtime.db.session() as session:
        case = session.scalars(select(Case).where(Case.ticket == response.json()["ticket"])).one()
        contact = session.get(Contact, case.contact_id)
        assert (contact.channel, contact.external_id) == ("line", user_id)
    pushed = [r.json for r in platform_stub.sent("/v2/bot/message/push") if r.json.get("to") == user_id]
    assert any(response.json()["ticket"] in str(p) for p in pushed)  # the acknowledgement went to LINE
    assert status_token(secret=server.settings.secret_key, ticket=case.ticket) in response.json()["status_url"]
