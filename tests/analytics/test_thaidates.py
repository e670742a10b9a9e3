"""The periods analysts count by, their Thai labels, the period picker and date query parameters."""
from __future__ import annotations

import datetime as dt

import pytest

from agency.thaitime import ThaiDateError, day_label, month_label
from analytics.thaidates import (
    fiscal_year_label,
    named_period,
    parse_day_param,
    period_days,
    period_key,
    period_keys,
    period_label,
    quarter_label,
)

MARCH_15 = dt.date(2025, 3, 15)


def test_period_keys_bounds_and_labels() -> None:
    day = dt.date(2025, 10, 15)  # a Wednesday
    assert period_key(day, by="day") == "2025-10-15"
    assert period_key(day, by="week") == "2025-10-13"
    assert period_key(day, by="month") == "2025-10"
    assert period_key(day, by="quarter") == "2569-Q1"
    assert period_key(day, by="fiscal_year") == "2569"
    assert period_days("2025-02", by="month") == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert period_days("2025-10-13", by="week") == (dt.date(2025, 10, 13), dt.date(2025, 10, 19))
    assert period_keys(dt.date(2025, 9, 20), dt.date(2025, 11, 2), by="month") == ["2025-09", "2025-10", "2025-11"]
    assert period_keys(dt.date(2025, 9, 30), dt.date(2025, 10, 1), by="fiscal_year") == ["2568", "2569"]
    assert period_keys(dt.date(2025, 10, 1), dt.date(2025, 10, 3), by="day") == ["2025-10-01", "2025-10-02",
                                                                                   "2025-10-03"]
    assert period_label("2025-10", by="month") == "ต.ค. 68"
    assert period_label("2569-Q1", by="quarter") == "ไตรมาส 1/2569"
    assert period_label("2569", by="fiscal_year") == "ปีงบ 2569"
    assert period_label("2025-10-13", by="week") == "13–19 ต.ค. 68"
    assert period_label("2025-09-29", by="week") == "29 ก.ย.–5 ต.ค. 68"
    assert day_label(dt.date(2025, 3, 15)) == "15 มี.ค. 68"
    assert day_label(dt.date(2025, 3, 15), style="long") == "15 มีนาคม 2568"
    assert month_label(2025, 10, style="long") == "ตุลาคม 2568"
    assert quarter_label(2569, 1) == "ไตรมาส 1/2569"
    assert fiscal_year_label(2569, style="long") == "ปีงบประมาณ พ.ศ. 2569"
    with pytest.raises(ThaiDateError):
        period_key(day, by="decade")  # type: ignore[arg-type]
    with pytest.raises(ThaiDateError):
        period_days("2025-13", by="month")


def test_query_parameters_and_named_periods() -> None:
    assert parse_day_param("2025-03-15", name="from") == MARCH_15
    assert parse_day_param("2568-03-15", name="from") == MARCH_15
    for bad in ("15/03/2568", "", None, "2025-02-30"):
        with pytest.raises(ThaiDateError, match="from"):
            parse_day_param(bad, name="from")
    today = dt.date(2025, 11, 20)
    assert named_period("last7", today=today) == (dt.date(2025, 11, 14), today)
    assert named_period("last90", today=today) == (dt.date(2025, 8, 23), today)
    assert named_period("month", today=today) == (dt.date(2025, 11, 1), today)
    assert named_period("fiscal_year", today=today) == (dt.date(2025, 10, 1), today)
    assert named_period("quarter", today=today) == (dt.date(2025, 10, 1), today)
    assert named_period("2569", today=today) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    assert named_period("2569-Q3", today=today) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert named_period("2568-02", today=today) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    with pytest.raises(ThaiDateError, match="ไม่รู้จัก"):
        named_period("yesterday-ish", today=today)
