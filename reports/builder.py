"""The PMQA category 3 report computed from stored data at request time (never typed-in figures).

Counts per fiscal year are SQL aggregates over `cases`; times are working days between Bangkok days (the
agency's WorkingCalendar), measured case by case for one fiscal year. Officers get their own unit's data only;
readers who may not see personal data get free text masked (the report names no citizen in any case).
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.thaitime import BANGKOK, WorkingCalendar, fiscal_year_bounds
from agency.thaitime import fiscal_year as fiscal_year_of
from agency.vocabulary import (
    CASE_INTENTS,
    CHANNELS,
    INTENT_NAMES,
    OPEN_STATUSES,
    SURVEY_REASON_LABELS,
    channel_names,
)
from analytics.trends import issue_key
from cases.access import sees_personal_data
from cases.standards import published_standards, standard_for
from classifier.privacy import mask_personal_data
from conversation.models import Survey
from reports import repeats as repeat_rule
from reports.flow import complaint_flow
from reports.models import LINK_KINDS, Improvement
from reports.shape import TABLE_DEFINITIONS, TABLE_TITLES
from storage.models import Case, Unit, User

YEARS_COMPARED = 3
PARTIAL_GRACE = dt.timedelta(days=7)  # a history that starts within a week of 1 October covers the year
NO_GROUP = "ไม่ระบุ"
TOPICS_PER_QUARTER = 5
RESOLVED_STATUSES = ("resolved", "closed")
SOURCE_CASES = "ระบบฟังเสียง: เรื่องที่บันทึกทุกช่องทาง (ออนไลน์และที่เจ้าหน้าที่บันทึก) ณ วันที่จัดทำรายงาน"
SOURCE_HANDLING = ("ระบบฟังเสียง: เรื่องร้องเรียนของปีงบประมาณ เวลารับเรื่อง ตอบกลับครั้งแรก และดำเนินการแล้วเสร็จ "
                   "นับเป็นวันทำการ (จันทร์–ศุกร์ เว้นวันหยุดราชการและวันหยุดของหน่วยงาน)")
SOURCE_CATEGORIES = ("ระบบฟังเสียง: เรื่องร้องเรียนจำแนกตามหมวดเรื่องที่หน่วยงานกำหนด (คำสำคัญในข้อความและประเด็นของเรื่อง)"
                     " เรื่องที่ไม่ตรงกับหมวดใดนับเป็น “อื่น ๆ”")
OTHER_CATEGORY = "other"
SOURCE_TOPICS = "ระบบฟังเสียง: ประเด็นที่ระบบจำแนกจากข้อความของประชาชน จัดกลุ่มตามประเด็นที่ประชาชนแจ้ง"
SOURCE_SURVEY = ("ระบบฟังเสียง: แบบสำรวจความพึงพอใจ 5 ระดับที่ส่งถึงผู้ร้องเมื่อดำเนินการแล้วเสร็จ (LINE/Messenger) "
                 "นับตามวันที่ส่งแบบสำรวจในปีงบประมาณ")
SOURCE_REGISTER = "ระบบฟังเสียง: ทะเบียนการปรับปรุงกระบวนการที่ผู้ดูแลระบบและนักวิเคราะห์บันทึก"
SOURCE_FLOW = ("ระบบฟังเสียง: ประวัติการดำเนินการของเรื่องร้องเรียน (บันทึกทุกการเปลี่ยนแปลง ผู้ดำเนินการ และเวลา) "
               "และทะเบียนการปรับปรุงกระบวนการ")
SOURCE_STANDARDS = "ไฟล์ตั้งค่าของหน่วยงาน: มาตรฐานระยะเวลาการให้บริการที่ประกาศ (หน้า /standards)"


class ReportYearError(ValueError):
    """The fiscal year asked for cannot be reported; the message is Thai."""


def parse_fiscal_year(value: str | int | None, *, now: dt.datetime) -> int:
    """A B.E. fiscal year from the request, or ReportYearError: not a number, C.E., or a year not yet begun."""
    current = fiscal_year_of(now)
    if value is None or str(value).strip() == "":
        return current
    text = str(value).strip()
    if not text.isdigit() or len(text) != 4:
        raise ReportYearError(f"ปีงบประมาณ “{text}” ไม่ถูกต้อง กรุณาระบุเป็นปี พ.ศ. 4 หลัก เช่น {current}")
    year = int(text)
    if year < 2400:
        raise ReportYearError(f"กรุณาระบุปีงบประมาณเป็นปี พ.ศ. เช่น {current} (ไม่ใช่ ค.ศ. {year})")
    if year > current:
        raise ReportYearError(f"ปีงบประมาณ {year} ยังไม่เริ่มต้น รายงานได้ถึงปีงบประมาณ {current}")
    return year


@dataclass(frozen=True)
class _Row:
    """What the report needs of one case."""

    id: int
    ticket: str
    contact_id: int
    channel: str
    intent: str
    unit_code: str
    status: str
    created_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    due_at: dt.datetime
    topics: list[Any]
    priority: str
    summary: str


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The percentile by linear interpolation between closest ranks (as spreadsheets' PERCENTILE.INC)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def build_report(
    session: Session, *, agency: AgencyConfig, calendar: WorkingCalendar, fiscal_year: int, user: User,
    now: dt.datetime,
) -> dict[str, Any]:
    """The report for `fiscal_year` (B.E.) and the two years before it, as `reports.shape.PmqaReport`."""
    years = list(range(fiscal_year - YEARS_COMPARED + 1, fiscal_year + 1))
    first_start, _ = fiscal_year_bounds(years[0])
    year_start, year_end = fiscal_year_bounds(fiscal_year)
    as_of = min(now, year_end)
    personal = sees_personal_data(user)
    unit_scope = user.unit_code if user.role == "officer" else None
    units = {u.code: u.name for u in session.scalars(select(Unit).order_by(Unit.code))}
    names = channel_names(agency)
    scope = f"เฉพาะ{units.get(unit_scope, unit_scope)}" if unit_scope else "ทุกหน่วยงาน"

    def scoped(query: Select) -> Select:
        return query.where(Case.unit_code == unit_scope) if unit_scope else query

    def by_year(column: Any) -> list[tuple[Any, dict[str, int]]]:
        """Matters per value of `column` per fiscal year: one SQL GROUP BY with a sum per year."""
        sums = []
        for year in years:
            start, end = fiscal_year_bounds(year)
            sums.append(func.sum(when((and_(Case.created_at >= start, Case.created_at < end), 1), else_=0)))
        query = scoped(select(column, *sums).where(Case.created_at >= first_start, Case.created_at < year_end)
                       .group_by(column))
        return [(row[0], {str(y): int(row[i + 1] or 0) for i, y in enumerate(years)})
                for row in session.execute(query)]

    zero = {str(y): 0 for y in years}
    channel_counts = dict(by_year(Case.channel))
    channels = [_with_shares({"channel": code, "label": label, "offline": code not in CHANNELS,
                              "by_year": channel_counts.get(code, dict(zero))}, channel_counts, years)
                for code, label in names.items()]
    channels += [_with_shares({"channel": code, "label": code, "offline": True, "by_year": counts},
                              channel_counts, years)
                 for code, counts in sorted(channel_counts.items()) if code not in names]
    intent_counts = dict(by_year(Case.intent))
    intents = [{"intent": code, "label": INTENT_NAMES[code], "by_year": intent_counts.get(code, dict(zero))}
               for code in (*CASE_INTENTS, "other")]
    categories = _categories(session, scoped=scoped, agency=agency, years=years) if agency.complaint_categories \
        else None
    group_counts = {(g or NO_GROUP): c for g, c in by_year(Case.citizen_group)}
    groups = [{"group": name, "by_year": group_counts.get(name, dict(zero))} for name in agency.citizen_groups]
    groups += [{"group": name, "by_year": counts} for name, counts in group_counts.items()
               if name not in agency.citizen_groups and name != NO_GROUP]
    if NO_GROUP in group_counts:
        groups.append({"group": NO_GROUP, "by_year": group_counts[NO_GROUP]})

    all_rows = _year_rows(session, scoped=scoped, start=first_start, end=year_end)
    in_year = [r for r in all_rows if r.created_at >= year_start]
    months = defaultdict(lambda: [0] * 12)
    for row in in_year:
        local = row.created_at.astimezone(BANGKOK)
        months[row.channel][(local.month - 10) % 12] += 1
    for channel in channels:
        channel["by_month"] = months[channel["channel"]]

    complaints = [r for r in in_year if r.intent == "complaint"]
    repeats = set(repeat_rule.find_repeats(
        repeat_rule.load_complaints(session, agency=agency, scoped=scoped, start=first_start, end=year_end),
        since=first_start))
    measure = _Measure(agency=agency, calendar=calendar, repeats=repeats)
    handling_units = [{"unit": code, "label": units.get(code, code),
                       **measure.handling([r for r in complaints if r.unit_code == code])}
                      for code in units if any(r.unit_code == code for r in complaints)]
    handling_channels = [{"channel": code, "label": names.get(code, code),
                          **measure.handling([r for r in complaints if r.channel == code])}
                         for code in [*names, *sorted({r.channel for r in complaints} - set(names))]
                         if any(r.channel == code for r in complaints)]
    handling_categories = _handling_by_category([r for r in all_rows if r.intent == "complaint"], agency=agency,
                                                measure=measure, years=years)

    unit_rows = []
    for code, label in units.items():
        if unit_scope and code != unit_scope:
            continue
        mine = [r for r in in_year if r.unit_code == code]
        open_ = [r for r in mine if r.status in OPEN_STATUSES]
        if not mine and code not in {u.code for u in agency.units}:
            continue
        unit_rows.append({"unit": code, "label": label, "received": len(mine),
                          "resolved": sum(r.status in RESOLVED_STATUSES for r in mine), "open": len(open_),
                          "overdue": sum(r.due_at < as_of for r in open_)})

    three_years = {"start": _day(first_start), "end": _last_day(year_end)}
    one_year = {"start": _day(year_start), "end": _last_day(year_end)}
    standards = [{"unit": s.unit, "label": units.get(s.unit, s.unit) if s.unit else "ทุกหน่วยงาน",
                  "matter": s.matter, "acknowledge_days": s.respond_days, "resolve_days": s.resolve_days,
                  **({"stages": list(s.stages)} if s.stages else {})}
                  for s in published_standards(agency) if not unit_scope or s.unit in (None, unit_scope)]

    improvements = _improvements(session, year_start=year_start, year_end=year_end, unit_scope=unit_scope,
                                 units=units, personal=personal)

    def note(table: str, period: dict[str, str], source: str) -> dict[str, Any]:
        definition = TABLE_DEFINITIONS[table].format(repeat_rule=repeat_rule.RULE)
        return {"title": TABLE_TITLES[table], "period": period, "source": source, "definition": definition}

    return {
        "fiscal_year": fiscal_year,
        "years": years,
        "fiscal_years": _fiscal_years(session, years=years, now=now),
        "agency_name": agency.name,
        "scope": scope,
        "generated_at": now.astimezone(BANGKOK).isoformat(timespec="seconds"),
        "as_of": (as_of - dt.timedelta(microseconds=1)).astimezone(BANGKOK).date().isoformat(),
        "tables": {
            "channels": note("channels", three_years, SOURCE_CASES),
            "channels_by_month": note("channels_by_month", one_year, SOURCE_CASES),
            "intents": note("intents", three_years, SOURCE_CASES + " ประเภทเรื่องตามที่ระบบจำแนกและเจ้าหน้าที่แก้ไข"),
            "groups": note("groups", three_years, SOURCE_CASES + " กลุ่มผู้รับบริการตามที่เจ้าหน้าที่หรือประชาชนระบุ"),
            **({"categories": note("categories", three_years, SOURCE_CATEGORIES)} if categories is not None else {}),
            "topics": note("topics", one_year, SOURCE_TOPICS),
            "units": note("units", one_year, SOURCE_CASES + " สถานะ ณ วันที่จัดทำรายงาน"),
            "satisfaction_by_channel": note("satisfaction_by_channel", three_years, SOURCE_SURVEY),
            "satisfaction_by_group": note("satisfaction_by_group", three_years, SOURCE_SURVEY),
            "satisfaction_reasons": note("satisfaction_reasons", one_year, SOURCE_SURVEY),
            "improvements": note("improvements", one_year, SOURCE_REGISTER),
            "group_services": note("group_services", one_year, SOURCE_REGISTER),
            "standards": note("standards", one_year, SOURCE_STANDARDS),
            "handling_by_unit": note("handling_by_unit", one_year, SOURCE_HANDLING),
            "handling_by_channel": note("handling_by_channel", one_year, SOURCE_HANDLING),
            "handling_by_category": note("handling_by_category", three_years, SOURCE_HANDLING),
            "complaint_flow": note("complaint_flow", one_year, SOURCE_FLOW),
        },
        "channels": channels,
        "intents": intents,
        **({"categories": categories} if categories is not None else {}),
        "groups": groups,
        "units": unit_rows,
        "standards": standards,
        "handling": {"by_unit": handling_units, "by_channel": handling_channels,
                     "by_category": handling_categories,
                     "total": measure.handling(complaints), "repeat_rule": repeat_rule.RULE},
        "topics": _topics(in_year, units=units),
        "satisfaction": _satisfaction(session, scoped=scoped, years=years, names=names,
                                      groups=agency.citizen_groups),
        "improvements": improvements,
        "complaint_flow": {
            "steps": complaint_flow(session, scoped=scoped, start=year_start, end=year_end, calendar=calendar,
                                    triage_unit=agency.triage_unit),
            "improvements": [{"issue": e["issue"], "unit_label": e["unit_label"], "old_steps": e["old_steps"],
                              "old_days": e["old_days"], "new_steps": e["new_steps"], "new_days": e["new_days"]}
                             for e in improvements]},
    }


def _fiscal_years(session: Session, *, years: list[int], now: dt.datetime) -> list[dict[str, Any]]:
    """Each compared year's bounds, the first and last day with data in it, and whether the data covers it only in
    part: the history begins more than PARTIAL_GRACE after the year began, or the year is not over yet."""
    first_ever = session.scalar(select(func.min(Case.created_at)))
    shown = []
    for year in years:
        start, end = fiscal_year_bounds(year)
        first, last = session.execute(select(func.min(Case.created_at), func.max(Case.created_at))
                                      .where(Case.created_at >= start, Case.created_at < end)).one()
        begins_late = first_ever is not None and _aware(first_ever) > start + PARTIAL_GRACE
        shown.append({"year": year, "start": _day(start), "end": _last_day(end),
                      "coverage": {"first": _day(_aware(first)), "last": _day(_aware(last))} if first else None,
                      "partial": begins_late or now < end})
    return shown


def _aware(moment: dt.datetime) -> dt.datetime:
    """A stored moment as UTC (SQLite gives it back without its zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _categories(session: Session, *, scoped: Any, agency: AgencyConfig, years: list[int]) -> list[dict[str, Any]]:
    """Complaints per agency complaint category per fiscal year: the first category whose keywords the complaint's
    text or topics contain, "อื่น ๆ" for the rest."""
    first_start, _ = fiscal_year_bounds(years[0])
    _, last_end = fiscal_year_bounds(years[-1])
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {str(y): 0 for y in years})
    query = scoped(select(Case.created_at, Case.summary, Case.topics).where(
        Case.intent == "complaint", Case.created_at >= first_start, Case.created_at < last_end))
    for created_at, summary, topics in session.execute(query):
        counts[category_of(agency, summary=summary, topics=topics)][str(fiscal_year_of(created_at))] += 1
    named = [(c.code, c.name) for c in agency.complaint_categories] + [(OTHER_CATEGORY, "อื่น ๆ")]
    return [{"category": code, "label": name, "by_year": dict(counts[code])} for code, name in named]


