"""Thai time: Asia/Bangkok, the Buddhist Era, the fiscal year (Oct–Sep) and working days (Mon–Fri minus holidays)."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import holidays
from pythainlp.util import thai_strftime

BANGKOK = ZoneInfo("Asia/Bangkok")
END_OF_WORKING_DAY = dt.time(16, 30)
BE_OFFSET = 543  # Buddhist Era year = Common Era year + 543
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
               "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


class WorkingCalendar:
    """Counts working days the way a Thai government office does."""

    def __init__(self, *, extra_holidays: Iterable[dt.date] = ()) -> None:
        self._thai = holidays.country_holidays("TH", language="th")
        self._extra = frozenset(extra_holidays)
        self._running: dict[dt.date, int] = {}  # working days from an origin up to each day (fast differences)
        self._lock = threading.Lock()

    def is_working_day(self, day: dt.date) -> bool:
        """True on Monday–Friday that is neither a public holiday nor an agency day off."""
        return day.weekday() < 5 and day not in self._thai and day not in self._extra

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's Thai name, if the day is one."""
        if day in self._extra:
            return "วันหยุดของหน่วยงาน"
        return self._thai.get(day)

    def working_days_between(self, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
        """Working days after the (Bangkok) day of `start` up to and including the day of `end`: 0 when answered
        the same day or before the next working day, 1 on the next working day, …"""
        first, last = (m.astimezone(BANGKOK).date() if isinstance(m, dt.datetime) else m for m in (start, end))
        if last <= first:
            return 0
        with self._lock:
            return self._running_count(last) - self._running_count(first)

    def _running_count(self, day: dt.date) -> int:
        """Working days from the origin to `day`, growing the table in either direction as needed."""
        running = self._running
        if not running:
            running[day] = 0
        if day not in running:
            if day > max(running):
                cursor = max(running)
                while cursor < day:
                    cursor += dt.timedelta(days=1)
                    running[cursor] = running[cursor - dt.timedelta(days=1)] + self.is_working_day(cursor)
            else:
                cursor = min(running)
                while cursor > day:
                    running[cursor - dt.timedelta(days=1)] = running[cursor] - self.is_working_day(cursor)
                    cursor -= dt.timedelta(days=1)
        return running[day]

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The deadline: the end of the Nth working day after the day of `start` (Bangkok time), in UTC."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        day = start.astimezone(BANGKOK).date()
        remaining = max(days, 0)
        if remaining == 0:
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return dt.datetime.combine(day, END_OF_WORKING_DAY, tzinfo=BANGKOK).astimezone(dt.UTC)


def buddhist_year(moment: dt.datetime | dt.date) -> int:
    """The Buddhist Era year (พ.ศ.) of a moment in Bangkok."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(BANGKOK).date()
    return moment.year + 543


def fiscal_year(moment: dt.datetime | dt.date) -> int:
    """The Thai government fiscal year (B.E.) a moment falls in: 1 Oct 2025 – 30 Sep 2026 is 2569."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(BANGKOK).date()
    return moment.year + 543 + (1 if moment.month >= 10 else 0)


def fiscal_year_days(year_be: int) -> tuple[dt.date, dt.date]:
    """First and last day of a B.E. fiscal year: 2569 → 1 Oct 2025, 30 Sep 2026."""
    return dt.date(year_be - BE_OFFSET - 1, 10, 1), dt.date(year_be - BE_OFFSET, 9, 30)


def fiscal_year_bounds(year_be: int) -> tuple[dt.datetime, dt.datetime]:
    """The fiscal year's start and end (exclusive) as aware UTC moments: [1 Oct, 1 Oct next year) in Bangkok."""
    start = dt.datetime(year_be - 544, 10, 1, tzinfo=BANGKOK)
    end = dt.datetime(year_be - 543, 10, 1, tzinfo=BANGKOK)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def thai_date(moment: dt.datetime, *, with_time: bool = False) -> str:
    """A date as Thai officers write it, in the Buddhist Era: 12 ธ.ค. 2569 (เวลา 16:30 น.)."""
    local = moment.astimezone(BANGKOK)
    return thai_strftime(local, "%-d %b %Y เวลา %H:%M น." if with_time else "%-d %b %Y")

