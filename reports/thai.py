"""Thai formatting for reports: Buddhist Era dates, fiscal years, quarters, Thai digits, numbers and shares."""
from __future__ import annotations

import datetime as dt
import unicodedata

from agency.thaitime import BANGKOK, BE_OFFSET, fiscal_year_days
from agency.thaitime import THAI_MONTHS as MONTHS
from agency.thaitime import THAI_MONTHS_SHORT as MONTHS_SHORT

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
EMPTY_TEXT = "ไม่มีข้อมูลในปีงบประมาณนี้"
NO_VALUE = "–"


def thai_digits(text: str | int) -> str:
    """The same text with Thai digits (๐–๙)."""
    return str(text).translate(_THAI_DIGITS)


def parse_day(value: str) -> dt.date:
    """An ISO day ("2026-02-15") as a date, with a Thai error for anything else."""
    try:
        return dt.date.fromisoformat(value[:10])
    except (TypeError, ValueError) as error:
        raise ValueError(f"วันที่ “{value}” ไม่อยู่ในรูปแบบ ปปปป-ดด-วว") from error


def thai_date(day: dt.date | str, *, short: bool = True) -> str:
    """A day in Thai with the Buddhist Era year: "15 ก.พ. 2569" (short) or "15 กุมภาพันธ์ 2569"."""
    if isinstance(day, str):
        day = parse_day(day)
    months = MONTHS_SHORT if short else MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year + BE_OFFSET}"


def thai_moment(value: str) -> str:
    """An ISO moment shown in Bangkok time: "21 พฤศจิกายน 2568 เวลา 14:05 น."."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"เวลา “{value}” ไม่อยู่ในรูปแบบ ISO 8601") from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(BANGKOK)
    return f"{thai_date(moment.date(), short=False)} เวลา {moment:%H:%M} น."


def fiscal_year_text(fiscal_year: int, *, short: bool = False) -> str:
    """"ปีงบประมาณ พ.ศ. 2569 (1 ตุลาคม 2568 – 30 กันยายน 2569)"."""
    start, end = fiscal_year_days(fiscal_year)
    return f"ปีงบประมาณ พ.ศ. {fiscal_year} ({thai_date(start, short=short)} – {thai_date(end, short=short)})"


def period_text(start: str, end: str) -> str:
    """An inclusive period in Thai: "1 ต.ค. 2566 – 30 ก.ย. 2569"."""
    return f"{thai_date(start)} – {thai_date(end)}"


def fiscal_months(fiscal_year: int) -> list[str]:
    """The twelve months of a fiscal year as short Thai headings, October first: "ต.ค. 68" … "ก.ย. 69"."""
    start, _ = fiscal_year_days(fiscal_year)
    labels = []
    for offset in range(12):
        month = (start.month - 1 + offset) % 12
        year = start.year + (start.month - 1 + offset) // 12 + BE_OFFSET
        labels.append(f"{MONTHS_SHORT[month]} {year % 100:02d}")
    return labels


def quarter_text(fiscal_year: int, quarter: int) -> str:
    """"ไตรมาส 1 (ต.ค.–ธ.ค. 2568)" for quarter 1 of fiscal year 2569."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"ไตรมาสต้องเป็น 1 ถึง 4 ไม่ใช่ {quarter}")
    start, _ = fiscal_year_days(fiscal_year)
    first = (start.month - 1 + 3 * (quarter - 1)) % 12
    last = (first + 2) % 12
    year = start.year + (start.month - 1 + 3 * (quarter - 1)) // 12 + BE_OFFSET
    return f"ไตรมาส {quarter} ({MONTHS_SHORT[first]}–{MONTHS_SHORT[last]} {year})"


def count_text(value: float | None) -> str:
    """A count with thousands separators: "1,234"."""
    return NO_VALUE if value is None else f"{value:,.0f}"


def share_text(value: float | None) -> str:
    """A fraction of 1 as a percentage: 0.4213 → "42.1%"."""
    return NO_VALUE if value is None else f"{value * 100:.1f}%"


def days_text(value: float | None) -> str:
    """Working days with one decimal: "2.5"."""
    return NO_VALUE if value is None else f"{value:,.1f}"


def display_width(text: str) -> int:
    """Columns a Thai string takes on screen: vowels and tone marks above or below a letter take none."""
    return sum(1 for char in text if unicodedata.category(char) != "Mn")
