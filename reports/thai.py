"""Thai formatting for reports: Buddhist Era dates, fiscal years, quarters, Thai digits, numbers and shares."""
from __future__ import annotations

import datetime as dt

from agency.thaitime import (  # noqa: F401 — parse_day and thai_date are the reports' too
    BE_OFFSET,
    THAI_MONTHS_SHORT,
    fiscal_quarter_days,
    fiscal_year_days,
    month_label,
    parse_day,
    thai_date,
)
from web.charts import display_width  # noqa: F401 — the reports' measure of Thai text (reports.thai.…)

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
EMPTY_TEXT = "ไม่มีข้อมูลในปีงบประมาณนี้"
NO_VALUE = "–"


def thai_digits(text: str | int) -> str:
    """The same text with Thai digits (๐–๙)."""
    return str(text).translate(_THAI_DIGITS)


def thai_moment(value: str) -> str:
    """An ISO moment shown in Bangkok time: "21 พฤศจิกายน 2568 เวลา 14.05 น."."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"เวลา “{value}” ไม่อยู่ในรูปแบบ ISO 8601") from error
    return thai_date(moment, short=False, with_time=True)


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
    return [month_label(start.year + (start.month - 1 + offset) // 12, (start.month - 1 + offset) % 12 + 1)
            for offset in range(12)]


def quarter_text(fiscal_year: int, quarter: int) -> str:
    """"ไตรมาส 1 (ต.ค.–ธ.ค. 2568)" for quarter 1 of fiscal year 2569."""
    first, last = fiscal_quarter_days(fiscal_year, quarter)
    names = f"{THAI_MONTHS_SHORT[first.month - 1]}–{THAI_MONTHS_SHORT[last.month - 1]}"
    return f"ไตรมาส {quarter} ({names} {first.year + BE_OFFSET})"


def count_text(value: float | None) -> str:
    """A count with thousands separators: "1,234"."""
    return NO_VALUE if value is None else f"{value:,.0f}"


def share_text(value: float | None) -> str:
    """A fraction of 1 as a percentage: 0.4213 → "42.1%"."""
    return NO_VALUE if value is None else f"{value * 100:.1f}%"


def days_text(value: float | None) -> str:
    """Working days with one decimal: "2.5"."""
    return NO_VALUE if value is None else f"{value:,.1f}"
