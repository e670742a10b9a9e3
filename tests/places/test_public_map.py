"""The opt-in public map: off by default (404 for the page and its feed); on, it shows open and recently resolved
complaints by category with places rounded, no ticket, no text and nothing personal; a merged duplicate counts once."""
from __future__ import annotations

import datetime as dt
import json

from places import service
from places.config import parse_places_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from storage.models import utcnow
from tests.places.conftest import AGENCY, HOME, north_of, officer, seed_case

PERSONAL = ("นายสมชาย ใจดี", "081-234-5678", "99/1")


def agency_with_public_map(tmp_path) -> str:  # type: ignore[no-untyped-def]
    text = DEFAULT_AGENCY_CONFIG.read_text(encoding="utf-8")
    assert "public_map = false" in text  # opt-in: off as shipped
    path = tmp_path / "agency.toml"
    path.write_text(text.replace("public_map = false", "public_map = true"), encoding="utf-8")
    return str(path)


def test_the_public_map_is_opt_in_and_shows_problems_by_category_without_personal_data(make_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert parse_places_config({}).public_map is False and parse_places_config({"public_map": True}).public_map
    off = make_server(run_worker=False)
    assert off.client.get("/map").status_code == 404 and off.client.get("/map/problems.json").status_code == 404

    server = make_server(run_worker=False, fangsiang_agency_config=agency_with_public_map(tmp_path),
                         fangsiang_data_dir=tmp_path / "on")
    with server.runtime.db.session() as session:
        staff = officer(session)
        road = seed_case(session, text="ถนนหน้าบ้านเลขที่ 99/1 เป็นหลุม ติดต่อนายสมชาย ใจดี 081-234-5678",
                         unit="public_works", at=(13.75634, 100.50178), citizen="U-1", embedded=False)
        lamp = seed_case(session, text="ไฟถนนดับหน้าตลาดค่ะ", unit="public_works", at=north_of(300), citizen="U-2",
                         embedded=False)
        lamp.status, lamp.resolved_at = "resolved", utcnow() - dt.timedelta(days=3)
        old = seed_case(session, text="ไฟถนนดับหน้าวัดค่ะ", unit="public_works", at=north_of(600), citizen="U-3",
                        embedded=False)
        old.status, old.resolved_at = "closed", utcnow() - dt.timedelta(days=200)
        duplicate = seed_case(session, text="ถนนเป็นหลุมหน้าบ้านครับ", unit="public_works", at=north_of(20),
                              citizen="U-4", embedded=False)
        service.merge(session, case=duplicate, into=road, user=staff, agency=AGENCY, now=utcnow())
        seed_case(session, text="ขยะล้นถังค่ะ", unit="public_works", at=None, citizen="U-5", embedded=False)
        tickets = [road.ticket, lamp.ticket, duplicate.ticket]

    feed = server.client.get("/map/problems.json")
    assert feed.status_code == 200
    body = feed.json()
    assert sorted((p["category"], p["state"]) for p in body["problems"]) == [("roads", "open"),
                                                                             ("street_lights", "resolved")]
    road_point = next(p for p in body["problems"] if p["category"] == "roads")
    assert (road_point["lat"], road_point["lon"]) == (13.756, 100.502)  # rounded to about 110 m
    assert set(road_point) == {"category", "category_name", "state", "state_name", "reported", "lat", "lon"}
    assert body["counts"] == [
        {"category": "street_lights", "category_name": "ไฟฟ้าส่องสว่าง", "open": 0, "resolved": 1},
        {"category": "roads", "category_name": "ถนน ทางเท้า และสะพาน", "open": 1, "resolved": 0}]
    page = server.client.get("/map")
    assert page.status_code == 200 and "แผนที่ปัญหาในพื้นที่" in page.text and 'data-feed="/map/problems.json"' in page.text
    assert "ถนน ทางเท้า และสะพาน" in page.text and "2 เรื่องที่มีตำแหน่ง" in page.text
    for leaked in (*PERSONAL, *tickets, str(HOME[0]), "13.75634"):
        assert leaked not in page.text and leaked not in json.dumps(body, ensure_ascii=False), leaked
