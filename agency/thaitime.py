"""Thai time, defined once: Asia/Bangkok, the Buddhist Era, the fiscal year (Oct–Sep) and its quarters, working days
(Mon–Fri minus holidays), dates written in Thai, and dates read as Thai offices and their spreadsheets write them.

Reading a year:
- four digits: above 2400 it is Buddhist Era (พ.ศ. = ค.ศ. + 543), 1800–2200 is Christian Era; anything else is an error.
  An explicit "พ.ศ." or "ค.ศ." before the year decides on its own.
- two digits ("15/3/68", "15 มี.ค. 68"): Thai offices abbreviate the Buddhist year, so 68 is พ.ศ. 2568 (= 2025).
  Beside a Thai month name this always holds. For numeric dates the caller may say otherwise with
  `two_digit_era="ce"` (68 → 2068); `detect_era` gives that choice from a column's other values: when its
  four-digit years are Christian Era (2025…) and no Thai month name or B.E. year is seen, the column is C.E.
- day and month are Thai order (day first). A numeric date whose "month" is above 12 while its day is at most 12
  ("3/15/2025", as an English-locale export writes it) can only be month first, and is read so.
- Excel: datetime cells are taken as Bangkok wall-clock time (a cell whose year is above 2400 had a B.E. year typed into
  it and is moved back 543 years); plain numbers 20000–99999 are Excel serial days (1954–2173).
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

from classifier.thaiscript import THAI_DIGITS

BANGKOK = ZoneInfo("Asia/Bangkok")
END_OF_WORKING_DAY = dt.time(16, 30)
BE_OFFSET = 543  # Buddhist Era year = Common Era year + 543
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
               "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
Era = Literal["be", "ce"]

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXAMPLES = "เช่น 15/03/2568, 15 มี.ค. 68, 15 มีนาคม 2568 หรือ 2025-03-15"


class ThaiDateError(ValueError):
    """A date that cannot be read; the message is Thai and names the value."""


def shown_value(value: object) -> str:
    """The value as quoted back to the person, cut to a readable length."""
    text = str(value).strip()
    return text if len(text) <= 40 else text[:37] + "…"


class WorkingCalendar:
    """Counts working days the way a Thai government office does."""

    def __init__(self, *, extra_holidays: Iterable[dt.date] = ()) -> None:
        self._thai = holidays.country_holidays("TH", language="th")
        self._extra = frozenset(extra_holidays)
        self._running: dict[dt.date, int] = {}  # working days from an origin up to each day (fast differences)
        self._lock = threading.Lock()

    @property
    def days_off(self) -> frozenset[dt.date]:
        """The agency's own days off beside the national holidays."""
        return self._extra

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
    """First and last day (inclusive) of a B.E. fiscal year: 2569 → 1 Oct 2025, 30 Sep 2026."""
    if not 2400 < year_be < 2800:
        raise ThaiDateError(f"ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569 (ได้รับ {year_be})")
    return dt.date(year_be - BE_OFFSET - 1, 10, 1), dt.date(year_be - BE_OFFSET, 9, 30)


def fiscal_quarter(moment: dt.date) -> tuple[int, int]:
    """(fiscal year B.E., quarter 1–4) of a day (or of a moment's Bangkok day); quarter 1 is October–December."""
    day = bangkok_date(moment) if isinstance(moment, dt.datetime) else moment
    return fiscal_year(day), (day.month - 10) % 12 // 3 + 1


