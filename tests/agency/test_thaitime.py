"""Thai time without a server: working days (weekends, Songkran, agency days off), Buddhist Era, fiscal years."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from agency.thaitime import BANGKOK, WorkingCalendar, buddhist_year, fiscal_year, fiscal_year_bounds, thai_date


def bangkok(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BANGKOK)


def test_weekends_are_not_working_days() -> None:
    calendar = WorkingCalendar()
    friday = bangkok(2026, 3, 6, 15, 0)
    assert calendar.add_working_days(friday, 1) == bangkok(2026, 3, 9, 16, 30)  # Monday
    assert calendar.add_working_days(bangkok(2026, 3, 7, 10, 0), 1) == bangkok(2026, 3, 9, 16, 30)  # Saturday
    assert calendar.add_working_days(friday, 15) == bangkok(2026, 3, 27, 16, 30)  # three weeks later


def test_songkran_and_an_agency_day_off_push_the_deadline() -> None:
    before_songkran = bangkok(2026, 4, 10, 9, 0)  # Friday; 13–15 April are Songkran, Monday to Wednesday
    assert WorkingCalendar().add_working_days(before_songkran, 1) == bangkok(2026, 4, 16, 16, 30)
    with_local_festival = WorkingCalendar(extra_holidays=[dt.date(2026, 4, 16)])
    assert with_local_festival.add_working_days(before_songkran, 1) == bangkok(2026, 4, 17, 16, 30)
    assert with_local_festival.holiday_name(dt.date(2026, 4, 16)) == "วันหยุดของหน่วยงาน"
    # 15 working days: 16–17, 20–24, 27–30 April (11), not 1 May (Labour Day) nor 4 May (Coronation Day), 5–8 May.
    assert WorkingCalendar().add_working_days(before_songkran, 15) == bangkok(2026, 5, 8, 16, 30)
    assert with_local_festival.add_working_days(before_songkran, 15) == bangkok(2026, 5, 11, 16, 30)


def test_buddhist_era_and_fiscal_year_follow_bangkok_time() -> None:
    assert buddhist_year(dt.date(2026, 1, 1)) == 2569
    # 30 Sep 2026 23:30 in Bangkok is still fiscal 2569; one hour later it is 2570 (UTC is still 30 Sep there).
    assert fiscal_year(bangkok(2026, 9, 30, 23, 30)) == 2569
    assert fiscal_year(bangkok(2026, 10, 1, 0, 30)) == 2570
    assert fiscal_year(dt.datetime(2026, 9, 30, 17, 30, tzinfo=dt.UTC)) == 2570
    assert fiscal_year(dt.date(2025, 10, 1)) == 2569 and fiscal_year(dt.date(2025, 9, 30)) == 2568
    start, end = fiscal_year_bounds(2569)
    assert start == bangkok(2025, 10, 1) and end == bangkok(2026, 10, 1)
    assert fiscal_year(start) == 2569 and fiscal_year(end - dt.timedelta(microseconds=1)) == 2569


def test_thai_dates_are_in_the_buddhist_era() -> None:
    moment = bangkok(2026, 12, 12, 16, 30)
    assert thai_date(moment) == "12 ธ.ค. 2569"
    assert thai_date(moment, with_time=True) == "12 ธ.ค. 2569 เวลา 16.30 น."


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)), st.integers(0, 400)),
                min_size=1, max_size=12))
def test_working_days_between_counts_like_walking_the_calendar(pairs: list[tuple[dt.date, int]]) -> None:
    calendar = WorkingCalendar(extra_holidays=[dt.date(2026, 6, 1)])  # one table, asked in any order
    for start, span in pairs:
        end = start + dt.timedelta(days=span)
        walked = sum(calendar.is_working_day(start + dt.timedelta(days=n)) for n in range(1, span + 1))
        assert calendar.working_days_between(start, end) == walked
        assert calendar.working_days_between(end, start) == 0
