"""The PMQA category 3 report computed from stored data (never typed-in figures).

Every table is a GROUP BY over the per-case facts (`reports.facts`: working days between Bangkok days on the
agency's WorkingCalendar, standards met, category, issue, flow steps, repeats, derived once per case change), the
surveys and the register; medians and P90s are read exactly from the distributions of whole working days. Officers
get their own unit's data only; readers who may not see personal data get free text masked (the report names no
citizen in any case). `reports.cache` keeps each built report until the data changes.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
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
from cases.access import sees_personal_data
from cases.standards import published_standards
from classifier.privacy import mask_personal_data
from conversation.models import Survey
from reports import repeats as repeat_rule
from reports.facts import OTHER_CATEGORY, RESOLVED_STATUSES, Progress, refresh_facts
from reports.flow import STEPS, flow_table, percentile_of
from reports.models import LINK_KINDS, Improvement
from reports.models import CaseFacts as Facts
from reports.shape import TABLE_DEFINITIONS, TABLE_TITLES
from storage.db import Database
from storage.models import Case, Unit, User

YEARS_COMPARED = 3
PARTIAL_GRACE = dt.timedelta(days=7)  # a history that starts within a week of 1 October covers the year
NO_GROUP = "ไม่ระบุ"
TOPICS_PER_QUARTER = 5
SOURCE_CASES = "ระบบฟังเสียง: เรื่องที่บันทึกทุกช่องทาง (ออนไลน์และที่เจ้าหน้าที่บันทึก) ณ วันที่จัดทำรายงาน"
SOURCE_HANDLING = ("ระบบฟังเสียง: เรื่องร้องเรียนของปีงบประมาณ เวลารับเรื่อง ตอบกลับครั้งแรก และดำเนินการแล้วเสร็จ "
                   "นับเป็นวันทำการ (จันทร์–ศุกร์ เว้นวันหยุดราชการและวันหยุดของหน่วยงาน)")
SOURCE_CATEGORIES = ("ระบบฟังเสียง: เรื่องร้องเรียนจำแนกตามหมวดเรื่องที่หน่วยงานกำหนด (คำสำคัญในข้อความและประเด็นของเรื่อง)"
                     " เรื่องที่ไม่ตรงกับหมวดใดนับเป็น “อื่น ๆ”")
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


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The percentile by linear interpolation between closest ranks (as spreadsheets' PERCENTILE.INC)."""
    return percentile_of(Counter(values), fraction)


def build_report(
    db: Database, *, agency: AgencyConfig, calendar: WorkingCalendar, fiscal_year: int, user: User,
    now: dt.datetime, progress: Progress | None = None, reading: Callable[[Session], None] | None = None,
) -> dict[str, Any]:
    """The report for `fiscal_year` (B.E.) and the two years before it, as `reports.shape.PmqaReport`: the per-case
    facts brought up to date with the cases changed since (short writes), then GROUP BY queries in a read session.
    `progress(stage, fraction)` hears how far it is; `reading(session)` is called first in that read session (the
    cache reads there the data version the report is built from)."""
    tell = progress or (lambda stage, fraction: None)
    refresh_facts(db, agency=agency, calendar=calendar, progress=lambda stage, done: tell(stage, done * 0.5))
    with db.read_session() as session:
        if reading is not None:
            reading(session)
        return _build(session, agency=agency, fiscal_year=fiscal_year, user=user, now=now,
                      tell=lambda stage, done: tell(stage, 0.5 + done * 0.5))


