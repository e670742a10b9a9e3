"""Trending issues: phrases and places a person would name, counts against the preceding period, examples."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from analytics.trends import (
    IssueKey,
    TopicMessage,
    baseline_range,
    canonical_issue,
    compare_counts,
    examples_from_messages,
    issue_key,
    period_counts,
    place_of,
    rank_issues,
    rollup,
    split_key,
    trending_issues,
)


@pytest.mark.parametrize(("phrases", "key"), [
    (("น้ำประปาไม่ไหล", "ซอยสุขใจ"), "น้ำประปาไม่ไหล|ซอยสุขใจ"),
    (("น้ำไม่ไหล", "ซ.สุขใจ", "หมู่ 4"), "น้ำประปาไม่ไหล|ซอยสุขใจ"),
    (("ประปาไม่มาสองวันแล้ว", "ซ. สุขใจ"), "น้ำประปาไม่ไหล|ซอยสุขใจ"),
    (("ไฟทางดับ", "ถนนเทศบาล 3"), "ไฟถนนดับ|ถนนเทศบาล 3"),
    (("ไฟส่องสว่างไม่ติด", "ซอย 5", "หมู่ที่ 3"), "ไฟถนนดับ|ซอย 5 หมู่ 3"),
    (("ไฟถนนดับ",), "ไฟถนนดับ"),
    (("ขยะล้นถัง", "หน้าตลาดสดเทศบาล"), "ขยะไม่เก็บ|ตลาดสดเทศบาล"),
    (("ไม่มีคนมาเก็บขยะ", "ม.๗"), "ขยะไม่เก็บ|หมู่ 7"),
    (("ถนนเป็นหลุมเป็นบ่อ", "ถ.สุขุมวิท"), "ถนนเป็นหลุม|ถนนสุขุมวิท"),
    (("หมาจร", "ม.5"), "สุนัขจรจัด|หมู่ 5"),
    (("ท่อตัน", "ปากซอย 12"), "ท่อระบายน้ำอุดตัน|ซอย 12"),
    (("ไฟ", "ดับ", "ซอย 7"), "ไฟฟ้าดับ|ซอย 7"),
    (("เบี้ยยังชีพผู้สูงอายุ",), "เบี้ยยังชีพผู้สูงอายุ"),
    (("ภาษีที่ดิน", "ม.2"), "ภาษีที่ดิน|หมู่ 2"),
    (("สะพานชำรุด", "คลองสาม"), "สะพานชำรุด|คลองสาม"),
    (("ทะเบียนบ้าน", "ย้ายที่อยู่"), "ทะเบียนบ้าน"),
    (("เสียงดังครับ",), "เสียงดังรบกวน"),
])
def test_issue_keys_are_problems_with_places(phrases: tuple[str, ...], key: str) -> None:
    found = issue_key(phrases)
    assert found is not None and found.key == key
    assert split_key(key) == found


def test_no_problem_no_issue() -> None:
    assert issue_key(()) is None
    assert issue_key(("ซอยสุขใจ", "หมู่ 4")) is None
    assert issue_key(("", "  ")) is None


def test_places_and_problems_are_told_apart() -> None:
    assert place_of("ถนนเป็นหลุม") is None
    assert place_of("ตลาดสกปรก") is None
    assert place_of("หมู่บ้านสุขสันต์") == "หมู่บ้านสุขสันต์"
    assert place_of("ม.บ.ร่มเย็น") == "หมู่บ้านร่มเย็น"
    assert place_of("แถวโรงเรียนวัดใหม่") == "โรงเรียนวัดใหม่"
    assert canonical_issue("ไฟกิ่งดับมาสามคืน") == "ไฟถนนดับ"
    assert canonical_issue("ป้ายรถเมล์พังค่ะ") == "ป้ายรถเมล์พัง"
    assert IssueKey("ไฟถนนดับ", "ซอย 5").label == "ไฟถนนดับ ซอย 5"


def test_counts_against_the_baseline_are_shrunk_by_their_uncertainty() -> None:
    assert compare_counts(count=40, baseline_total=1)[2] == "rising"
    assert compare_counts(count=40, baseline_total=1)[1] > compare_counts(count=1100, baseline_total=1000)[1]
    assert compare_counts(count=110, baseline_total=100) == (100.0, 0.0, "steady")
    assert compare_counts(count=3, baseline_total=0)[2] == "steady"  # three messages prove nothing
    assert compare_counts(count=2, baseline_total=30)[2] == "falling"
    assert compare_counts(count=30, baseline_total=120, periods=4) == (30.0, 0.0, "steady")
    assert baseline_range(dt.date(2025, 10, 1), dt.date(2025, 10, 31), periods=2) == (dt.date(2025, 7, 31),
                                                                                       dt.date(2025, 9, 30))


def _history(seed: int = 1) -> list[TopicMessage]:
    """60 days of steady issues across places, then a water outage in one soi in the last week."""
    rng = random.Random(seed)
    start = dt.date(2025, 9, 1)
    steady = [
        (("ไฟทางดับ", "ซอย {n}"), "public_works", 3.0),
        (("ขยะไม่เก็บ", "หมู่ {n}"), "environment", 4.0),
        (("ถนนเป็นหลุม",), "public_works", 2.0),
        (("เบี้ยยังชีพผู้สูงอายุ",), "social_welfare", 2.5),
        (("หมาจร", "ม.{n}"), "environment", 1.0),
    ]
    messages: list[TopicMessage] = []
    case_id = 0
    for offset in range(61):
        day = start + dt.timedelta(days=offset)
        for phrases, unit, rate in steady:
            for _ in range(sum(rng.random() < rate / 4 for _ in range(4))):
                case_id += 1
                filled = tuple(p.format(n=rng.randint(1, 12)) for p in phrases)
                messages.append(TopicMessage(case_id, day, filled, unit, rng.choice(("line", "facebook"))))
        if offset >= 54:  # the outage
            for _ in range(6):
                case_id += 1
                phrases = rng.choice((("น้ำประปาไม่ไหล", "ซอยสุขใจ"), ("น้ำไม่ไหล", "ซ.สุขใจ", "หมู่ 4"),
                                      ("ประปาไม่มา", "ซอยสุขใจ")))
                messages.append(TopicMessage(case_id, day, phrases, "public_works", "line"))
        if offset % 9 == 0:  # the odd water complaint elsewhere
            case_id += 1
            messages.append(TopicMessage(case_id, day, ("น้ำไม่ไหล", "หมู่ 2"), "public_works", "phone"))
    return messages


def test_a_water_outage_in_one_soi_is_the_top_rising_issue_named_with_its_place() -> None:
    messages = _history()
    rows = rollup(messages)
    week = (dt.date(2025, 10, 25), dt.date(2025, 10, 31))
    topics = trending_issues(rows, date_from=week[0], date_to=week[1], baseline_periods=4,
                             examples=examples_from_messages(messages, date_from=week[0], date_to=week[1]))
    top = topics[0]
    assert top.label == "น้ำประปาไม่ไหล ซอยสุขใจ" and top.trend == "rising"
    assert top.count == 42 and top.baseline == 0.0 and top.score > 1
    assert len(top.case_ids) == 5 and len(set(top.case_ids)) == 5
    by_case = {m.case_id: m for m in messages}
    assert all(week[0] <= by_case[c].day <= week[1] for c in top.case_ids)
    # the outage holds most of the water complaints: its issue is not listed again without the place
    assert "น้ำประปาไม่ไหล" not in [t.label for t in topics]
    # steady issues follow, busiest first, with their places; nothing else is rising
    rest = topics[1:]
    assert {t.trend for t in rest} <= {"steady", "falling"}
    steady_counts = [t.count for t in rest if t.trend == "steady"]
    assert steady_counts == sorted(steady_counts, reverse=True)
    lights = next(t for t in rest if t.label == "ไฟถนนดับ")
    assert lights.places and lights.places[0][0].startswith("ซอย ")
    assert all(t.trend != "rising" for t in rest)


def test_counts_filtered_by_unit_and_channel_sum_to_the_rollup() -> None:
    messages = _history(seed=2)
    rows = rollup(messages)
    assert sum(r.count for r in rows) == len(messages)
    counts = period_counts(rows, date_from=dt.date(2025, 10, 1), date_to=dt.date(2025, 10, 31), unit="environment")
    assert {split_key(k).issue for k in counts} == {"ขยะไม่เก็บ", "สุนัขจรจัด"}
    phone = period_counts(rows, date_from=dt.date(2025, 9, 1), date_to=dt.date(2025, 10, 31), channel="phone")
    assert phone == {"น้ำประปาไม่ไหล|หมู่ 2": (7, 0)}


def test_a_falling_issue_is_listed_last() -> None:
    counts = {"ขยะไม่เก็บ": (5, 40), "ไฟถนนดับ": (20, 21), "ถนนเป็นหลุม|ซอย 3": (15, 1)}
    ranked = rank_issues(counts)
    assert [(t.label, t.trend) for t in ranked] == [("ถนนเป็นหลุม ซอย 3", "rising"), ("ไฟถนนดับ", "steady"),
                                                   ("ขยะไม่เก็บ", "falling")]
    assert ranked[0].as_dict()["case_ids"] == [] and ranked[0].as_dict()["label"] == "ถนนเป็นหลุม ซอย 3"


def test_a_rising_place_is_shown_beside_its_busy_issue() -> None:
    counts = {"ขยะไม่เก็บ|หมู่ 3": (12, 1), "ขยะไม่เก็บ|หมู่ 1": (15, 16), "ขยะไม่เก็บ": (20, 22)}
    labels = [(t.label, t.trend) for t in rank_issues(counts)]
    assert labels[0] == ("ขยะไม่เก็บ หมู่ 3", "rising")
    assert ("ขยะไม่เก็บ (พื้นที่อื่น)", "steady") in labels
    # the issue rises only because of that place: shown for its other places, it is steady
    ranked = rank_issues({"ขยะไม่เก็บ|หมู่ 7": (48, 2), "ขยะไม่เก็บ|หมู่ 1": (15, 14), "ขยะไม่เก็บ": (16, 15)})
    assert [(t.label, t.count, t.baseline, t.trend) for t in ranked] == [
        ("ขยะไม่เก็บ หมู่ 7", 48, 2.0, "rising"), ("ขยะไม่เก็บ (พื้นที่อื่น)", 31, 29.0, "steady")]
    assert ranked[1].places == (("หมู่ 1", 15),)
    assert rank_issues({}) == []


def test_ranking_many_keys_keeps_the_limit() -> None:
    rng = random.Random(3)
    counts = {f"ปัญหา{i % 1000}|ซอย {i // 1000}": (rng.randint(0, 30), rng.randint(0, 30)) for i in range(20_000)}
    topics = rank_issues(counts, baseline_periods=1, limit=20)  # its speed: bench/worst_cases.py
    assert len(topics) == 20 and len({t.key for t in topics}) == 20
