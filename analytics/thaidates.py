"""Thai dates as agencies' spreadsheets write them, and the periods analysts count by (Asia/Bangkok, B.E., fiscal years).

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
from collections.abc import Iterable
from typing import Literal

from agency.thaitime import BANGKOK, BE_OFFSET, THAI_MONTHS, THAI_MONTHS_SHORT, fiscal_year
from classifier.text import THAI_DIGITS

PeriodKind = Literal["day", "week", "month", "quarter", "fiscal_year"]
PERIOD_KINDS: tuple[str, ...] = ("day", "week", "month", "quarter", "fiscal_year")
Era = Literal["be", "ce"]

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXAMPLES = "เช่น 15/03/2568, 15 มี.ค. 68, 15 มีนาคม 2568 หรือ 2025-03-15"


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


class ThaiDateError(ValueError):
    """A date that cannot be read; the message is Thai and names the value."""


def _shown(value: object) -> str:
    """The value as quoted back to the person, cut to a readable length."""
    text = str(value).strip()
    return text if len(text) <= 40 else text[:37] + "…"


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
            raise ThaiDateError(f"ปี พ.ศ. {year} ใน “{_shown(value)}” ไม่ถูกต้อง")
        return year - BE_OFFSET
    if 1800 <= year <= 2200:
        return year
    raise ThaiDateError(f"ปี {year} ใน “{_shown(value)}” ไม่ใช่ทั้ง พ.ศ. และ ค.ศ. ({_EXAMPLES})")


def _time(match: re.Match[str], value: object) -> dt.time:
    """The time of day written after the date, or midnight."""
    if match.group("hh") is None:
        return dt.time(0, 0)
    hour, minute = int(match.group("hh")), int(match.group("mm"))
    second = int(match.group("ss") or 0)
    ampm = (match.group("ampm") or "").replace(".", "")
    if ampm in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise ThaiDateError(f"เวลาใน “{_shown(value)}” ไม่ถูกต้อง")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ThaiDateError(f"เวลาใน “{_shown(value)}” ไม่ถูกต้อง (ชั่วโมง 0–23 นาที 0–59)")
    return dt.time(hour, minute, second)


def _build(year: int, month: int, day: int, at: dt.time, value: object) -> dt.datetime:
    """A Bangkok datetime, or a Thai error naming the day that does not exist."""
    if not 1 <= month <= 12:
        raise ThaiDateError(f"เดือน {month} ใน “{_shown(value)}” ไม่ถูกต้อง (ต้องเป็น 1–12)")
    try:
        return dt.datetime.combine(dt.date(year, month, day), at, tzinfo=BANGKOK)
    except ValueError:
        raise ThaiDateError(
            f"ไม่มีวันที่ {day} {THAI_MONTHS[month - 1]} พ.ศ. {year + BE_OFFSET} (“{_shown(value)}”)"
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
        raise ThaiDateError(f"ตัวเลข “{_shown(value)}” ไม่ใช่วันที่ ({_EXAMPLES})")
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
            raise ThaiDateError(f"ไม่รู้จักชื่อเดือน “{match.group('mon')}” ใน “{_shown(value)}” ({_EXAMPLES})")
        thai_month = re.search("[\u0E00-\u0E7F]", match.group("mon")) is not None
        era = match.groupdict().get("era")
        year = _year(match.group("y"), era=era, two_digit_era="be" if thai_month else "ce", value=value)
        return _build(year, month, int(match.group("d")), _time(match, value), value)
    raise ThaiDateError(f"อ่านวันที่ “{_shown(value)}” ไม่ได้ ({_EXAMPLES})")


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


def parse_day_param(value: str | None, *, name: str) -> dt.date:
    """A query parameter YYYY-MM-DD (a B.E. year above 2400 is accepted too), with a Thai error naming the parameter."""
    text = (value or "").strip().translate(THAI_DIGITS)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if not match:
        raise ThaiDateError(f"ค่า {name} ต้องเป็นวันที่รูปแบบ YYYY-MM-DD เช่น 2025-03-15 (ได้รับ “{_shown(value or '')}”)")
    try:
        return parse_thai_date(text)
    except ThaiDateError as error:
        raise ThaiDateError(f"ค่า {name}: {error}") from None


# ---------------------------------------------------------------- fiscal years and periods


def _day(moment: dt.date) -> dt.date:
    """A date, or the Bangkok day of a datetime."""
    return bangkok_date(moment) if isinstance(moment, dt.datetime) else moment


def fiscal_year_days(year: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a B.E. fiscal year (agency.thaitime.fiscal_year_bounds gives UTC moments)."""
    _check_fiscal_year(year)
    ce = year - BE_OFFSET
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


def fiscal_quarter(moment: dt.date) -> tuple[int, int]:
    """(fiscal year B.E., quarter 1–4) of a day; quarter 1 is October–December."""
    day = _day(moment)
    return fiscal_year(day), (day.month - 10) % 12 // 3 + 1


def fiscal_quarter_days(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a fiscal quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ThaiDateError(f"ไตรมาสต้องเป็น 1–4 (ได้รับ {quarter})")
    first, _ = fiscal_year_days(year)
    start = _add_months(first, 3 * (quarter - 1))
    return start, _add_months(start, 3) - dt.timedelta(days=1)


def _check_fiscal_year(year: int) -> None:
    """Refuse a fiscal year that is not a plausible B.E. year."""
    if not 2400 < year < 2800:
        raise ThaiDateError(f"ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569 (ได้รับ {year})")


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_key(moment: dt.date, *, by: PeriodKind) -> str:
    """The sortable key of the period holding a day: 2025-03-15 / week's Monday 2025-03-10 / 2025-03 / 2569-Q2 / 2569."""
    day = _day(moment)
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
            return first, _add_months(first, 1) - dt.timedelta(days=1)
        if by == "quarter":
            year, quarter = key.split("-Q")
            return fiscal_quarter_days(int(year), int(quarter))
        if by == "fiscal_year":
            return fiscal_year_days(int(key))
    except (ValueError, IndexError):
        raise ThaiDateError(f"รหัสช่วงเวลา “{_shown(key)}” ไม่ถูกต้องสำหรับ {by}") from None
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


def day_label(moment: dt.date, *, style: Literal["short", "long"] = "short") -> str:
    """A day in Thai with the B.E. year: "15 มี.ค. 68" (short) or "15 มีนาคม 2568" (long)."""
    day = _day(moment)
    if style == "long":
        return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"
    return f"{day.day} {THAI_MONTHS_SHORT[day.month - 1]} {(day.year + BE_OFFSET) % 100:02d}"


def month_label(year: int, month: int, *, style: Literal["short", "long"] = "short") -> str:
    """A month in Thai with the B.E. year: "ต.ค. 68" or "ตุลาคม 2568" (year is C.E.)."""
    if style == "long":
        return f"{THAI_MONTHS[month - 1]} {year + BE_OFFSET}"
    return f"{THAI_MONTHS_SHORT[month - 1]} {(year + BE_OFFSET) % 100:02d}"


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
            raise ThaiDateError(f"เดือนใน “{_shown(spec)}” ไม่ถูกต้อง")
        return period_days(f"{year:04d}-{match.group(2)}", by="month")
    raise ThaiDateError(
        f"ช่วงเวลา “{_shown(spec)}” ไม่รู้จัก (ใช้ได้ เช่น last7, last30, last90, month, fiscal_year, 2569, 2569-Q1, 2025-03)"
    )