def _build(session: Session, *, agency: AgencyConfig, fiscal_year: int, user: User, now: dt.datetime,
           tell: Progress) -> dict[str, Any]:
    """The report from the facts (see build_report)."""
    years = list(range(fiscal_year - YEARS_COMPARED + 1, fiscal_year + 1))
    first_start, _ = fiscal_year_bounds(years[0])
    year_start, year_end = fiscal_year_bounds(fiscal_year)
    as_of = min(now, year_end)
    personal = sees_personal_data(user)
    unit_scope = user.unit_code if user.role == "officer" else None
    units = {u.code: u.name for u in session.scalars(select(Unit).order_by(Unit.code))}
    names = channel_names(agency)
    scope = f"เฉพาะ{units.get(unit_scope, unit_scope)}" if unit_scope else "ทุกหน่วยงาน"

    def scoped(query: Select, column: Any = Facts.unit_code) -> Select:
        return query.where(column == unit_scope) if unit_scope else query

    tell("นับเรื่องตามช่องทาง ประเภท และกลุ่มผู้รับบริการ", 0.0)
    zero = {str(y): 0 for y in years}
    channel_counts, intent_counts, group_counts, months, category_counts = _counts(
        session, scoped=scoped, years=years, fiscal_year=fiscal_year)
    channels = [_with_shares({"channel": code, "label": label, "offline": code not in CHANNELS,
                              "by_year": channel_counts.get(code, dict(zero))}, channel_counts, years)
                for code, label in names.items()]
    channels += [_with_shares({"channel": code, "label": code, "offline": True, "by_year": counts},
                              channel_counts, years)
                 for code, counts in sorted(channel_counts.items()) if code not in names]
    intents = [{"intent": code, "label": INTENT_NAMES[code], "by_year": intent_counts.get(code, dict(zero))}
               for code in (*CASE_INTENTS, "other")]
    categories = _categories(category_counts, agency=agency, years=years) if agency.complaint_categories else None
    groups = [{"group": name, "by_year": group_counts.get(name, dict(zero))} for name in agency.citizen_groups]
    groups += [{"group": name, "by_year": group_counts[name]} for name in sorted(group_counts)
               if name not in agency.citizen_groups and name != NO_GROUP]
    if NO_GROUP in group_counts:
        groups.append({"group": NO_GROUP, "by_year": group_counts[NO_GROUP]})
    for channel in channels:
        channel["by_month"] = months[channel["channel"]]

    tell("วัดระยะเวลาการจัดการเรื่องร้องเรียน", 0.3)
    handling = _handling(session, scoped=scoped, years=years, units=units, names=names, agency=agency)

    unit_rows = []
    open_ = Facts.status.in_(OPEN_STATUSES)
    counted = {code: (int(received), int(resolved or 0), int(still or 0), int(overdue or 0))
               for code, received, resolved, still, overdue in session.execute(scoped(
                   select(Facts.unit_code, func.count(), _count(Facts.status.in_(RESOLVED_STATUSES)), _count(open_),
                          _count(and_(open_, Facts.due_at < as_of)))
                   .where(Facts.fiscal_year == fiscal_year).group_by(Facts.unit_code)))}
    for code, label in units.items():
        if unit_scope and code != unit_scope:
            continue
        received, resolved, still, overdue = counted.get(code, (0, 0, 0, 0))
        if not received and code not in {u.code for u in agency.units}:
            continue
        unit_rows.append({"unit": code, "label": label, "received": received, "resolved": resolved, "open": still,
                          "overdue": overdue})

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

    tell("ประเด็น ความพึงพอใจ และขั้นตอนการจัดการเรื่อง", 0.7)
    report = {
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
            "handling_by_unit": note("handling_by_unit", three_years, SOURCE_HANDLING),
            "handling_by_channel": note("handling_by_channel", three_years, SOURCE_HANDLING),
            "handling_by_category": note("handling_by_category", three_years, SOURCE_HANDLING),
            "complaint_flow": note("complaint_flow", one_year, SOURCE_FLOW),
        },
        "channels": channels,
        "intents": intents,
        **({"categories": categories} if categories is not None else {}),
        "groups": groups,
        "units": unit_rows,
        "standards": standards,
        "handling": {**handling, "repeat_rule": repeat_rule.RULE},
        "topics": _topics(session, scoped=scoped, fiscal_year=fiscal_year, units=units),
        "satisfaction": _satisfaction(session, scoped=scoped, years=years, names=names,
                                      groups=agency.citizen_groups),
        "improvements": improvements,
        "complaint_flow": {
            "steps": _complaint_flow(session, scoped=scoped, fiscal_year=fiscal_year),
            "improvements": [{"issue": e["issue"], "unit_label": e["unit_label"], "old_steps": e["old_steps"],
                              "old_days": e["old_days"], "new_steps": e["new_steps"], "new_days": e["new_days"]}
                             for e in improvements]},
    }
    tell("จัดทำรายงานแล้ว", 1.0)
    return report


def _count(condition: Any) -> Any:
    """How many rows meet the condition (portable: no SUM over booleans)."""
    return func.sum(when((condition, 1), else_=0))


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


def _counts(session: Session, *, scoped: Any, years: list[int], fiscal_year: int) -> tuple[Any, ...]:
    """Matters per channel, intent and citizen group per fiscal year, the report year's per channel per month, and
    complaints per category per year: one GROUP BY over the facts (one pass over the three years' rows)."""
    month = when((Facts.fiscal_year == fiscal_year, Facts.month), else_=None)
    channels: dict[str, dict[str, int]] = {}
    intents: dict[str, dict[str, int]] = {}
    groups: dict[str, dict[str, int]] = {}
    categories: dict[str, dict[str, int]] = defaultdict(lambda: {str(y): 0 for y in years})
    months: dict[str, list[int]] = defaultdict(lambda: [0] * 12)

    def add(counts: dict[str, dict[str, int]], value: str, year: int, n: int) -> None:
        counts.setdefault(value, {str(y): 0 for y in years})[str(year)] += n

    dims = (Facts.fiscal_year, Facts.channel, Facts.intent, Facts.citizen_group, Facts.category, month)
    for year, channel, intent, group, category, in_month, count in session.execute(scoped(
            select(*dims, func.count()).where(Facts.fiscal_year.in_(years)).group_by(*dims))):
        count = int(count)
        add(channels, channel, year, count)
        add(intents, intent, year, count)
        add(groups, group or NO_GROUP, year, count)
        if intent == "complaint":
            categories[category or OTHER_CATEGORY][str(year)] += count
        if in_month is not None:
            months[channel][int(in_month)] += count
    return channels, intents, groups, months, categories


