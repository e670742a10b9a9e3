"""Same problem found on a seeded set, on SQLite and PostgreSQL: the same category 100 m apart is suggested, 400 m
apart is not; the same meaning in other words nearby is suggested; another category next door is not."""
from __future__ import annotations

import datetime as dt

from places import service
from places.geo import distance_m
from storage.models import utcnow
from tests.places.conftest import AGENCY, HOME, PLACES, north_of, seed_case

POTHOLE = "ถนนเป็นหลุมใหญ่หน้าตลาดสด รถจักรยานยนต์ล้มบ่อยมากค่ะ"


def test_haversine_agrees_with_a_known_distance() -> None:
    # Sanam Luang to Victory Monument, Bangkok: about 4.9 km as the crow flies.
    assert 4_700 < distance_m(13.7550, 100.4925, 13.7649, 100.5383) < 5_100
    assert abs(distance_m(*HOME, *north_of(100)) - 100) < 0.5


def test_same_category_nearby_and_same_meaning_in_the_area_are_suggested(backend: str, places_db) -> None:  # type: ignore[no-untyped-def]
    with places_db.session() as session:
        first = seed_case(session, text=POTHOLE, unit="public_works", at=HOME, citizen="U-first")
        near = seed_case(session, text="ยางมะตอยหน้าบ้านแตกเป็นหลุม ขับรถลำบากครับ", unit="public_works",
                         at=north_of(100), citizen="U-near")
        far = seed_case(session, text="สะพานไม้ข้ามคลองผุพัง เดินข้ามไม่ได้แล้ว", unit="public_works",
                        at=north_of(400), citizen="U-far")
        same_meaning = seed_case(session, text="ผิวถนนหน้าตลาดสดชำรุดเป็นบ่อลึก มอเตอร์ไซค์ตกหลุมหลายคันแล้ว",
                                 unit="public_works", at=north_of(600), citizen="U-meaning")
        other_category = seed_case(session, text="ขยะไม่มีคนมาเก็บมาสามวันแล้ว ส่งกลิ่นเหม็นมาก",
                                   unit="environment", at=north_of(50), citizen="U-waste")
        found = {s.case_id: s for s in service.same_problem(session, case=first, agency=AGENCY, config=PLACES)}

        assert near.id in found and 95 < found[near.id].distance_m < 105  # same category (roads), 100 m
        assert far.id not in found  # same category, 400 m: not the same problem
        assert other_category.id not in found  # 50 m, but waste is not a road
        assert same_meaning.id in found and found[same_meaning.id].similarity >= PLACES.similarity  # other words
        assert 595 < found[same_meaning.id].distance_m < 605
        assert [s.case_id for s in found.values()] == [near.id, same_meaning.id]  # nearest first


def test_long_resolved_and_merged_cases_are_no_candidates(backend: str, places_db) -> None:  # type: ignore[no-untyped-def]
    with places_db.session() as session:
        first = seed_case(session, text=POTHOLE, unit="public_works", at=HOME, citizen="U-first")
        old = seed_case(session, text=POTHOLE, unit="public_works", at=north_of(20), citizen="U-old")
        old.status, old.resolved_at = "resolved", utcnow() - dt.timedelta(days=PLACES.recent_days + 1)
        recent = seed_case(session, text=POTHOLE, unit="public_works", at=north_of(30), citizen="U-recent")
        recent.status, recent.resolved_at = "resolved", utcnow() - dt.timedelta(days=2)
        session.flush()
        found = [s.case_id for s in service.same_problem(session, case=first, agency=AGENCY, config=PLACES)]
        assert found == [recent.id]


def test_without_a_place_the_same_meaning_in_the_same_unit_is_suggested(backend: str, places_db) -> None:  # type: ignore[no-untyped-def]
    with places_db.session() as session:
        first = seed_case(session, text="ท่อระบายน้ำอุดตัน ฝนตกทีไรน้ำท่วมขังหน้าโรงเรียนค่ะ", unit="public_works",
                          at=None, citizen="U-1")
        again = seed_case(session, text="น้ำขังหน้าโรงเรียนทุกครั้งที่ฝนตกเพราะท่อตันครับ", unit="public_works",
                          at=None, citizen="U-2")
        lights = seed_case(session, text="ไฟถนนดับทั้งซอย มืดมากตอนกลางคืน", unit="public_works", at=None,
                           citizen="U-3")
        found = {s.case_id: s for s in service.same_problem(session, case=first, agency=AGENCY, config=PLACES)}
        assert again.id in found and found[again.id].distance_m is None
        assert lights.id not in found


def test_the_best_place_source_wins(backend: str, places_db) -> None:  # type: ignore[no-untyped-def]
    with places_db.session() as session:
        case = seed_case(session, text=POTHOLE, unit="public_works", at=north_of(10), citizen="U-1",
                         source="photo_exif")
        service.set_place(session, case=case, point=service.Point(lat=HOME[0], lon=HOME[1], source="form_pin"),
                          message_id=None)
        service.set_place(session, case=case, point=service.Point(lat=1.0, lon=100.0, source="line_location"),
                          message_id=None)
        place = service.place_of(session, case_id=case.id)
        assert (place.lat, place.lon, place.source) == (HOME[0], HOME[1], "form_pin")


def test_a_plainly_known_problem_is_joined_and_its_citizen_told_the_ticket(backend: str, places_db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from storage.models import Contact, OutboxMessage

    with places_db.session() as session:
        first = seed_case(session, text=POTHOLE, unit="public_works", at=HOME, citizen="U-first")
        other_problem = seed_case(session, text="ทางเท้าหน้าตลาดสดกระเบื้องแตกหลายแผ่น คนเดินสะดุดบ่อยครับ",
                                  unit="public_works", at=north_of(40), citizen="U-tiles")
        assert service.join_known_problem(session, case=other_problem, agency=AGENCY, config=PLACES) is None
        again = seed_case(session, text="หน้าตลาดสดถนนเป็นหลุมลึกมาก มอเตอร์ไซค์ล้มบ่อยครับ",
                          unit="public_works", at=north_of(60), citizen="U-again")
        assert service.join_known_problem(session, case=again, agency=AGENCY, config=PLACES) is first
        assert service.merged_into(session, case_id=again.id).into_case_id == first.id
        contact = session.get(Contact, again.contact_id)
        told = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == contact.external_id)).all()
        assert any(f"เรื่องนี้มีผู้แจ้งแล้ว เลขที่ {first.ticket}" in row.payload["text"] for row in told)
