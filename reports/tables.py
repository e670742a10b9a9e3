"""The report dict turned into tables (columns, rows, total, chart) that every format renders the same way."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from reports import thai
from reports.shape import OPTIONAL_TABLES, TABLE_IDS

Kind = Literal["text", "count", "share", "days", "score", "date"]
Value = str | int | float | None


SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("3.1 การรับฟังเสียงของผู้รับบริการ: ช่องทาง ประเภทเรื่อง กลุ่มผู้รับบริการ และประเด็นที่ต้องการ",
     ("channels", "channels_by_month", "intents", "categories", "groups", "topics", "units")),
    ("3.2 ความพึงพอใจ ความไม่พึงพอใจ และการปรับปรุงจากเสียงของผู้รับบริการ",
     ("satisfaction_by_channel", "satisfaction_by_group", "satisfaction_reasons", "improvements")),
    ("3.3 การปรับบริการให้เหมาะกับกลุ่มผู้รับบริการ", ("group_services",)),
    ("3.4 การจัดการข้อร้องเรียนเทียบกับมาตรฐานระยะเวลาที่ประกาศ",
     ("standards", "handling_by_unit", "handling_by_channel", "handling_by_category", "complaint_flow")),
)


class ReportShapeError(ValueError):
    """The report dict does not have the shape `reports.shape` defines."""


@dataclass(frozen=True)
class Column:
    header: str             # the whole heading, as a spreadsheet or CSV shows it
    kind: Kind
    width: int = 0          # a hint in characters; 0 lets the renderer size it
    group: str | None = None  # a printed table puts `group` over neighbouring columns and `short` under it
    short: str | None = None


@dataclass(frozen=True)
class Chart:
    """A chart of some columns: categories are the first column's values, one series per listed column."""

    title: str
    series: tuple[int, ...]
    stacked: bool = False
    by_row: bool = False    # categories are the series columns' headers, one series per row (months)
    category: int = 0       # the column whose values name the categories
    axis: Literal["count", "share", "days"] = "count"


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    period: str             # Thai, e.g. "1 ต.ค. 2566 – 30 ก.ย. 2569"
    source: str
    columns: tuple[Column, ...]
    rows: list[list[Value]]
    total: list[Value] | None = None
    chart: Chart | None = None
    notes: tuple[str, ...] = ()
    empty: bool = False     # nothing happened in the period: say so instead of showing zeros
    records: bool = False   # long text per row: a PDF shows one block per row rather than a wide table
    group_first: bool = False  # repeated first-column values are shown once (quarters of the topics table)


def build_tables(report: Mapping[str, Any]) -> list[Table]:
    """Every table of the report, in report order; optional tables only when the report carries them."""
    check_report(report)
    builders: dict[str, Callable[[Mapping[str, Any], str], Table | None]] = {
        "channels": _channels, "channels_by_month": _channels_by_month, "intents": _intents,
        "categories": _categories, "groups": _groups, "units": _units, "standards": _standards,
        "handling_by_unit": _handling_by_unit, "handling_by_channel": _handling_by_channel,
        "handling_by_category": _handling_by_category, "complaint_flow": _complaint_flow, "topics": _topics,
        "satisfaction_by_channel": _satisfaction_by_channel, "satisfaction_by_group": _satisfaction_by_group,
        "satisfaction_reasons": _satisfaction_reasons, "improvements": _improvements,
        "group_services": _group_services,
    }
    tables = []
    for table_id in TABLE_IDS:
        table = builders[table_id](report, table_id)
        if table is not None:
            definition = report["tables"].get(table_id, {}).get("definition")
            tables.append(replace(table, notes=(f"นิยาม: {definition}", *table.notes)) if definition else table)
    return tables


def partial_years(report: Mapping[str, Any]) -> dict[str, str]:
    """Fiscal years the data covers only in part → Thai words saying which days it covers."""
    marked = {}
    for year in report.get("fiscal_years", ()):
        if not year["partial"]:
            continue
        coverage = year["coverage"]
        marked[str(year["year"])] = (f"มีข้อมูล {thai.period_text(coverage['first'], coverage['last'])}"
                                     if coverage else "ไม่มีข้อมูล")
    return marked