def fiscal_quarter_days(year_be: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a fiscal quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ThaiDateError(f"ไตรมาสต้องเป็น 1–4 (ได้รับ {quarter})")
    first, _ = fiscal_year_days(year_be)
    start = add_months(first, 3 * (quarter - 1))
    return start, add_months(start, 3) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def fiscal_year_bounds(year_be: int) -> tuple[dt.datetime, dt.datetime]:
    """The fiscal year's start and end (exclusive) as aware UTC moments: [1 Oct, 1 Oct next year) in Bangkok."""
    start = dt.datetime(year_be - 544, 10, 1, tzinfo=BANGKOK)
    end = dt.datetime(year_be - 543, 10, 1, tzinfo=BANGKOK)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def bangkok_date(moment: dt.datetime) -> dt.date:
    """The Bangkok calendar day of an instant (a naive datetime is taken as UTC, as the database stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BANGKOK).date()


def bangkok_day_range(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Inclusive Bangkok days `from`–`to` as a half-open UTC range [start, end) for queries."""
    if date_to < date_from:
        raise ThaiDateError(f"วันที่สิ้นสุด ({day_label(date_to)}) อยู่ก่อนวันที่เริ่มต้น ({day_label(date_from)})")
    start = dt.datetime.combine(date_from, dt.time(0, 0), tzinfo=BANGKOK).astimezone(dt.UTC)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0, 0), tzinfo=BANGKOK).astimezone(dt.UTC)
    return start, end


# ---------------------------------------------------------------- dates written in Thai


def thai_date(moment: dt.datetime | dt.date | str, *, short: bool = True, with_time: bool = False) -> str:
    """A date as Thai officers write it, in the Buddhist Era: "12 ธ.ค. 2569" (short) or "12 ธันวาคม 2569", with
    " เวลา 16.30 น." when asked; a moment (naive: UTC) is shown in Bangkok time, a string is an ISO day."""
    if isinstance(moment, str):
        moment = parse_day(moment)
    if isinstance(moment, dt.datetime):  # a naive moment is UTC, as the database stores it
        moment = (moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)).astimezone(BANGKOK)
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    text = f"{day.day} {(THAI_MONTHS_SHORT if short else THAI_MONTHS)[day.month - 1]} {day.year + BE_OFFSET}"
    return f"{text} เวลา {moment:%H.%M} น." if with_time and isinstance(moment, dt.datetime) else text


def parse_day(value: str) -> dt.date:
    """An ISO day ("2026-02-15", or the day of an ISO moment) as a date, with a Thai error for anything else."""
    try:
        return dt.date.fromisoformat(value[:10])
    except (TypeError, ValueError) as error:
        raise ThaiDateError(f"วันที่ “{value}” ไม่อยู่ในรูปแบบ ปปปป-ดด-วว") from error


def day_label(moment: dt.date, *, style: Literal["short", "long"] = "short") -> str:
    """A day in Thai with the B.E. year: "15 มี.ค. 68" (short, as chart axes show it) or "15 มีนาคม 2568" (long)."""
    day = bangkok_date(moment) if isinstance(moment, dt.datetime) else moment
    if style == "long":
        return thai_date(day, short=False)
    return f"{day.day} {THAI_MONTHS_SHORT[day.month - 1]} {(day.year + BE_OFFSET) % 100:02d}"


def month_label(year: int, month: int, *, style: Literal["short", "long"] = "short") -> str:
    """A month in Thai with the B.E. year: "ต.ค. 68" or "ตุลาคม 2568" (year is C.E.)."""
    if style == "long":
        return f"{THAI_MONTHS[month - 1]} {year + BE_OFFSET}"
    return f"{THAI_MONTHS_SHORT[month - 1]} {(year + BE_OFFSET) % 100:02d}"


# ---------------------------------------------------------------- dates read as Thai offices write them


def _month_words() -> dict[str, int]:
    """Every spelling of a month name seen in Thai spreadsheets, without dots or spaces, mapped to 1–12."""
    words: dict[str, int] = {}
    colloquial = ("มกรา", "กุมภา", "มีนา", "เมษา", "พฤษภา", "มิถุนา", "กรกฎา", "สิงหา", "กันยา", "ตุลา", "พฤศจิกา",
                  "ธันวา")
    english = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
    for number, (full, short, colloq, eng) in enumerate(zip(THAI_MONTHS, THAI_MONTHS_SHORT, colloquial, english), 1):
        for word in (full, short, colloq, eng, eng[:3], "sept" if number == 9 else eng[:3]):
            words[word.replace(".", "").replace(" ", "")] = number
    return words