def _categories(counts: dict[str, dict[str, int]], *, agency: AgencyConfig,
                years: list[int]) -> list[dict[str, Any]]:
    """Complaints per agency complaint category per fiscal year: the first category whose keywords the complaint's
    text or topics contain, "อื่น ๆ" for the rest."""
    named = [(c.code, c.name) for c in agency.complaint_categories] + [(OTHER_CATEGORY, "อื่น ๆ")]
    return [{"category": code, "label": name, "by_year": dict(counts.get(code) or {str(y): 0 for y in years})}
            for code, name in named]


def _handling(session: Session, *, scoped: Any, years: list[int], units: dict[str, str], names: dict[str, str],
              agency: AgencyConfig) -> dict[str, Any]:
    """Complaints against their standards by unit, channel and category, each compared year, and in all: one
    GROUP BY query (counts, and the distributions of working days the medians and P90s are read from)."""
    dims = (Facts.fiscal_year, Facts.unit_code, Facts.channel, Facts.category)
    where = (Facts.intent == "complaint", Facts.fiscal_year.in_(years))
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    spreads: dict[str, dict[tuple, Counter[int]]] = {"response": defaultdict(Counter),
                                                     "resolution": defaultdict(Counter)}
    days = (Facts.response_days, when((Facts.resolved, Facts.resolution_days), else_=None))
    for year, unit, channel, category, response, resolution, *counts in session.execute(scoped(
            select(*dims, *days, func.count(), _count(Facts.resolved), _count(Facts.first_within),
                   _count(Facts.within_standard), _count(Facts.repeat_of.is_not(None)))
            .where(*where).group_by(*dims, *days))):
        for key in _handling_keys(year, unit, channel, category):
            row = sums[key]
            for index, count in enumerate(counts):
                row[index] += int(count or 0)
            if response is not None:
                spreads["response"][key][int(response)] += int(counts[0])
            if resolution is not None:
                spreads["resolution"][key][int(resolution)] += int(counts[0])

    def figures(key: tuple) -> dict[str, Any]:
        received, resolved, first_within, within, repeat = sums.get(key, [0, 0, 0, 0, 0])
        response, resolution = spreads["response"].get(key, Counter()), spreads["resolution"].get(key, Counter())
        return {
            "received": received, "resolved": resolved,
            "first_answer_within": first_within,
            "first_answer_within_share": first_within / received if received else None,
            "within_standard": within, "within_standard_share": within / received if received else None,
            "response_days_median": percentile_of(response, 0.5), "response_days_p90": percentile_of(response, 0.9),
            "resolution_days_median": percentile_of(resolution, 0.5),
            "resolution_days_p90": percentile_of(resolution, 0.9),
            "repeat": repeat,
        }

    current = years[-1]

    def rows(kind: str, labelled: list[tuple[str, str]], name: str) -> list[dict[str, Any]]:
        return [{name: code, "label": label, **figures((kind, code, current)),
                 "by_year": {str(year): figures((kind, code, year)) for year in years}}
                for code, label in labelled if any((kind, code, year) in sums for year in years)]

    extra_channels = sorted({key[1] for key in sums if key[0] == "channel"} - set(names))
    categories = [(c.code, c.name) for c in agency.complaint_categories] + [(OTHER_CATEGORY, "อื่น ๆ")]
    by_category = [{"category": code, "label": label,
                    "by_year": {str(year): figures(("category", code, year)) for year in years}}
                   for code, label in categories if any(("category", code, year) in sums for year in years)]
    return {"by_unit": rows("unit", list(units.items()), "unit"),
            "by_channel": rows("channel", [*names.items(), *((code, code) for code in extra_channels)], "channel"),
            "by_category": by_category,
            "total": {**figures(("total", "", current)),
                      "by_year": {str(year): figures(("total", "", year)) for year in years}}}


def _handling_keys(year: int, unit: str, channel: str, category: str | None) -> tuple[tuple, ...]:
    """The rows of the handling tables one GROUP BY row adds to."""
    return (("unit", unit, year), ("channel", channel, year), ("category", category or OTHER_CATEGORY, year),
            ("total", "", year))