def table_by_id(report: Mapping[str, Any], table_id: str) -> Table:
    """One table of the report by its id, with a Thai error naming the ids there are."""
    tables = build_tables(report)
    for table in tables:
        if table.id == table_id:
            return table
    names = ", ".join(table.id for table in tables)
    raise KeyError(f"ไม่มีตาราง “{table_id}” ในรายงานนี้ (มี: {names})")


def report_is_empty(report: Mapping[str, Any]) -> bool:
    """True when nothing arrived in the fiscal year and nothing was surveyed or improved."""
    year = str(report["fiscal_year"])
    matters = sum(_count(row["by_year"], year) for row in report["channels"])
    surveyed = report["satisfaction"]["overall"]["asked"]
    return matters == 0 and surveyed == 0 and not report["improvements"]


def key_figures(report: Mapping[str, Any]) -> list[tuple[str, Value, Kind]]:
    """The few figures an assessor reads first: matters per year, complaints within standard, satisfaction."""
    partial = partial_years(report)
    figures: list[tuple[str, Value, Kind]] = [
        (f"เรื่องที่รับทั้งหมด ปีงบประมาณ {year}" + (f" (บางส่วน: {partial[str(year)]})" if str(year) in partial else ""),
         sum(_count(row["by_year"], str(year)) for row in report["channels"]), "count")
        for year in report["years"]
    ]
    in_use = [row for row in report["channels"] if _count(row["by_year"], str(report["fiscal_year"]))]
    handling = report["handling"]["total"]
    overall = report["satisfaction"]["overall"]
    figures += [
        ("ช่องทางที่มีเรื่องเข้ามา (ช่องทาง)", len(in_use), "count"),
        ("เรื่องร้องเรียนที่รับ", handling["received"], "count"),
        ("ร้อยละของเรื่องร้องเรียนที่แล้วเสร็จภายในมาตรฐาน", handling["within_standard_share"], "share"),
        *([("ร้อยละของเรื่องร้องเรียนที่ตอบครั้งแรกภายในมาตรฐาน", handling["first_answer_within_share"], "share")]
          if "first_answer_within_share" in handling else []),
        ("ร้องเรียนซ้ำ (เรื่อง)", handling["repeat"], "count"),
        ("ผู้ตอบแบบสำรวจที่พึงพอใจมาก (4–5 คะแนน)", overall["high"], "share"),
        ("อัตราการตอบแบบสำรวจ", overall["response_rate"], "share"),
        ("การปรับปรุงที่บันทึกในทะเบียน (รายการ)", len(report["improvements"]), "count"),
    ]
    return figures


def check_report(report: Mapping[str, Any]) -> None:
    """Raise ReportShapeError naming the first missing key, so a builder mistake is caught in its tests."""
    required = ("fiscal_year", "years", "agency_name", "scope", "generated_at", "as_of", "tables", "channels",
                "intents", "groups", "units", "handling", "topics", "satisfaction", "improvements")
    missing = [key for key in required if key not in report]
    if missing:
        raise ReportShapeError(f"รายงานขาดข้อมูล: {', '.join(missing)}")
    if not isinstance(report["fiscal_year"], int) or report["fiscal_year"] < 2400:
        raise ReportShapeError(f"ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569 ไม่ใช่ {report['fiscal_year']!r}")
    if not report["years"] or report["years"][-1] != report["fiscal_year"]:
        raise ReportShapeError("years ต้องเรียงจากปีเก่าไปปีใหม่ และปีสุดท้ายเป็นปีงบประมาณของรายงาน")
    for key in ("by_unit", "by_channel", "total", "repeat_rule"):
        if key not in report["handling"]:
            raise ReportShapeError(f"รายงานขาดข้อมูล: handling.{key}")
    for key in ("by_channel", "by_group", "overall", "reasons"):
        if key not in report["satisfaction"]:
            raise ReportShapeError(f"รายงานขาดข้อมูล: satisfaction.{key}")
    for table_id in TABLE_IDS:
        if table_id in OPTIONAL_TABLES or table_id in report["tables"]:
            continue
        raise ReportShapeError(f"รายงานขาดชื่อตาราง ช่วงเวลา และแหล่งข้อมูลของ tables.{table_id}")


