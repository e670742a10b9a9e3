"""The Thai date field: day/month/B.E. year shown and read back, Thai digits, ISO days from links, Thai errors."""
from __future__ import annotations

import datetime as dt

import pytest

from web.thaidate import TypedDateError, be_day_text, parse_typed_day


def test_days_typed_as_people_type_them() -> None:
    day = dt.date(2026, 11, 4)
    assert be_day_text(day) == "4/11/2569" and parse_typed_day(be_day_text(day), label="วันที่") == day
    for typed in ("4/11/2569", "04/11/2569", " 4-11-2569 ", "๔/๑๑/๒๕๖๙", "4.11.2569", "2026-11-04", "2569-11-04"):
        assert parse_typed_day(typed, label="วันที่") == day, typed


@pytest.mark.parametrize(("typed", "words"), [
    ("", "กรุณาระบุวันที่เริ่มใช้"), ("4/11/2026", "กรุณาระบุปีเป็น พ.ศ. เช่น 4/11/2569"),
    ("11/04/2026", "พ.ศ."), ("31/2/2569", "ไม่มีวันที่ “31/2/2569” ในปฏิทิน"), ("พรุ่งนี้", "อ่านวันที่ “พรุ่งนี้” ไม่ได้"),
])
def test_wrong_days_are_refused_in_thai(typed: str, words: str) -> None:
    with pytest.raises(TypedDateError, match=words):
        parse_typed_day(typed, label="วันที่เริ่มใช้")