def category_of(agency: AgencyConfig, *, summary: str | None, topics: Sequence[Any] | None) -> str:
    """The agency's complaint category whose keywords the text or topics contain first, else "other"."""
    words = " ".join([summary or "", *(str(t) for t in topics or ())])
    return agency.complaint_category(words) or OTHER_CATEGORY


def _handling_by_category(rows: list[_Row], *, agency: AgencyConfig, measure: "_Measure",
                          years: list[int]) -> list[dict[str, Any]]:
    """Complaints of each category against the first-answer and final standards, each compared year."""
    by_key: dict[tuple[str, int], list[_Row]] = defaultdict(list)
    for row in rows:
        by_key[(category_of(agency, summary=row.summary, topics=row.topics), fiscal_year_of(row.created_at))].append(row)
    named = [(c.code, c.name) for c in agency.complaint_categories] + [(OTHER_CATEGORY, "อื่น ๆ")]
    return [{"category": code, "label": name,
             "by_year": {str(year): measure.handling(by_key.get((code, year), [])) for year in years}}
            for code, name in named if any(by_key.get((code, year)) for year in years)]


def _with_shares(row: dict[str, Any], counts: dict[str, dict[str, int]], years: list[int]) -> dict[str, Any]:
    """Add each year's share of all matters that year (a fraction of 1; None when the year has none)."""
    totals = {str(y): sum(c.get(str(y), 0) for c in counts.values()) for y in years}
    row["share_by_year"] = {y: (row["by_year"][y] / t if t else None) for y, t in totals.items()}
    return row