def _note(report: Mapping[str, Any], table_id: str) -> tuple[str, str, str]:
    note = report["tables"].get(table_id)
    if note is None:
        raise ReportShapeError(f"รายงานขาดชื่อตาราง ช่วงเวลา และแหล่งข้อมูลของ tables.{table_id}")
    period = note["period"]
    return note["title"], thai.period_text(period["start"], period["end"]), note["source"]


def _count(by_year: Mapping[Any, int], year: str) -> int:
    return int(by_year.get(year, by_year.get(int(year), 0)))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _yearly(report: Mapping[str, Any], table_id: str, rows: Sequence[Mapping[str, Any]], *,
            name_header: str, name_key: str) -> Table:
    """A table of counts per fiscal year with each year's share of that year's total."""
    title, period, source = _note(report, table_id)
    years = [str(year) for year in report["years"]]
    partial = partial_years(report)
    totals = [sum(_count(row["by_year"], year) for row in rows) for year in years]
    columns = [Column(name_header, "text", 28)]
    columns += [Column(f"ปีงบประมาณ {year}{'*' if year in partial else ''} (เรื่อง)", "count",
                       group="จำนวนเรื่อง ปีงบประมาณ พ.ศ.", short=f"{year}{'*' if year in partial else ''}")
                for year in years]
    columns += [Column(f"สัดส่วน {year}", "share", group="สัดส่วนต่อเรื่องทั้งหมดของปี", short=year) for year in years]
    body: list[list[Value]] = []
    for row in rows:
        counts = [_count(row["by_year"], year) for year in years]
        shares = [_share(count, total) for count, total in zip(counts, totals, strict=True)]
        body.append([row[name_key], *counts, *shares])
    total_row: list[Value] = ["รวม", *totals, *[1.0 if total else None for total in totals]]
    chart = Chart(title=title, series=tuple(range(1, len(years) + 1)))
    notes = _partial_notes({year: words for year, words in partial.items() if year in years})
    return Table(id=table_id, title=title, period=period, source=source, columns=tuple(columns), rows=body,
                 total=total_row, chart=chart, notes=notes, empty=sum(totals) == 0)


def _channels(report: Mapping[str, Any], table_id: str) -> Table:
    table = _yearly(report, table_id, report["channels"], name_header="ช่องทาง", name_key="label")
    offline = [row["label"] for row in report["channels"] if row.get("offline")]
    if offline:
        notes = (*table.notes, f"ช่องทางที่เจ้าหน้าที่บันทึกเรื่องเข้าระบบ: {', '.join(offline)}")
        return replace(table, notes=notes)
    return table


def _channels_by_month(report: Mapping[str, Any], table_id: str) -> Table | None:
    rows = [row for row in report["channels"] if "by_month" in row]
    if not rows:
        return None
    title, period, source = _note(report, table_id)
    months = thai.fiscal_months(report["fiscal_year"])
    columns = (Column("ช่องทาง", "text", 24), *(Column(month, "count") for month in months), Column("รวม", "count"))
    body: list[list[Value]] = []
    for row in rows:
        counts = list(row["by_month"])
        if len(counts) != 12:
            raise ReportShapeError(f"by_month ของช่องทาง {row['channel']} ต้องมี 12 เดือน (ต.ค.–ก.ย.)")
        body.append([row["label"], *counts, sum(counts)])
    totals = [sum(row[index] for row in body) for index in range(1, 14)]
    chart = Chart(title=title, series=tuple(range(1, 13)), stacked=True, by_row=True)
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 total=["รวม", *totals], chart=chart, empty=totals[-1] == 0)


def _intents(report: Mapping[str, Any], table_id: str) -> Table:
    return _yearly(report, table_id, report["intents"], name_header="ประเภทเรื่อง", name_key="label")


def _categories(report: Mapping[str, Any], table_id: str) -> Table | None:
    if "categories" not in report:
        return None
    return _yearly(report, table_id, report["categories"], name_header="หมวดเรื่องร้องเรียน", name_key="label")


def _groups(report: Mapping[str, Any], table_id: str) -> Table:
    return _yearly(report, table_id, report["groups"], name_header="กลุ่มผู้รับบริการ", name_key="group")


