"""Thai dates as offices and their spreadsheets write them, fiscal years and quarters, Bangkok day boundaries."""
from __future__ import annotations

import datetime as dt

import pytest

from agency.thaitime import (
    BANGKOK,
    ThaiDateError,
    bangkok_date,
    bangkok_day_range,
    detect_era,
    fiscal_quarter,
    fiscal_quarter_days,
    fiscal_year,
    fiscal_year_days,
    parse_thai_date,
    parse_thai_datetime,
    thai_date,
)

MARCH_15 = dt.date(2025, 3, 15)


@pytest.mark.parametrize("value", [
    "15/03/2568", "15/3/68", "15 มี.ค. 68", "15 มีนาคม 2568", "2025-03-15", "15/03/2025", "15-03-2568", "15.03.2568",
    "๑๕/๐๓/๒๕๖๘", "15 มีค 68", "15 มี.ค 2568", "วันเสาร์ที่ 15 มีนาคม พ.ศ. 2568", "15 มีนา 68", "2568-03-15",
    "March 15, 2025", "15 Mar 2025", "3/15/2025", 45731, "45731", dt.date(2025, 3, 15), dt.date(2568, 3, 15),
    "  15/03/2568  ",
])
def test_every_spreadsheet_spelling_of_15_march_2025(value: object) -> None:
    assert parse_thai_date(value) == MARCH_15


@pytest.mark.parametrize(("value", "expected"), [
    ("15/03/2568 14:30", dt.datetime(2025, 3, 15, 14, 30)),
    ("15/03/2568 14.30 น.", dt.datetime(2025, 3, 15, 14, 30)),
    ("15 มีนาคม 2568 เวลา 09.05 น.", dt.datetime(2025, 3, 15, 9, 5)),
    ("2025-03-15 14:30:59", dt.datetime(2025, 3, 15, 14, 30, 59)),
    ("15 Mar 2025 2:30 pm", dt.datetime(2025, 3, 15, 14, 30)),
    (45731.75, dt.datetime(2025, 3, 15, 18, 0)),
    (dt.datetime(2025, 3, 15, 14, 30), dt.datetime(2025, 3, 15, 14, 30)),
])
def test_times_are_bangkok_wall_clock(value: object, expected: dt.datetime) -> None:
    assert parse_thai_datetime(value) == expected.replace(tzinfo=BANGKOK)


def test_explicit_offsets_and_aware_cells_are_converted_to_bangkok() -> None:
    assert parse_thai_datetime("2025-03-15T20:00:00Z") == dt.datetime(2025, 3, 16, 3, 0, tzinfo=BANGKOK)
    aware = dt.datetime(2025, 3, 15, 20, 0, tzinfo=dt.UTC)
    assert parse_thai_datetime(aware) == dt.datetime(2025, 3, 16, 3, 0, tzinfo=BANGKOK)


def test_two_digit_years_are_buddhist_unless_the_column_says_christian() -> None:
    assert parse_thai_date("15/3/68") == MARCH_15
    assert parse_thai_date("15/3/25", two_digit_era="ce") == MARCH_15
    # a Thai month name always means B.E., whatever the column's other values
    assert parse_thai_date("15 มี.ค. 68", two_digit_era="ce") == MARCH_15
    assert parse_thai_date("15 มี.ค. ค.ศ. 2025") == MARCH_15
    assert detect_era(["15/03/2025", "16/3/25", None, 45000]) == "ce"
    assert detect_era(["15/03/2568", "16/3/68"]) == "be"
    assert detect_era(["16/3/68", "15 มี.ค. 68", "15/03/2025"]) == "be"
    assert detect_era([]) == "be"


@pytest.mark.parametrize(("value", "words"), [
    ("31/02/2568", "ไม่มีวันที่ 31 กุมภาพันธ์ พ.ศ. 2568"),
    ("15/13/2568", "เดือน 13"),
    ("พรุ่งนี้", "อ่านวันที่ “พรุ่งนี้” ไม่ได้"),
    ("", "ไม่มีวันที่"),
    (None, "ไม่มีวันที่"),
    ("15/03/1500", "ไม่ใช่ทั้ง พ.ศ. และ ค.ศ."),
    ("15/03/2568 25:00", "เวลา"),
    ("15 ฟฟฟ 2568", "ไม่รู้จักชื่อเดือน"),
    (123, "ไม่ใช่วันที่"),
    ("2568", "อ่านวันที่"),
])
def test_unreadable_dates_raise_a_thai_error(value: object, words: str) -> None:
    with pytest.raises(ThaiDateError) as error:
        parse_thai_datetime(value)
    assert words in str(error.value)


def test_fiscal_year_turns_on_1_october() -> None:
    assert fiscal_year(dt.date(2025, 9, 30)) == 2568
    assert fiscal_year(dt.date(2025, 10, 1)) == 2569
    # 30 Sep 2025 17:30 UTC is already 1 Oct 00:30 in Bangkok
    assert fiscal_year(dt.datetime(2025, 9, 30, 17, 30, tzinfo=dt.UTC)) == 2569
    assert fiscal_year_days(2569) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    assert fiscal_quarter(dt.date(2025, 10, 1)) == (2569, 1)
    assert fiscal_quarter(dt.date(2026, 1, 1)) == (2569, 2)
    assert fiscal_quarter(dt.date(2026, 9, 30)) == (2569, 4)
    assert fiscal_quarter_days(2569, 2) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert fiscal_quarter_days(2569, 4) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    with pytest.raises(ThaiDateError):
        fiscal_year_days(2025)
    with pytest.raises(ThaiDateError):
        fiscal_quarter_days(2569, 5)


def test_bangkok_days_become_half_open_utc_ranges() -> None:
    start, end = bangkok_day_range(dt.date(2025, 10, 1), dt.date(2025, 10, 1))
    assert start == dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2025, 10, 1, 17, 0, tzinfo=dt.UTC)
    assert bangkok_date(dt.datetime(2025, 9, 30, 17, 0)) == dt.date(2025, 10, 1)  # naive = UTC
    assert bangkok_date(dt.datetime(2025, 9, 30, 16, 59, 59, tzinfo=dt.UTC)) == dt.date(2025, 9, 30)
    with pytest.raises(ThaiDateError, match="อยู่ก่อนวันที่เริ่มต้น"):
        bangkok_day_range(dt.date(2025, 10, 2), dt.date(2025, 10, 1))


def test_one_thai_date_for_moments_days_and_iso_days() -> None:
    assert thai_date(dt.datetime(2026, 12, 12, 9, 30)) == "12 ธ.ค. 2569"  # naive: UTC, as stored
    assert thai_date(dt.datetime(2026, 12, 12, 9, 30), with_time=True) == "12 ธ.ค. 2569 เวลา 16.30 น."
    assert thai_date(dt.date(2025, 12, 31), short=False) == "31 ธันวาคม 2568"
    assert thai_date("2026-02-15") == "15 ก.พ. 2569"
    with pytest.raises(ThaiDateError, match="ปปปป-ดด-วว"):
        thai_date("15/02/2569")