def _year_rows(session: Session, *, scoped: Any, start: dt.datetime, end: dt.datetime) -> list[_Row]:
    """The cases received in [start, end), oldest first, with what the per-case measures need."""
    query = scoped(select(Case.id, Case.ticket, Case.contact_id, Case.channel, Case.intent, Case.unit_code,
                          Case.status, Case.created_at, Case.first_response_at, Case.resolved_at, Case.due_at,
                          Case.topics, Case.priority, Case.summary)
                   .where(Case.created_at >= start, Case.created_at < end).order_by(Case.created_at, Case.id))
    return [_Row(*row) for row in session.execute(query)]


class _Measure:
    """Complaints against the standard that applied to each: its first answer (the first stage, e.g. 5 working days)
    and its final one (resolved by its deadline), times in working days, and repeats."""

    def __init__(self, *, agency: AgencyConfig, calendar: WorkingCalendar, repeats: set[int]) -> None:
        self.agency, self.calendar, self.repeats = agency, calendar, repeats
        self._first: dict[tuple[str, str, str], int] = {}

    def first_answer_days(self, row: _Row) -> int:
        """Working days the published standard gives for the first answer to the citizen."""
        key = (row.unit_code, row.intent, row.priority)
        if key not in self._first:
            standard = standard_for(self.agency, unit=row.unit_code, intent=row.intent, priority=row.priority)
            self._first[key] = standard.stages[0] if standard.stages else standard.resolve_days
        return self._first[key]

    def handling(self, rows: list[_Row]) -> dict[str, Any]:
        """Received, answered first within the first stage, resolved within the standard, median and P90, repeats."""
        calendar = self.calendar
        resolved = [r for r in rows if r.resolved_at is not None and r.status in RESOLVED_STATUSES]
        within = sum(r.resolved_at <= r.due_at for r in resolved)  # type: ignore[operator]
        answered = [(r, calendar.working_days_between(r.created_at, r.first_response_at))
                    for r in rows if r.first_response_at]
        first_within = sum(days <= self.first_answer_days(r) for r, days in answered)
        response = [days for _, days in answered]
        resolution = [calendar.working_days_between(r.created_at, r.resolved_at) for r in resolved]  # type: ignore[arg-type]
        return {
            "received": len(rows),
            "resolved": len(resolved),
            "first_answer_within": first_within,
            "first_answer_within_share": first_within / len(rows) if rows else None,
            "within_standard": within,
            "within_standard_share": within / len(rows) if rows else None,
            "response_days_median": float(statistics.median(response)) if response else None,
            "response_days_p90": percentile(response, 0.9),
            "resolution_days_median": float(statistics.median(resolution)) if resolution else None,
            "resolution_days_p90": percentile(resolution, 0.9),
            "repeat": sum(r.id in self.repeats for r in rows),
        }