def _units(report: Mapping[str, Any], table_id: str) -> Table:
    title, period, source = _note(report, table_id)
    columns = (Column("หน่วยงาน", "text", 34), Column("รับเรื่อง", "count"), Column("ดำเนินการแล้วเสร็จ", "count"),
               Column("อยู่ระหว่างดำเนินการ", "count"), Column("เกินกำหนด", "count"),
               Column("ร้อยละแล้วเสร็จ", "share"))
    body: list[list[Value]] = [
        [row["label"], row["received"], row["resolved"], row["open"], row["overdue"],
         _share(row["resolved"], row["received"])]
        for row in report["units"]
    ]
    sums = [sum(int(row[index] or 0) for row in body) for index in range(1, 5)]
    total: list[Value] = ["รวม", *sums, _share(sums[1], sums[0])]
    notes = (f"เกินกำหนด: เรื่องที่ยังไม่แล้วเสร็จและเลยกำหนดตามมาตรฐาน ณ วันที่ {thai.thai_date(report['as_of'])}",)
    chart = Chart(title="เรื่องแล้วเสร็จและอยู่ระหว่างดำเนินการ จำแนกตามหน่วยงาน", series=(2, 3), stacked=True)
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body, total=total,
                 chart=chart, notes=notes, empty=sums[0] == 0)


def _standards(report: Mapping[str, Any], table_id: str) -> Table | None:
    if "standards" not in report:
        return None
    title, period, source = _note(report, table_id)
    columns = (Column("หน่วยงาน", "text", 30), Column("เรื่อง", "text", 26), Column("ตอบรับเรื่อง", "text", 16),
               Column("ตอบผู้ร้องครั้งแรก", "text", 16), Column("แล้วเสร็จ", "text", 16))
    body: list[list[Value]] = []
    for row in report["standards"]:
        stages = list(row.get("stages") or [])
        body.append([row["label"], row["matter"], standard_days_text(row["acknowledge_days"]),
                     standard_days_text(stages[0] if stages else row["resolve_days"]),
                     standard_days_text(row["resolve_days"])])
    notes = ("เรื่องที่ต้องตรวจสอบเพิ่มเติมตอบผู้ร้องครั้งแรกภายในขั้นแรก และแล้วเสร็จภายในกำหนดสุดท้าย "
             "เช่น 5 วันทำการ / 20 วันทำการ",)
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 notes=notes, empty=not body)


def standard_days_text(days: int | None) -> str:
    """A standard's time as people read it: "ภายในวันที่รับเรื่อง" for 0, else "5 วันทำการ"."""
    if days is None:
        return thai.NO_VALUE
    return "ภายในวันที่รับเรื่อง" if days == 0 else f"{days} วันทำการ"


HANDLING_COLUMNS = (
    Column("รับเรื่อง", "count"), Column("แล้วเสร็จ", "count"), Column("แล้วเสร็จภายในมาตรฐาน", "count"),
    Column("ร้อยละภายในมาตรฐาน", "share"), Column("ร้อยละตอบครั้งแรกภายในมาตรฐาน", "share"),
    Column("ตอบรับ มัธยฐาน (วันทำการ)", "days", group="ตอบรับ (วันทำการ)", short="มัธยฐาน"),
    Column("ตอบรับ P90 (วันทำการ)", "days", group="ตอบรับ (วันทำการ)", short="P90"),
    Column("แล้วเสร็จ มัธยฐาน (วันทำการ)", "days", group="แล้วเสร็จ (วันทำการ)", short="มัธยฐาน"),
    Column("แล้วเสร็จ P90 (วันทำการ)", "days", group="แล้วเสร็จ (วันทำการ)", short="P90"),
    Column("ร้องเรียนซ้ำ", "count"),
)


def _handling_values(row: Mapping[str, Any], label: str) -> list[Value]:
    return [label, row["received"], row["resolved"], row["within_standard"], row["within_standard_share"],
            row.get("first_answer_within_share"), row["response_days_median"], row["response_days_p90"], row["resolution_days_median"],
            row["resolution_days_p90"], row["repeat"]]