_MONTH_WORDS = _month_words()
_THAI_MONTH_RE = re.compile("|".join(sorted((re.escape(m) for m in THAI_MONTHS), key=len, reverse=True))
                            + r"|[มกพสตธ]\.?\s?[คพย]\.|มี\.?\s?ค\.|เม\.?\s?ย\.|มิ\.?\s?ย\.")
_CLOCK = r"(?P<hh>\d{1,2})[:.](?P<mm>\d{2})(?:[:.](?P<ss>\d{2})(?:\.\d+)?)?\s*(?P<ampm>น\.?|นาฬิกา|[ap]\.?m\.?)?"
_TIME = r"(?:\s*,?\s*(?:เวลา\s*)?" + _CLOCK + ")?"
_NUMERIC_RE = re.compile(r"^(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4}|\d{2})" + _TIME + "$")
_ISO_RE = re.compile(
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:(?:t|\s+)" + _CLOCK + r")?\s*(?P<tz>z|[+\-]\d{2}:?\d{2})?$"
)
_ERA = r"(?P<era>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|ปี|b\.?e\.?|a\.?d\.?)?"
_WORDY_RE = re.compile(
    r"^(?:วัน[ก-๙]*\s*)?(?:ที่\s*)?(?P<d>\d{1,2})\s*(?P<mon>[a-z\u0E00-\u0E2F\u0E30-\u0E4E]+\.?(?:\s?[\u0E00-\u0E2F\u0E30-\u0E4E]+\.?)?)"
    r"\s*" + _ERA + r"\s*(?P<y>\d{4}|\d{2})" + _TIME + "$"
)
_ENGLISH_RE = re.compile(r"^(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})" + _TIME + "$")
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")
_SPACES_RE = re.compile(r"\s+")


def _year(raw: str, *, era: str | None, two_digit_era: Era, value: object) -> int:
    """The Christian-Era year for the year digits as written (see the module's rules)."""
    year = int(raw)
    if era is not None:
        era = era.replace(".", "").replace(" ", "")
    if len(raw) == 2:
        if era in ("คศ", "ad") or (era is None and two_digit_era == "ce"):
            return 2000 + year
        return 2500 + year - BE_OFFSET
    if era in ("พศ", "be") or (era in (None, "ปี") and year > 2400):
        if year <= 2400:
            raise ThaiDateError(f"ปี พ.ศ. {year} ใน “{shown_value(value)}” ไม่ถูกต้อง")
        return year - BE_OFFSET
    if 1800 <= year <= 2200:
        return year
    raise ThaiDateError(f"ปี {year} ใน “{shown_value(value)}” ไม่ใช่ทั้ง พ.ศ. และ ค.ศ. ({_EXAMPLES})")


def _time(match: re.Match[str], value: object) -> dt.time:
    """The time of day written after the date, or midnight."""
    if match.group("hh") is None:
        return dt.time(0, 0)
    hour, minute = int(match.group("hh")), int(match.group("mm"))
    second = int(match.group("ss") or 0)
    ampm = (match.group("ampm") or "").replace(".", "")
    if ampm in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise ThaiDateError(f"เวลาใน “{shown_value(value)}” ไม่ถูกต้อง")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ThaiDateError(f"เวลาใน “{shown_value(value)}” ไม่ถูกต้อง (ชั่วโมง 0–23 นาที 0–59)")
    return dt.time(hour, minute, second)


def _build(year: int, month: int, day: int, at: dt.time, value: object) -> dt.datetime:
    """A Bangkok datetime, or a Thai error naming the day that does not exist."""
    if not 1 <= month <= 12:
        raise ThaiDateError(f"เดือน {month} ใน “{shown_value(value)}” ไม่ถูกต้อง (ต้องเป็น 1–12)")
    try:
        return dt.datetime.combine(dt.date(year, month, day), at, tzinfo=BANGKOK)
    except ValueError:
        raise ThaiDateError(
            f"ไม่มีวันที่ {day} {THAI_MONTHS[month - 1]} พ.ศ. {year + BE_OFFSET} (“{shown_value(value)}”)"
        ) from None


