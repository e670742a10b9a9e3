"""Working days in Asia/Bangkok: Monday–Friday minus Thai public holidays and the agency's own days off."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import holidays

BANGKOK = ZoneInfo("Asia/Bangkok")
END_OF_WORKING_DAY = dt.time(16, 30)


class WorkingCalendar:
    """Counts working days the way a Thai government office does."""

    def __init__(self, *, extra_holidays: Iterable[dt.date] = ()) -> None:
        self._thai = holidays.country_holidays("TH", language="th")
        self._extra = frozenset(extra_holidays)

    def is_working_day(self, day: dt.date) -> bool:
        """True on Monday–Friday that is neither a public holiday nor an agency day off."""
        return day.weekday() < 5 and day not in self._thai and day not in self._extra

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's Thai name, if the day is one."""
        if day in self._extra:
            return "วันหยุดของหน่วยงาน"
        return self._thai.get(day)

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

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole working days after the day of `start` up to and including the day of `end` (Bangkok)."""
        first = start.astimezone(BANGKOK).date()
        last = end.astimezone(BANGKOK).date()
        count, day = 0, first
        while day < last:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def buddhist_year(moment: dt.datetime | dt.date) -> int:
    """The Buddhist Era year (พ.ศ.) of a moment in Bangkok."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(BANGKOK).date()
    return moment.year + 543


def fiscal_year_be(moment: dt.datetime | dt.date) -> int:
    """The Thai government fiscal year (Oct–Sep) in B.E.: 1 Oct 2025 – 30 Sep 2026 is 2569."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(BANGKOK).date()
    return moment.year + 543 + (1 if moment.month >= 10 else 0)