def _handling(report: Mapping[str, Any], table_id: str, rows_key: str, name_header: str) -> Table:
    title, period, source = _note(report, table_id)
    handling = report["handling"]
    notes = (
        "ร้อยละภายในมาตรฐาน: เรื่องร้องเรียนที่แล้วเสร็จภายในระยะเวลาตามมาตรฐาน ต่อเรื่องร้องเรียนที่รับทั้งหมด",
        "P90: ร้อยละ 90 ของเรื่องใช้เวลาไม่เกินค่านี้ นับเป็นวันทำการ (ไม่รวมวันหยุดราชการ)",
        f"ร้องเรียนซ้ำ: {handling['repeat_rule']}",
    )
    rows = handling[rows_key]
    if "by_year" in handling["total"] and all("by_year" in row for row in rows):
        # three fiscal years side by side, as the seeds compare them: each row's years together, then the totals
        partial = partial_years(report)
        body = [[label, year + ("*" if year in partial else ""), *_handling_values(figures, "")[1:]]
                for label, by_year in [*((row["label"], row["by_year"]) for row in rows),
                                       ("รวม", handling["total"]["by_year"])]
                for year, figures in by_year.items()]
        return Table(id=table_id, title=title, period=period, source=source,
                     columns=(Column(name_header, "text", 28), Column("ปีงบประมาณ", "text", 12), *HANDLING_COLUMNS),
                     rows=body, notes=(*notes, *_partial_notes(partial)), group_first=True,
                     empty=not any(figures["received"] for figures in handling["total"]["by_year"].values()))
    body = [_handling_values(row, row["label"]) for row in rows]
    chart = Chart(title="ร้อยละของเรื่องร้องเรียนที่แล้วเสร็จภายในมาตรฐาน", series=(4,), axis="share")
    return Table(id=table_id, title=title, period=period, source=source,
                 columns=(Column(name_header, "text", 30), *HANDLING_COLUMNS), rows=body,
                 total=_handling_values(handling["total"], "รวม"), chart=chart, notes=notes,
                 empty=handling["total"]["received"] == 0)


def _handling_by_unit(report: Mapping[str, Any], table_id: str) -> Table:
    return _handling(report, table_id, "by_unit", "หน่วยงาน")


def _handling_by_channel(report: Mapping[str, Any], table_id: str) -> Table:
    return _handling(report, table_id, "by_channel", "ช่องทาง")


def _handling_by_category(report: Mapping[str, Any], table_id: str) -> Table | None:
    rows = report["handling"].get("by_category")
    if rows is None:
        return None
    title, period, source = _note(report, table_id)
    partial = partial_years(report)
    first, final = "ตอบครั้งแรกภายในมาตรฐาน", "แล้วเสร็จภายในมาตรฐาน"
    columns = (Column("หมวดเรื่องร้องเรียน", "text", 28), Column("ปีงบประมาณ", "text", 12),
               Column("รับเรื่อง", "count"),
               Column(f"{first} (เรื่อง)", "count", group=first, short="เรื่อง"),
               Column(f"{first} (ร้อยละ)", "share", group=first, short="ร้อยละ"),
               Column(f"{final} (เรื่อง)", "count", group=final, short="เรื่อง"),
               Column(f"{final} (ร้อยละ)", "share", group=final, short="ร้อยละ"),
               Column("ตอบครั้งแรก มัธยฐาน (วันทำการ)", "days", group="มัธยฐาน (วันทำการ)", short="ตอบครั้งแรก"),
               Column("แล้วเสร็จ มัธยฐาน (วันทำการ)", "days", group="มัธยฐาน (วันทำการ)", short="แล้วเสร็จ"))
    body: list[list[Value]] = []
    for row in rows:
        for year, figures in row["by_year"].items():
            body.append([row["label"], year + ("*" if year in partial else ""), figures["received"],
                         figures.get("first_answer_within"), figures.get("first_answer_within_share"),
                         figures["within_standard"], figures["within_standard_share"],
                         figures["response_days_median"], figures["resolution_days_median"]])
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 notes=_partial_notes(partial), empty=not body, group_first=True)


