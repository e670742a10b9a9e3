"""Dates people type in our forms: shown and read in the Buddhist Era ("4/11/2569"), with Thai errors.

One field for every form where a person types a day (the dashboard's custom range, the improvement register): a
text box showing day/month/B.E. year, read back from that, from Thai digits, or from an ISO day in a link
("2025-11-04"; "2569-11-04" is B.E.). A four-digit year below 2400 typed by hand is a C.E. year: refused in Thai.
"""
from __future__ import annotations

import datetime as dt
import re

from classifier.thaiscript import THAI_DIGITS

BE_OFFSET = 543
PLACEHOLDER = "วว/ดด/ปปปป เช่น 4/11/2569"
_TYPED = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class TypedDateError(ValueError):
    """A typed date that cannot be read; the message is polite Thai, naming the field."""


def be_day_text(day: dt.date | None) -> str:
    """A day as the field shows it: "4/11/2569"."""
    return "" if day is None else f"{day.day}/{day.month}/{day.year + BE_OFFSET}"


def parse_typed_day(text: str | None, *, label: str) -> dt.date:
    """The day a person typed as day/month/B.E. year (or an ISO day from a link), else TypedDateError in Thai."""
    raw = (text or "").strip()
    folded = raw.translate(THAI_DIGITS)
    if not folded:
        raise TypedDateError(f"กรุณาระบุ{label} เช่น 4/11/2569")
    if match := _ISO.fullmatch(folded):
        year, month, day = (int(part) for part in match.groups())
        year = year - BE_OFFSET if year > 2400 else year
    elif match := _TYPED.fullmatch(folded):
        day, month, year = (int(part) for part in match.groups())
        if year < 2400:
            raise TypedDateError(f"{label}: กรุณาระบุปีเป็น พ.ศ. เช่น {day}/{month}/{year + BE_OFFSET} "
                                 f"(“{raw}” เป็นปี ค.ศ.)")
        year -= BE_OFFSET
    else:
        raise TypedDateError(f"{label}: อ่านวันที่ “{raw}” ไม่ได้ กรุณาพิมพ์เป็น วัน/เดือน/ปี พ.ศ. เช่น 4/11/2569")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise TypedDateError(f"{label}: ไม่มีวันที่ “{raw}” ในปฏิทิน กรุณาตรวจสอบวันและเดือนอีกครั้ง") from None