def _from_cell(value: dt.date) -> dt.datetime:
    """A spreadsheet's date or datetime cell as a Bangkok datetime (B.E. years typed into Excel moved back)."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is None else value.astimezone(BANGKOK).replace(tzinfo=None)
    else:
        moment = dt.datetime.combine(value, dt.time(0, 0))
    if moment.year > 2400:
        moment = moment.replace(year=moment.year - BE_OFFSET)
    return moment.replace(tzinfo=BANGKOK)


def _from_serial(serial: float, value: object) -> dt.datetime:
    """An Excel serial day number (1900 date system) as a Bangkok datetime."""
    if not 20000 <= serial < 100000:
        raise ThaiDateError(f"ตัวเลข “{shown_value(value)}” ไม่ใช่วันที่ ({_EXAMPLES})")
    return (_EXCEL_EPOCH + dt.timedelta(seconds=round(serial * 86400))).replace(tzinfo=BANGKOK)


def parse_thai_datetime(value: object, *, two_digit_era: Era = "be") -> dt.datetime:
    """Read a date (and time) as Thai spreadsheets write it; an aware datetime in Asia/Bangkok, midnight when no time."""
    if isinstance(value, dt.date):
        return _from_cell(value)
    if isinstance(value, bool) or value is None:
        raise ThaiDateError("ไม่มีวันที่")
    if isinstance(value, int | float):
        return _from_serial(float(value), value)
    text = _SPACES_RE.sub(" ", str(value).translate(THAI_DIGITS).strip().lower())
    if not text:
        raise ThaiDateError("ไม่มีวันที่")
    if _SERIAL_RE.match(text):
        return _from_serial(float(text), value)
    if match := _ISO_RE.match(text):
        year = _year(match.group("y"), era=None, two_digit_era=two_digit_era, value=value)
        moment = _build(year, int(match.group("m")), int(match.group("d")), _time(match, value), value)
        if tz := match.group("tz"):
            offset = dt.UTC if tz == "z" else dt.datetime.strptime(tz.replace(":", ""), "%z").tzinfo
            moment = moment.replace(tzinfo=offset).astimezone(BANGKOK)
        return moment
    if match := _NUMERIC_RE.match(text):
        day, month = int(match.group("d")), int(match.group("m"))
        if month > 12 >= day:
            day, month = month, day
        year = _year(match.group("y"), era=None, two_digit_era=two_digit_era, value=value)
        return _build(year, month, day, _time(match, value), value)
    match = _WORDY_RE.match(text) or _ENGLISH_RE.match(text)
    if match:
        month = _MONTH_WORDS.get(match.group("mon").replace(".", "").replace(" ", ""))
        if month is None:
            raise ThaiDateError(f"ไม่รู้จักชื่อเดือน “{match.group('mon')}” ใน “{shown_value(value)}” ({_EXAMPLES})")
        thai_month = re.search("[\u0E00-\u0E7F]", match.group("mon")) is not None
        era = match.groupdict().get("era")
        year = _year(match.group("y"), era=era, two_digit_era="be" if thai_month else "ce", value=value)
        return _build(year, month, int(match.group("d")), _time(match, value), value)
    raise ThaiDateError(f"อ่านวันที่ “{shown_value(value)}” ไม่ได้ ({_EXAMPLES})")


def parse_thai_date(value: object, *, two_digit_era: Era = "be") -> dt.date:
    """Read a date as Thai spreadsheets write it (any time of day is dropped)."""
    return parse_thai_datetime(value, two_digit_era=two_digit_era).date()


def detect_era(values: Iterable[object]) -> Era:
    """The era of a column's two-digit years: "ce" only when its four-digit years are C.E. and nothing says B.E."""
    be = ce = 0
    for value in values:
        if not isinstance(value, str):
            continue
        text = value.translate(THAI_DIGITS)
        if _THAI_MONTH_RE.search(text) or "พ.ศ" in text:
            be += 1
            continue
        for year in re.findall(r"(?<!\d)(\d{4})(?!\d)", text):
            if int(year) > 2400:
                be += 1
            elif 1800 <= int(year) <= 2200:
                ce += 1
    return "ce" if ce > 0 and be == 0 else "be"


# ---------------------------------------------------------------- instants and days in Bangkok
