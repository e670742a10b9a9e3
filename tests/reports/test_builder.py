"""The PMQA report built from stored cases: every table's numbers checked by hand, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from agency.thaitime import BANGKOK, WorkingCalendar, fiscal_year_bounds
from analytics.trends import canonical_issue
from reports import repeats
from reports.builder import (
    ReportYearError,
    build_report,
    parse_fiscal_year,
    percentile,
)
from reports.tables import build_tables, check_report
from storage.db import Database
from storage.models import Case
from tests.reports.helpers import user
from places.models import CaseMerge
from tests.reports.seed import CASES, CITIZEN_NAME, CITIZEN_PHONE, PIN, Spec, bkk, store_case

AGENCY = load_agency_config(DEFAULT_AGENCY_CONFIG)
NOW = bkk(2026, 11, 20, 10)  # fiscal year 2569 is over; 2570 has begun


def report(db: Database, email: str, year: int = 2569) -> dict:
    built = build_report(db, agency=AGENCY, calendar=WorkingCalendar(), fiscal_year=year, user=user(db, email),
                         now=NOW)
    check_report(built)
    return built


def by(rows: list[dict], key: str) -> dict[str, dict]:
    return {row[key]: row for row in rows}


def test_every_table_from_stored_cases(db: Database) -> None:
    built = report(db, "admin@example.go.th")
    assert built["years"] == [2567, 2568, 2569] and built["scope"] == "ทุกหน่วยงาน"
    assert built["as_of"] == "2026-09-30"
    assert built["fiscal_years"] == [
        {"year": 2567, "start": "2023-10-01", "end": "2024-09-30", "coverage": {"first": "2023-12-02",
                                                                               "last": "2024-05-10"}, "partial": True},
        {"year": 2568, "start": "2024-10-01", "end": "2025-09-30", "coverage": {"first": "2024-10-01",
                                                                               "last": "2025-09-30"}, "partial": False},
        {"year": 2569, "start": "2025-10-01", "end": "2026-09-30", "coverage": {"first": "2025-10-01",
                                                                               "last": "2026-09-30"}, "partial": False},
    ]
    assert "ร้องเรียนซ้ำ = ปัญหาเดิมที่แจ้งซ้ำ" in built["tables"]["handling_by_unit"]["definition"]
    tables = {table.id: table for table in build_tables(built)}
    assert all(table.notes[0] == f"นิยาม: {built['tables'][table_id]['definition']}" for table_id, table in tables.items())
    channels_table = tables["channels"]
    assert [column.short for column in channels_table.columns[1:4]] == ["2567*", "2568", "2569"]
    assert "* ปีงบประมาณ 2567 มีข้อมูลเพียงบางส่วน (มีข้อมูล 2 ธ.ค. 2566 – 10 พ.ค. 2567) จึงไม่ใช้เปรียบเทียบเป็นรายปี" in \
        channels_table.notes

    channels = by(built["channels"], "channel")
    assert {code: row["by_year"] for code, row in channels.items() if any(row["by_year"].values())} == {
        "line": {"2567": 1, "2568": 1, "2569": 4}, "facebook": {"2567": 0, "2568": 1, "2569": 1},
        "walk_in": {"2567": 1, "2568": 0, "2569": 1}, "phone": {"2567": 0, "2568": 1, "2569": 2},
        "letter": {"2567": 0, "2568": 0, "2569": 1}, "email": {"2567": 0, "2568": 0, "2569": 1},
        "comment_box": {"2567": 0, "2568": 0, "2569": 1}, "website": {"2567": 0, "2568": 0, "2569": 1},
        "other": {"2567": 0, "2568": 0, "2569": 1},
    }
    assert channels["facebook_comment"]["by_year"] == {"2567": 0, "2568": 0, "2569": 0}  # 1 Oct 00:05 is 2570
    assert channels["walk_in"]["label"] == "มาด้วยตนเอง" and channels["walk_in"]["offline"] is True
    assert channels["line"]["share_by_year"]["2569"] == pytest.approx(4 / 13)
    assert channels["line"]["by_month"] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert channels["other"]["by_month"][11] == 1  # 23:59 on 30 Sep is September

    assert {row["intent"]: row["by_year"] for row in built["intents"]} == {
        "complaint": {"2567": 1, "2568": 2, "2569": 10}, "suggestion": {"2567": 0, "2568": 1, "2569": 1},
        "question": {"2567": 1, "2568": 0, "2569": 1}, "praise": {"2567": 0, "2568": 0, "2569": 1},
        "other": {"2567": 0, "2568": 0, "2569": 0},
    }
    categories = {row["category"]: row["by_year"] for row in built["categories"] if any(row["by_year"].values())}
    assert categories == {  # the complaints' topics against the agency's keywords; none matched: "other"
        "street_lights": {"2567": 0, "2568": 0, "2569": 4}, "roads": {"2567": 0, "2568": 0, "2569": 1},
        "waste": {"2567": 0, "2568": 0, "2569": 2}, "taxes_fees": {"2567": 0, "2568": 0, "2569": 2},
        "other": {"2567": 1, "2568": 2, "2569": 1},
    }
    assert built["categories"][-1]["label"] == "อื่น ๆ" and by(built["categories"], "category")["waste"]["label"] == \
        "ขยะและความสะอาด"
    assert [(row["group"], row["by_year"]["2569"]) for row in built["groups"]] == [
        ("ประชาชนทั่วไป", 4), ("ผู้ประกอบการ", 2), ("ผู้สูงอายุ/ผู้พิการ", 2), ("นักเรียน/นักศึกษา", 1),
        ("หน่วยงานภาครัฐ", 1), ("องค์กรชุมชน/ภาคประชาสังคม", 1), ("ไม่ระบุ", 2)]
    assert by(built["groups"], "group")["ผู้ประกอบการ"]["by_year"] == {"2567": 0, "2568": 1, "2569": 2}

    units = {row["unit"]: (row["received"], row["resolved"], row["open"], row["overdue"]) for row in built["units"]}
    assert units == {"public_works": (5, 3, 2, 0), "environment": (2, 1, 1, 1), "revenue": (2, 1, 1, 1),
                     "general_affairs": (2, 1, 1, 1), "civil_registration": (1, 1, 0, 0), "triage": (1, 0, 0, 0),
                     "disaster": (0, 0, 0, 0), "social_welfare": (0, 0, 0, 0)}

    total = built["handling"]["total"]
    assert (total["received"], total["resolved"], total["within_standard"], total["repeat"]) == (10, 5, 4, 3)
    assert total["within_standard_share"] == pytest.approx(4 / 10)
    # the first answer against the standard's first stage (5 working days for กองช่าง): all but c3 and c13
    assert (total["first_answer_within"], total["first_answer_within_share"]) == (8, 0.8)
    by_category = {row["category"]: {year: (f["received"], f["first_answer_within"], f["within_standard"],
                                            f["response_days_median"], f["resolution_days_median"], f["repeat"])
                                     for year, f in row["by_year"].items()}
                   for row in built["handling"]["by_category"]}
    assert by_category["street_lights"]["2569"] == (4, 3, 2, 0.0, 1.5, 1)  # c1, c11, c12 (repeat), c13 unanswered
    assert by_category["roads"]["2569"] == (1, 1, 0, 1.0, 9.0, 0)  # c2: answered next day, resolved 9 days later
    assert by_category["other"] == {"2567": (1, 0, 1, None, 1.0, 0), "2568": (2, 0, 2, None, 2.0, 0),
                                    "2569": (1, 1, 0, 2.0, None, 0)}
    assert total["response_days_median"] == 1.0 and total["response_days_p90"] == 2.0  # [0, 0, 0, 1, 1, 1, 2, 2]
    assert total["resolution_days_median"] == 2.0 and total["resolution_days_p90"] == pytest.approx(8.2)
    works = by(built["handling"]["by_unit"], "unit")["public_works"]
    assert (works["received"], works["within_standard"], works["repeat"]) == (5, 2, 1)
    assert works["resolution_days_median"] == 2.0  # [1, 2, 9]
    # handling by unit and by channel compare three years like the other tables (a1 and b3: the same citizen x, a
    # lamp then another matter a year later, not repeats)
    assert {year: (f["received"], f["resolved"], f["within_standard"], f["resolution_days_median"])
            for year, f in works["by_year"].items()} == {"2567": (1, 1, 1, 1.0), "2568": (1, 1, 1, 2.0),
                                                         "2569": (5, 3, 2, 2.0)}
    assert works["by_year"]["2569"] == {k: v for k, v in works.items() if k not in ("unit", "label", "by_year")}
    assert by(built["handling"]["by_channel"], "channel")["phone"]["by_year"]["2568"]["received"] == 1  # b1
    assert [(year, f["received"], f["repeat"]) for year, f in total["by_year"].items()] == [
        ("2567", 1, 0), ("2568", 2, 0), ("2569", 10, 3)]
    unit_table = tables["handling_by_unit"]
    assert [row[:3] for row in unit_table.rows[-3:]] == [["รวม", "2567*", 1], ["รวม", "2568", 2], ["รวม", "2569", 10]]
    assert ["กองช่าง", "2569", 5] in [row[:3] for row in unit_table.rows] and unit_table.group_first
    phone = by(built["handling"]["by_channel"], "channel")["phone"]
    assert (phone["label"], phone["received"], phone["repeat"]) == ("โทรศัพท์ / ศูนย์ 1111", 2, 2)

    quarters = {q["quarter"]: [(t["topic"], t["count"]) for t in q["topics"]] for q in built["topics"]}
    assert quarters[1] == sorted([(canonical_issue("ไฟฟ้าส่องสว่างดับ"), 1), (canonical_issue("ถนนเป็นหลุม"), 1)],
                                 key=lambda item: item[0])
    assert quarters[2] == [(canonical_issue("ขยะไม่เก็บ"), 2)]
    assert quarters[3] == [(canonical_issue("ภาษีป้าย"), 1), (canonical_issue("ใบเสร็จไม่ถูกต้อง"), 1)]
    lamps = Counter(canonical_issue(t) for t in ("ไฟฟ้าส่องสว่างดับ", "หลอดไฟเสีย", "ไฟทางดับ"))
    assert dict(quarters[4]) == dict(lamps) and sum(lamps.values()) == 3
    assert by(built["topics"][1]["topics"], "topic")[canonical_issue("ขยะไม่เก็บ")]["unit_label"] == \
        "กองสาธารณสุขและสิ่งแวดล้อม"

    assert [entry["date"] for entry in built["improvements"]] == ["2026-03-01"]  # 2025-09-15 is 2568
    entry = built["improvements"][0]
    assert (entry["old_steps"], entry["new_days"], entry["unit_label"]) == (4, 2.0, "กองสาธารณสุขและสิ่งแวดล้อม")
    assert entry["linked_to"].startswith("เรื่องร้องเรียนเลขที่: FS-2569-")
    assert entry["citizen_group"] == "ผู้สูงอายุ/ผู้พิการ"
    services = tables["group_services"]
    assert [row[:3] for row in services.rows] == [["ผู้สูงอายุ/ผู้พิการ", "2026-03-01", "กองสาธารณสุขและสิ่งแวดล้อม"]]
    assert services.rows[0][5:] == ["4 ขั้นตอน 7 วัน", "2 ขั้นตอน 2 วัน"] and services.group_first
    flow = [(step["step"], step["reached"], step["days_from_previous_median"], step["measured"])
            for step in built["complaint_flow"]["steps"]]
    assert flow == [  # 10 complaints of 2569; c2 walks every step in its audit trail, the others by their timestamps
        ("receive", 10, None, 0), ("register", 10, 0.0, 10),
        ("route", 10, 0.0, 9),         # c9 stayed with the triage unit (and was answered: it went through routing)
        ("acknowledge", 8, 1.0, 7),    # c3 and c13 never answered; [0, 1, 0, 2, 0, 1, 1] working days
        ("act", 6, 1.0, 1),            # c2: acknowledged 4 Nov, in progress 5 Nov
        ("answer", 6, 7.0, 1),         # c2: resolved 14 Nov, 7 working days later
        ("close", 2, 0.5, 2),          # c2 closed Monday 17 Nov (1), c4 closed as it was resolved (0)
    ]
    assert built["complaint_flow"]["improvements"] == [{"issue": "ขยะตกค้างหมู่ 3 ร้องเรียนซ้ำ",
                                                        "unit_label": "กองสาธารณสุขและสิ่งแวดล้อม", "old_steps": 4,
                                                        "old_days": 7.0, "new_steps": 2, "new_days": 2.0}]
    satisfaction = built["satisfaction"]
    overall = satisfaction["overall"]  # scores 5, 2, 3, 4, 1 and one survey unanswered
    assert overall["levels"] == {"5": 1, "4": 1, "3": 1, "2": 1, "1": 1}
    assert [(year, f["asked"], f["responses"], f["low"]) for year, f in overall["by_year"].items()] == [
        ("2567", 0, 0, None), ("2568", 1, 1, 1.0), ("2569", 6, 5, 0.4)]  # b3's survey of August 2025 is 2568
    assert by(satisfaction["by_channel"], "channel")["line"]["by_year"]["2568"]["levels"]["1"] == 1
    assert (overall["asked"], overall["responses"], overall["mean_score"]) == (6, 5, 3.0)
    assert (overall["high"], overall["medium"], overall["low"]) == (0.4, 0.2, 0.4)
    assert overall["response_rate"] == pytest.approx(5 / 6)
    channels_ = by(satisfaction["by_channel"], "channel")
    assert list(channels_) == ["line", "facebook", "phone", "letter", "email"]
    assert (channels_["line"]["high"], channels_["line"]["low"], channels_["line"]["responses"]) == (0.5, 0.5, 2)
    assert (channels_["letter"]["asked"], channels_["letter"]["responses"], channels_["letter"]["high"]) == (1, 0, None)
    assert channels_["phone"]["label"] == "โทรศัพท์ / ศูนย์ 1111" and channels_["phone"]["medium"] == 1.0
    groups_ = by(satisfaction["by_group"], "group")
    assert list(groups_) == ["ประชาชนทั่วไป", "ผู้ประกอบการ", "ผู้สูงอายุ/ผู้พิการ", "นักเรียน/นักศึกษา", "ไม่ระบุ"]
    assert (groups_["ผู้สูงอายุ/ผู้พิการ"]["medium"], groups_["ไม่ระบุ"]["low"]) == (1.0, 1.0)
    assert satisfaction["reasons"] == [{"reason": "ดำเนินการล่าช้า", "count": 1, "share": 0.5},
                                       {"reason": "ยังไม่ได้รับการแก้ไข", "count": 1, "share": 0.5}]
    assert built["tables"]["channels"]["period"] == {"start": "2023-10-01", "end": "2026-09-30"}
    assert built["tables"]["units"]["period"] == {"start": "2025-10-01", "end": "2026-09-30"}
    standards = by([s for s in built["standards"] if s["unit"]], "unit")
    assert standards["public_works"]["stages"] == [5, 20] and standards["public_works"]["resolve_days"] == 20


def test_officer_sees_only_their_unit(db: Database) -> None:
    built = report(db, "works@example.go.th")
    assert built["scope"] == "เฉพาะกองช่าง"
    assert [row["unit"] for row in built["units"]] == ["public_works"]
    assert {row["channel"]: row["by_year"]["2569"] for row in built["channels"] if row["by_year"]["2569"]} == \
        {"line": 4, "facebook": 1}
    assert built["handling"]["total"]["received"] == 5
    assert built["improvements"] == []  # the register entry of 2569 is the environment unit's
    assert built["satisfaction"]["overall"]["asked"] == 3
    assert all(row["unit"] in (None, "public_works") for row in built["standards"])


def test_analyst_report_has_no_personal_data(db: Database) -> None:
    analyst = json.dumps(report(db, "analyst@example.go.th"), ensure_ascii=False)
    admin = json.dumps(report(db, "admin@example.go.th"), ensure_ascii=False)
    assert CITIZEN_PHONE in admin  # an admin's register evidence is shown as written
    for personal in (CITIZEN_PHONE, "0812345678", CITIZEN_NAME, "ใจงาม"):
        assert personal not in analyst


def test_a_year_without_data_is_an_honest_empty_report(db: Database) -> None:
    built = report(db, "admin@example.go.th", year=2560)
    assert built["years"] == [2558, 2559, 2560]
    assert sum(sum(row["by_year"].values()) for row in built["channels"]) == 0
    assert built["handling"]["total"]["received"] == 0 and built["handling"]["total"]["within_standard_share"] is None
    assert all(not q["topics"] for q in built["topics"]) and built["improvements"] == []
    assert built["satisfaction"]["overall"]["asked"] == 0 and built["satisfaction"]["overall"]["high"] is None


def test_fiscal_year_input() -> None:
    assert parse_fiscal_year(None, now=NOW) == 2570 and parse_fiscal_year("2569", now=NOW) == 2569
    for bad, words in (("2571", "ยังไม่เริ่มต้น"), ("2026", "พ.ศ."), ("25x9", "ไม่ถูกต้อง"), ("-1", "ไม่ถูกต้อง"),
                       ("25690", "ไม่ถูกต้อง")):
        with pytest.raises(ReportYearError, match=words):
            parse_fiscal_year(bad, now=NOW)


def test_working_days_and_percentiles() -> None:
    calendar = WorkingCalendar()
    assert calendar.working_days_between(bkk(2026, 2, 10, 10), bkk(2026, 2, 10, 16)) == 0
    assert calendar.working_days_between(bkk(2026, 2, 13, 10), bkk(2026, 2, 16, 9)) == 1  # Friday → Monday
    assert calendar.working_days_between(bkk(2025, 12, 4, 10), bkk(2025, 12, 8, 10)) == 1  # 5 Dec (Father's Day) is a holiday
    assert percentile([], 0.9) is None and percentile([3], 0.9) == 3.0
    assert percentile([1, 2, 2, 7, 9], 0.9) == pytest.approx(8.2)


def test_repeat_complaints_are_the_same_problem_again(db: Database) -> None:
    """The planted repeats of the seed, each for its own reason; the same citizen with another matter is not one."""
    with db.session() as session:
        tickets = dict(session.execute(select(Case.id, Case.ticket)).tuples().all())
        cases = {key: tickets[case_id] for key, case_id in _keys(session).items()}
        start, end = fiscal_year_bounds(2569)
        complaints = repeats.load_complaints(session, agency=AGENCY, scoped=lambda query: query, start=start, end=end)
    found = {tickets[later]: tickets[first] for later, first in repeats.find_repeats(complaints, since=start).items()}
    assert found == {
        cases["c4"]: cases["c3"],    # the same citizen (the same phone, another channel), the same problem, c3 open
        cases["c12"]: cases["c11"],  # another citizen 150 m away, the same category, 4 days after c11 was resolved
        cases["c14"]: cases["c5"],   # the citizen named c5's ticket as the same problem
    }
    # not repeats: c2 (x again, a road after a lamp), c13 (a lamp 400 m away), c11 (ซอย 5 a year after c1)
    assert repeats.distance_metres(PIN, (PIN[0] + 150 / 111_195, PIN[1])) == pytest.approx(150, abs=1)
    built = report(db, "admin@example.go.th")
    assert built["handling"]["total"]["repeat"] == 3
    assert "250 เมตร" in built["handling"]["repeat_rule"] and "ผู้ร้องรายเดิมที่แจ้งปัญหาอื่นไม่นับ" in \
        built["handling"]["repeat_rule"]


# planted after the seed (numbers 101–): a bare village is no place, a precise one is; an officer's merge is a repeat
MORE = (
    Spec("m1", bkk(2026, 5, 4, 10), "line", "complaint", "environment", "in_progress", "m1", topics=("ขยะไม่เก็บ", "หมู่ 7")),
    Spec("m2", bkk(2026, 5, 6, 10), "line", "complaint", "environment", "new", "m2", topics=("ขยะไม่เก็บ", "หมู่ที่ 7")),
    Spec("m3", bkk(2026, 5, 7, 10), "line", "complaint", "environment", "new", "m3",
         topics=("ขยะไม่เก็บ", "หมู่ 7", "ซ.สุขใจ")),
    Spec("m4", bkk(2026, 5, 8, 10), "phone", "complaint", "environment", "new", "m4", topics=("ขยะล้นถัง", "ซอยสุขใจ")),
    Spec("m5", bkk(2026, 5, 11, 10), "line", "complaint", "public_works", "in_progress", "m5", topics=("ถนนเป็นหลุม",)),
)


def test_a_bare_village_is_no_place_and_a_merged_case_repeats_its_target(db: Database) -> None:
    """Two neighbours of หมู่ 7 with the same problem are not a repeat (a village is too much ground); the same soi is;
    a case an officer merged into another is a repeat of it, whatever the rule would say."""
    with db.session() as session:
        contacts: dict = {}
        more = {spec.key: store_case(session, spec, number=100 + n, contacts=contacts)
                for n, spec in enumerate(MORE, start=1)}
        session.add(CaseMerge(case_id=more["m5"].id, into_case_id=more["m1"].id, actor="env@example.go.th"))
        ids = {key: case.id for key, case in more.items()}
    assert repeats.precise_place("หมู่ 7") is None and repeats.precise_place("ตำบลสุเทพ") is None
    assert repeats.precise_place("ซอยสุขใจ") == "ซอยสุขใจ" and repeats.precise_place("หมู่บ้านสุขใจ") == "หมู่บ้านสุขใจ"
    with db.session() as session:
        start, end = fiscal_year_bounds(2569)
        complaints = repeats.load_complaints(session, agency=AGENCY, scoped=lambda query: query, start=start, end=end)
    found = repeats.find_repeats(complaints, since=start)
    assert {key: found.get(case_id) for key, case_id in ids.items()} == {
        "m1": None, "m2": None,   # the same problem in the same village, another citizen: not the same place
        "m3": None,               # m3 names ซอยสุขใจ in หมู่ 7 too, but nobody reported that soi before
        "m4": ids["m3"],          # another citizen, the same soi (written ซ. before), the same category, m3 open
        "m5": ids["m1"],          # merged by the environment unit into m1 (another category): the same problem
    }
    built = report(db, "admin@example.go.th")
    assert built["handling"]["total"]["repeat"] == 5 and built["handling"]["total"]["received"] == 15
    assert "ระบุเพียงหมู่ที่หรือตำบลไม่นับ" in built["handling"]["repeat_rule"]
    assert "เจ้าหน้าที่รวมเข้ากับเรื่องเดิม" in built["tables"]["handling_by_unit"]["definition"]


def _keys(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Seed keys by case id, from the tickets the seed gives in CASES order."""
    by_ticket = dict(session.execute(select(Case.ticket, Case.id)).tuples().all())
    return {spec.key: by_ticket[f"FS-{spec.created.astimezone(BANGKOK).year + 543}-{number:06d}"]
            for number, spec in enumerate(CASES, start=1)}