def _complaint_flow(report: Mapping[str, Any], table_id: str) -> Table | None:
    flow = report.get("complaint_flow")
    if flow is None:
        return None
    title, period, source = _note(report, table_id)
    columns = (Column("ขั้นตอน", "text", 36), Column("เรื่องที่ถึงขั้นตอนนี้", "count"),
               Column("ร้อยละของเรื่องร้องเรียน", "share"),
               Column("ระยะเวลาจากขั้นตอนก่อนหน้า มัธยฐาน (วันทำการ)", "days"),
               Column("เรื่องที่วัดระยะเวลาได้", "count"))
    body: list[list[Value]] = [[step["label"], step["reached"], step["reached_share"],
                                step["days_from_previous_median"], step["measured"] if step["step"] != "receive" else None]
                               for step in flow["steps"]]
    notes = tuple(f"การปรับปรุงกระบวนการ ({entry['unit_label']}): {entry['issue']} — เดิม {_steps_days(entry, 'old')} "
                  f"ปรับปรุงเป็น {_steps_days(entry, 'new')}" for entry in flow.get("improvements", ()))
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body, notes=notes,
                 empty=not body or body[0][1] == 0)


def _steps_days(entry: Mapping[str, Any], when: str) -> str:
    steps, days = entry[f"{when}_steps"], entry[f"{when}_days"]
    parts = [f"{steps} ขั้นตอน" if steps is not None else "", f"{days:g} วัน" if days is not None else ""]
    return " ".join(part for part in parts if part) or thai.NO_VALUE


def _partial_notes(partial: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(f"* ปีงบประมาณ {year} มีข้อมูลเพียงบางส่วน ({words}) จึงไม่ใช้เปรียบเทียบเป็นรายปี"
                 for year, words in partial.items())


def _topics(report: Mapping[str, Any], table_id: str) -> Table:
    title, period, source = _note(report, table_id)
    columns = (Column("ไตรมาส", "text", 24), Column("ลำดับ", "count"), Column("ประเด็น", "text", 34),
               Column("จำนวนเรื่อง", "count"), Column("หน่วยงานหลักที่รับผิดชอบ", "text", 30))
    body: list[list[Value]] = []
    for quarter in sorted(report["topics"], key=lambda item: item["quarter"]):
        label = thai.quarter_text(report["fiscal_year"], quarter["quarter"])
        for rank, item in enumerate(quarter["topics"], start=1):
            body.append([label, rank, item["topic"], item["count"], item.get("unit_label") or thai.NO_VALUE])
    notes = ("ประเด็นจากการจัดกลุ่มข้อความของประชาชนโดยอัตโนมัติ ตัดข้อมูลส่วนบุคคลออกแล้ว",)
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 notes=notes, empty=not body, group_first=True)


SATISFACTION_SCALE = "แบบสำรวจ 5 ระดับ: มาก = 4–5 คะแนน, ปานกลาง = 3 คะแนน, น้อย = 1–2 คะแนน (สัดส่วนของผู้ตอบ)"
LEVELS = ("5", "4", "3", "2", "1")


def _satisfaction(report: Mapping[str, Any], table_id: str, rows_key: str, name_header: str, name_key: str,
                  total_label: str) -> Table:
    """Each channel or group with a row per compared year: surveys sent and answered, the five scores and the
    high/medium/low shares of those who answered (a report without `by_year` gives its one year)."""
    title, period, source = _note(report, table_id)
    satisfaction = report["satisfaction"]
    partial = partial_years(report)
    score = "สัดส่วนผู้ตอบตามคะแนน"
    level = "ระดับความพึงพอใจ"
    columns = (Column(name_header, "text", 28), Column("ปีงบประมาณ", "text", 12),
               Column("ส่งแบบสำรวจ (ครั้ง)", "count"), Column("ผู้ตอบ (คน)", "count"),
               Column("อัตราการตอบกลับ", "share"),
               *(Column(f"{level_} คะแนน", "share", group=score, short=level_) for level_ in LEVELS),
               Column("พึงพอใจมาก", "share", group=level, short="มาก"),
               Column("ปานกลาง", "share", group=level, short="ปานกลาง"),
               Column("น้อย", "share", group=level, short="น้อย"), Column("คะแนนเฉลี่ย (เต็ม 5)", "score"))

    def values(row: Mapping[str, Any], label: str, year: str) -> list[Value]:
        levels = row.get("levels") or {}
        answered = row["responses"]
        return [label, year + ("*" if year in partial else ""), row["asked"], answered, row["response_rate"],
                *(_share(int(levels[level_]), answered) if level_ in levels else None for level_ in LEVELS),
                row["high"], row["medium"], row["low"], row.get("mean_score")]

    def year_rows(row: Mapping[str, Any], label: str) -> list[list[Value]]:
        by_year = row.get("by_year") or {str(report["fiscal_year"]): row}
        return [values(figures, label, year) for year, figures in by_year.items()]

    body = [cells for row in satisfaction[rows_key] for cells in year_rows(row, row[name_key])]
    overall = satisfaction["overall"]
    body += year_rows(overall, total_label)
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 notes=(SATISFACTION_SCALE, *_partial_notes(partial)), group_first=True,
                 empty=overall["asked"] == 0 and overall["responses"] == 0 and not satisfaction[rows_key])