def _topics(rows: Iterable[_Row], *, units: dict[str, str]) -> list[dict[str, Any]]:
    """The most frequent issues of each quarter (Oct–Dec is 1), places folded under their issue."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    unit_of: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for row in rows:
        key = issue_key([str(t) for t in row.topics or []])
        if key is None:
            continue
        quarter = (row.created_at.astimezone(BANGKOK).month - 10) % 12 // 3 + 1
        counts[quarter][key.issue] += 1
        unit_of[(quarter, key.issue)][row.unit_code] += 1
    quarters = []
    for quarter in range(1, 5):
        top = sorted(counts[quarter].items(), key=lambda item: (-item[1], item[0]))[:TOPICS_PER_QUARTER]
        quarters.append({"quarter": quarter, "topics": [
            {"topic": mask_personal_data(issue), "count": count,
             "unit_label": units.get(unit_of[(quarter, issue)].most_common(1)[0][0], "")}
            for issue, count in top]})
    return quarters


def _satisfaction(session: Session, *, scoped: Any, years: list[int], names: dict[str, str],
                  groups: Sequence[str]) -> dict[str, Any]:
    """Surveys asked in each compared year: the five levels, high 4–5, medium 3, low 1–2 as shares of answers, by
    channel and group; each row's figures are the report year's, with every year's under `by_year`."""
    start, _ = fiscal_year_bounds(years[0])
    _, end = fiscal_year_bounds(years[-1])
    query = scoped(select(Case.channel, Case.citizen_group, Survey.score, Survey.reason, Survey.asked_at)
                   .join(Case, Case.id == Survey.case_id)
                   .where(Survey.asked_at >= start, Survey.asked_at < end))
    answers = [(channel, group, score, reason, fiscal_year_of(asked))
               for channel, group, score, reason, asked in session.execute(query)]
    current = years[-1]

    def figures(rows: list[tuple]) -> dict[str, Any]:
        scores = [row[2] for row in rows if row[2] is not None]
        share = (lambda n: n / len(scores)) if scores else (lambda n: None)
        return {"high": share(sum(s >= 4 for s in scores)), "medium": share(sum(s == 3 for s in scores)),
                "low": share(sum(s <= 2 for s in scores)), "responses": len(scores), "asked": len(rows),
                "response_rate": len(scores) / len(rows) if rows else None,
                "mean_score": statistics.fmean(scores) if scores else None,
                "levels": {str(level): sum(s == level for s in scores) for level in (5, 4, 3, 2, 1)}}

    def row(rows: list[tuple]) -> dict[str, Any]:
        return {**figures([r for r in rows if r[4] == current]),
                "by_year": {str(year): figures([r for r in rows if r[4] == year]) for year in years}}

    channel_codes = [*names, *sorted({r[0] for r in answers} - set(names))]
    by_channel = [{"channel": code, "label": names.get(code, code), **row([r for r in answers if r[0] == code])}
                  for code in channel_codes if any(r[0] == code for r in answers)]
    group_names = [*groups, *sorted({r[1] for r in answers if r[1] and r[1] not in groups})]
    by_group = [{"group": name, **row([r for r in answers if r[1] == name])}
                for name in group_names if any(r[1] == name for r in answers)]
    if any(r[1] is None for r in answers):
        by_group.append({"group": NO_GROUP, **row([r for r in answers if r[1] is None])})
    reasons = Counter(r[3] for r in answers if r[3] and r[2] is not None and r[4] == current)
    given = sum(reasons.values())
    return {"by_channel": by_channel, "by_group": by_group, "overall": row(answers),
            "reasons": [{"reason": SURVEY_REASON_LABELS.get(code, code), "count": count, "share": count / given}
                        for code, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]}