def _with_shares(row: dict[str, Any], counts: dict[str, dict[str, int]], years: list[int]) -> dict[str, Any]:
    """Add each year's share of all matters that year (a fraction of 1; None when the year has none)."""
    totals = {str(y): sum(c.get(str(y), 0) for c in counts.values()) for y in years}
    row["share_by_year"] = {y: (row["by_year"][y] / t if t else None) for y, t in totals.items()}
    return row


def _topics(session: Session, *, scoped: Any, fiscal_year: int, units: dict[str, str]) -> list[dict[str, Any]]:
    """The most frequent issues of each quarter (Oct–Dec is 1), places folded under their issue."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    unit_of: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for month, issue, unit, count in session.execute(scoped(
            select(Facts.month, Facts.issue, Facts.unit_code, func.count())
            .where(Facts.fiscal_year == fiscal_year, Facts.issue.is_not(None))
            .group_by(Facts.month, Facts.issue, Facts.unit_code).order_by(Facts.unit_code))):
        quarter = month // 3 + 1
        counts[quarter][issue] += int(count)
        unit_of[(quarter, issue)][unit] += int(count)
    quarters = []
    for quarter in range(1, 5):
        top = sorted(counts[quarter].items(), key=lambda item: (-item[1], item[0]))[:TOPICS_PER_QUARTER]
        quarters.append({"quarter": quarter, "topics": [
            {"topic": mask_personal_data(issue), "count": count,
             "unit_label": units.get(unit_of[(quarter, issue)].most_common(1)[0][0], "")}
            for issue, count in top]})
    return quarters


def _complaint_flow(session: Session, *, scoped: Any, fiscal_year: int) -> list[dict[str, Any]]:
    """The 7-step flow of the year's complaints from the facts: how far each got, and each gap's distribution (one
    GROUP BY over the year's complaints)."""
    gap_columns = [getattr(Facts, f"flow_gap{number}") for number in range(1, len(STEPS))]
    reached: dict[int, int] = defaultdict(int)
    gaps: list[dict[int, int]] = [defaultdict(int) for _ in gap_columns]
    for furthest, *days, count in session.execute(scoped(
            select(Facts.flow_reached, *gap_columns, func.count())
            .where(Facts.intent == "complaint", Facts.fiscal_year == fiscal_year)
            .group_by(Facts.flow_reached, *gap_columns))):
        reached[int(furthest)] += int(count)
        for spread, value in zip(gaps, days, strict=True):
            if value is not None:
                spread[int(value)] += int(count)
    return flow_table(complaints=sum(reached.values()), reached=dict(reached), gaps=[dict(g) for g in gaps])


def _satisfaction(session: Session, *, scoped: Any, years: list[int], names: dict[str, str],
                  groups: Sequence[str]) -> dict[str, Any]:
    """Surveys asked in each compared year: the five levels, high 4–5, medium 3, low 1–2 as shares of answers, by
    channel and group; each row's figures are the report year's, with every year's under `by_year`. One GROUP BY."""
    start, _ = fiscal_year_bounds(years[0])
    _, end = fiscal_year_bounds(years[-1])
    year_of = when(*((and_(Survey.asked_at >= fiscal_year_bounds(y)[0], Survey.asked_at < fiscal_year_bounds(y)[1]), y)
                     for y in years), else_=0)
    query = scoped(select(Facts.channel, Facts.citizen_group, Survey.score, Survey.reason, year_of, func.count())
                   .join(Facts, Facts.case_id == Survey.case_id)  # the narrow facts row, not the case's texts
                   .where(Survey.asked_at >= start, Survey.asked_at < end)
                   .group_by(Facts.channel, Facts.citizen_group, Survey.score, Survey.reason, year_of))
    answers = [(channel, group, score, reason, int(year), int(n))
               for channel, group, score, reason, year, n in session.execute(query)]
    current = years[-1]

    def figures(rows: list[tuple]) -> dict[str, Any]:
        scores: Counter[int] = Counter()
        for row in rows:
            if row[2] is not None:
                scores[int(row[2])] += row[5]
        answered, asked = sum(scores.values()), sum(row[5] for row in rows)
        share = (lambda n: n / answered) if answered else (lambda n: None)
        return {"high": share(scores[4] + scores[5]), "medium": share(scores[3]),
                "low": share(scores[1] + scores[2]), "responses": answered, "asked": asked,
                "response_rate": answered / asked if asked else None,
                "mean_score": sum(s * n for s, n in scores.items()) / answered if answered else None,
                "levels": {str(level): scores[level] for level in (5, 4, 3, 2, 1)}}

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
    reasons: Counter[str] = Counter()
    for r in answers:
        if r[3] and r[2] is not None and r[4] == current:
            reasons[r[3]] += r[5]
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