def _satisfaction_by_channel(report: Mapping[str, Any], table_id: str) -> Table:
    return _satisfaction(report, table_id, "by_channel", "ช่องทาง", "label", "รวมทุกช่องทาง")


def _satisfaction_by_group(report: Mapping[str, Any], table_id: str) -> Table:
    return _satisfaction(report, table_id, "by_group", "กลุ่มผู้รับบริการ", "group", "รวมทุกกลุ่ม")


def _satisfaction_reasons(report: Mapping[str, Any], table_id: str) -> Table:
    title, period, source = _note(report, table_id)
    reasons = report["satisfaction"]["reasons"]
    columns = (Column("เหตุผล", "text", 40), Column("จำนวน (ครั้ง)", "count"), Column("สัดส่วน", "share"))
    body: list[list[Value]] = [[row["reason"], row["count"], row["share"]] for row in reasons]
    count = sum(row["count"] for row in reasons)
    chart = Chart(title=title, series=(1,))
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 total=["รวม", count, 1.0 if count else None], chart=chart, empty=count == 0,
                 notes=("ผู้ตอบที่ให้ 1–2 คะแนนเลือกเหตุผลหลักได้หนึ่งข้อ",))


def _improvements(report: Mapping[str, Any], table_id: str) -> Table:
    title, period, source = _note(report, table_id)
    columns = (Column("วันที่เริ่มใช้", "date", 14), Column("หน่วยงาน", "text", 24),
               Column("ประเด็นที่รับฟัง", "text", 36), Column("ที่มา", "text", 30),
               Column("กระบวนการเดิม", "text", 36), Column("ขั้นตอนเดิม", "count"), Column("วันเดิม", "days"),
               Column("กระบวนการใหม่", "text", 36), Column("ขั้นตอนใหม่", "count"), Column("วันใหม่", "days"),
               Column("หลักฐาน", "text", 30))
    body: list[list[Value]] = [
        [row["date"], row["unit_label"], row["issue"], row["linked_to"], row["old_process"], row["old_steps"],
         row["old_days"], row["new_process"], row["new_steps"], row["new_days"], row["evidence"]]
        for row in report["improvements"]
    ]
    chart = Chart(title="ระยะเวลาก่อนและหลังปรับปรุง (วัน)", series=(6, 9), axis="days", category=2)
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 chart=chart, empty=not body, records=True)


def _group_services(report: Mapping[str, Any], table_id: str) -> Table:
    """Register entries that adapted a service for one citizen group, grouped by the group (PMQA 3.3)."""
    title, period, source = _note(report, table_id)
    columns = (Column("กลุ่มผู้รับบริการ", "text", 24), Column("วันที่เริ่มใช้", "date", 14),
               Column("หน่วยงาน", "text", 24), Column("ประเด็นที่รับฟัง", "text", 34),
               Column("บริการที่ปรับ", "text", 36), Column("เดิม", "text", 16), Column("ปรับปรุงแล้ว", "text", 16))
    entries = [row for row in report["improvements"] if row.get("citizen_group")]
    order = {name: index for index, name in enumerate(row["group"] for row in report["groups"])}
    entries.sort(key=lambda row: (order.get(row["citizen_group"], len(order)), row["citizen_group"], row["date"]))
    body: list[list[Value]] = [[row["citizen_group"], row["date"], row["unit_label"], row["issue"],
                                row["new_process"], _steps_days(row, "old"), _steps_days(row, "new")]
                               for row in entries]
    return Table(id=table_id, title=title, period=period, source=source, columns=columns, rows=body,
                 empty=not body, group_first=True)