def _improvements(session: Session, *, year_start: dt.datetime, year_end: dt.datetime, unit_scope: str | None,
                  units: dict[str, str], personal: bool) -> list[dict[str, Any]]:
    """Register entries whose new process started in the fiscal year."""
    first = year_start.astimezone(BANGKOK).date()
    last = (year_end - dt.timedelta(microseconds=1)).astimezone(BANGKOK).date()
    query = select(Improvement).where(Improvement.day >= first, Improvement.day <= last)
    if unit_scope:
        query = query.where(Improvement.unit_code == unit_scope)
    shown = (lambda text: text) if personal else mask_personal_data
    return [{"id": entry.id, "date": entry.day.isoformat(), "unit": entry.unit_code,
             "unit_label": units.get(entry.unit_code, entry.unit_code), "issue": shown(entry.issue),
             "linked_to": f"{LINK_KINDS.get(entry.link_kind, entry.link_kind)}: {shown(entry.link_ref)}",
             "link_kind": entry.link_kind, "old_process": shown(entry.old_process), "old_steps": entry.old_steps,
             "old_days": entry.old_days, "new_process": shown(entry.new_process), "new_steps": entry.new_steps,
             "new_days": entry.new_days, "evidence": shown(entry.evidence), "citizen_group": entry.citizen_group}
            for entry in session.scalars(query.order_by(Improvement.day, Improvement.id))]


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(BANGKOK).date().isoformat()


def _last_day(end: dt.datetime) -> str:
    return (end - dt.timedelta(microseconds=1)).astimezone(BANGKOK).date().isoformat()
