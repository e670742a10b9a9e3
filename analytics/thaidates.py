"""The periods analysts count by (days, weeks, months, fiscal quarters and years), their Thai labels, and the
dashboard's period picker and query parameters; the Thai calendar itself is agency.thaitime's."""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from agency.thaitime import (
    BE_OFFSET,
    THAI_MONTHS_SHORT,
    ThaiDateError,
    add_months,
    bangkok_date,
    day_label,
    fiscal_quarter,
    fiscal_quarter_days,
    fiscal_year,
    fiscal_year_days,
    month_label,
    parse_thai_date,
    shown_value,
)
from classifier.thaiscript import THAI_DIGITS

PeriodKind = Literal["day", "week", "month", "quarter", "fiscal_year"]
PERIOD_KINDS: tuple[str, ...] = ("day", "week", "month", "quarter", "fiscal_year")


def parse_day_param(value: str | None, *, name: str) -> dt.date:
    """A query parameter YYYY-MM-DD (a B.E. year above 2400 is accepted too), with a Thai error naming the parameter."""
    text = (value or "").strip().translate(THAI_DIGITS)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if not match:
        raise ThaiDateError(f"ค่า {name} ต้องเป็นวันที่รูปแบบ YYYY-MM-DD เช่น 2025-03-15 (ได้รับ “{shown_value(value or '')}”)")
    try:
        return parse_thai_date(text)
    except ThaiDateError as error:
        raise ThaiDateError(f"ค่า {name}: {error}") from None


# ---------------------------------------------------------------- periods


def period_key(moment: dt.date, *, by: PeriodKind) -> str:
    """The sortable key of the period holding a day: 2025-03-15 / week's Monday 2025-03-10 / 2025-03 / 2569-Q2 / 2569."""
    day = bangkok_date(moment) if isinstance(moment, dt.datetime) else moment
    if by == "day":
        return day.isoformat()
    if by == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if by == "quarter":
        year, quarter = fiscal_quarter(day)
        return f"{year}-Q{quarter}"
    if by == "fiscal_year":
        return str(fiscal_year(day))
    raise ThaiDateError(f"ช่วงเวลา “{by}” ไม่รู้จัก (ใช้ได้: {', '.join(PERIOD_KINDS)})")


def period_days(key: str, *, by: PeriodKind) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the period with this key."""
    try:
        if by == "day":
            day = dt.date.fromisoformat(key)
            return day, day
        if by == "week":
            monday = dt.date.fromisoformat(key)
            return monday, monday + dt.timedelta(days=6)
        if by == "month":
            first = dt.date(int(key[:4]), int(key[5:7]), 1)
            return first, add_months(first, 1) - dt.timedelta(days=1)
        if by == "quarter":
            year, quarter = key.split("-Q")
            return fiscal_quarter_days(int(year), int(quarter))
        if by == "fiscal_year":
            return fiscal_year_days(int(key))
    except (ValueError, IndexError):
        raise ThaiDateError(f"รหัสช่วงเวลา “{shown_value(key)}” ไม่ถูกต้องสำหรับ {by}") from None
    raise ThaiDateError(f"ช่วงเวลา “{by}” ไม่รู้จัก (ใช้ได้: {', '.join(PERIOD_KINDS)})")


def period_keys(date_from: dt.date, date_to: dt.date, *, by: PeriodKind) -> list[str]:
    """Every period key from the one holding `date_from` to the one holding `date_to`, in order (for zero-filling)."""
    keys: list[str] = []
    day = date_from
    while day <= date_to:
        key = period_key(day, by=by)
        keys.append(key)
        day = period_days(key, by=by)[1] + dt.timedelta(days=1)
    return keys


# ---------------------------------------------------------------- Thai labels


def quarter_label(year: int, quarter: int) -> str:
    """A fiscal quarter in Thai: "ไตรมาส 1/2569"."""
    return f"ไตรมาส {quarter}/{year}"


def fiscal_year_label(year: int, *, style: Literal["short", "long"] = "short") -> str:
    """A fiscal year in Thai: "ปีงบ 2569" or "ปีงบประมาณ พ.ศ. 2569"."""
    return f"ปีงบประมาณ พ.ศ. {year}" if style == "long" else f"ปีงบ {year}"


def period_label(key: str, *, by: PeriodKind) -> str:
    """The Thai label of a period key, as chart axes and tables show it."""
    first, last = period_days(key, by=by)
    if by == "day":
        return day_label(first)
    if by == "week":
        return f"{first.day} {THAI_MONTHS_SHORT[first.month - 1]}–{day_label(last)}" if first.month != last.month \
            else f"{first.day}–{day_label(last)}"
    if by == "month":
        return month_label(first.year, first.month)
    if by == "quarter":
        year, quarter = key.split("-Q")
        return quarter_label(int(year), int(quarter))
    return fiscal_year_label(int(key))


def named_period(spec: str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dashboard's period picker: last7|last30|last90, month, fiscal_year, 2569 (FY), 2569-Q1, 2025-03 → (from, to)."""
    text = spec.strip().translate(THAI_DIGITS).lower()
    if match := re.fullmatch(r"last(\d{1,3})", text):
        days = int(match.group(1))
        if days < 1:
            raise ThaiDateError("จำนวนวันต้องมากกว่า 0")
        return today - dt.timedelta(days=days - 1), today
    if text == "month":
        return today.replace(day=1), today
    if text == "fiscal_year":
        return fiscal_year_days(fiscal_year(today))[0], today
    if text == "quarter":
        return fiscal_quarter_days(*fiscal_quarter(today))[0], today
    if re.fullmatch(r"\d{4}", text):
        return fiscal_year_days(int(text))
    if match := re.fullmatch(r"(\d{4})-q(\d)", text):
        return fiscal_quarter_days(int(match.group(1)), int(match.group(2)))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year = int(match.group(1))
        year = year - BE_OFFSET if year > 2400 else year
        if not 1 <= int(match.group(2)) <= 12:
            raise ThaiDateError(f"เดือนใน “{shown_value(spec)}” ไม่ถูกต้อง")
        return period_days(f"{year:04d}-{match.group(2)}", by="month")
    raise ThaiDateError(
        f"ช่วงเวลา “{shown_value(spec)}” ไม่รู้จัก (ใช้ได้ เช่น last7, last30, last90, month, fiscal_year, 2569, 2569-Q1, 2025-03)"
    )
