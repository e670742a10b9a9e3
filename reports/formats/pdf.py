"""The report as a PDF laid out like a Thai government report (WeasyPrint: Pango/HarfBuzz Thai shaping)."""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports import thai
from reports.formats.pdf_unicode import fix_thai_text_map
from reports.tables import (
    SECTIONS,
    Column,
    Table,
    Value,
    build_tables,
    key_figures,
    report_is_empty,
)
from web import charts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# (family asked of fontconfig, regular file, bold file) in order of preference: TH Sarabun's TLWG clone, then Noto.
FONT_CANDIDATES = (
    ("Laksaman", Path("/usr/share/fonts/truetype/tlwg/Laksaman.ttf"),
     Path("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf")),
    ("Noto Sans Thai", Path("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf"),
     Path("/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf")),
)
FONT_FAMILY = "ReportThai"   # the @font-face family of templates/pmqa_report.html and .css
WIDE_COLUMNS = 10   # tables this wide go on landscape pages


class ThaiFontMissing(RuntimeError):
    """No Thai font to embed in the PDF."""


@dataclass(frozen=True)
class ThaiFont:
    family: str
    regular: Path
    bold: Path


def _fc_match(family: str, style: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(["fc-match", f"{family}:style={style}", "--format=%{file}"], capture_output=True,
                           text=True, timeout=10, check=False)
    path = Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else None
    return path if path and path.is_file() and family.replace(" ", "") in path.name.replace(" ", "") else None


@functools.cache
def find_thai_font() -> ThaiFont:
    """The Thai font files to embed: fontconfig's Laksaman or Noto Sans Thai, else their Debian paths."""
    for family, regular, bold in FONT_CANDIDATES:
        found_regular = _fc_match(family, "Regular") or (regular if regular.is_file() else None)
        found_bold = _fc_match(family, "Bold") or (bold if bold.is_file() else None)
        if found_regular is not None:
            return ThaiFont(family=family, regular=found_regular, bold=found_bold or found_regular)
    raise ThaiFontMissing(
        "ไม่พบฟอนต์ภาษาไทยสำหรับสร้างรายงาน PDF: ติดตั้งแพ็กเกจ fonts-thai-tlwg (ฟอนต์ Laksaman) "
        "หรือ fonts-noto-core (Noto Sans Thai) แล้วลองใหม่อีกครั้ง")


def _cell_text(value: Value, column: Column) -> str:
    if value is None:
        return thai.NO_VALUE
    if column.kind == "count":
        return thai.count_text(value)  # type: ignore[arg-type]
    if column.kind == "share":
        return thai.share_text(value)  # type: ignore[arg-type]
    if column.kind == "days":
        return thai.days_text(value)  # type: ignore[arg-type]
    if column.kind == "score":
        return f"{value:.2f}"
    if column.kind == "date":
        return thai.thai_date(str(value))
    return str(value)


def _heading(text: str) -> Markup:
    """A column heading whose unit in brackets stays whole on its own line: "ผู้ตอบ / (คน)"."""
    main, bracket, unit = text.partition(" (")
    if not bracket:
        return keep_whole(main)
    return Markup('{}<br><span class="unit">({}</span>').format(keep_whole(main), unit)


def _header_rows(columns: tuple[Column, ...]) -> list[list[dict[str, Any]]]:
    """One heading row, or two when columns are grouped (the group spans its columns; the others span both rows)."""
    grouped = any(column.group for column in columns)
    top: list[dict[str, Any]] = []
    below: list[dict[str, Any]] = []
    for index, column in enumerate(columns):
        if column.group is None or not grouped:
            top.append({"text": _heading(column.header), "rowspan": 2 if grouped else 1, "colspan": 1,
                        "first": index == 0})
            continue
        if top and top[-1].get("group") == column.group:
            top[-1]["colspan"] += 1
        else:
            top.append({"text": _heading(column.group), "rowspan": 1, "colspan": 1, "group": column.group,
                        "first": index == 0})
        below.append({"text": _heading(column.short or column.header), "rowspan": 1, "colspan": 1})
    return [top, below] if grouped else [top]


def _cells(table: Table, values: list[Value]) -> list[dict[str, Any]]:
    start = 1 if table.group_first else 0
    return [{"text": _cell_text(value, column), "numeric": column.kind != "text"}
            for column, value in zip(table.columns[start:], values[start:], strict=True)]


def _rows(table: Table) -> list[dict[str, Any]]:
    """Body rows; a table grouped by its first column gets a heading row where that value changes."""
    rows: list[dict[str, Any]] = []
    previous: Value = None
    for values in table.rows:
        if table.group_first and values[0] != previous:
            rows.append({"group": _cell_text(values[0], table.columns[0])})
            previous = values[0]
        rows.append({"cells": _cells(table, values)})
    return rows


def _chart(table: Table) -> Markup | None:
    spec = table.chart
    if spec is None or table.empty or not table.rows:
        return None
    kind = table.columns[spec.series[0]].kind
    text = {"share": thai.share_text, "days": thai.days_text}.get(kind, thai.count_text)
    if spec.by_row:
        totals = [sum(float(row[index] or 0) for row in table.rows) for index in spec.series]
        months = [table.columns[index].header.split()[0] for index in spec.series]
        return Markup(charts.table_columns(categories=months, values=totals, value_text=text))
    categories = [str(row[spec.category]) for row in table.rows]
    if table.records:
        categories = [f"{number}. {charts.shorten(name, 36)}" for number, name in enumerate(categories, start=1)]
    series = [(table.columns[index].header, [row[index] for row in table.rows]) for index in spec.series]
    colours = charts.REPORT_SATISFACTION_COLORS if spec.stacked and spec.axis == "share" else charts.REPORT_PALETTE
    return Markup(charts.table_bars(categories=categories, series=series,  # type: ignore[arg-type]
                                    stacked=spec.stacked, value_text=text, share_axis=spec.axis == "share",
                                    colours=colours))


def _days(value: Value) -> str:
    """Days in running text: "12", "0.5"."""
    return f"{value:g}" if isinstance(value, int | float) else thai.NO_VALUE


def _records(table: Table) -> list[dict[str, Any]]:
    """Improvement register entries as blocks: each with its facts as label/value pairs."""
    records = []
    for values in table.rows:
        pairs = list(zip(table.columns, values, strict=True))
        by_header = {column.header: _cell_text(value, column) for column, value in pairs}
        raw = {column.header: value for column, value in pairs}
        old_days, new_days = raw["วันเดิม"], raw["วันใหม่"]
        saved = ""
        if isinstance(old_days, int | float) and isinstance(new_days, int | float) and old_days > 0:
            saved = (f"ลดระยะเวลาลง {_days(old_days - new_days)} วัน "
                     f"({thai.share_text((old_days - new_days) / old_days)})")
        records.append({
            "issue": by_header["ประเด็นที่รับฟัง"],
            "facts": [
                ("วันที่เริ่มใช้", by_header["วันที่เริ่มใช้"]), ("หน่วยงาน", by_header["หน่วยงาน"]),
                ("ที่มา", by_header["ที่มา"]),
                (f"กระบวนการเดิม ({by_header['ขั้นตอนเดิม']} ขั้นตอน, {_days(old_days)} วัน)",
                 by_header["กระบวนการเดิม"]),
                (f"กระบวนการใหม่ ({by_header['ขั้นตอนใหม่']} ขั้นตอน, {_days(new_days)} วัน)",
                 by_header["กระบวนการใหม่"]),
                *([("ผลการปรับปรุง", saved)] if saved else []),
                ("หลักฐาน", by_header["หลักฐาน"]),
            ],
        })
    return records


def _view(report: Mapping[str, Any], tables: list[Table]) -> dict[str, Any]:
    by_id = {table.id: table for table in tables}
    sections, number = [], 0
    for heading, ids in SECTIONS:
        items = []
        for table_id in ids:
            table = by_id.get(table_id)
            if table is None:
                continue
            number += 1
            items.append({
                "number": number, "table": table, "rows": _rows(table), "chart": _chart(table),
                "records": _records(table) if table.records and not table.empty else None,
                "header_rows": _header_rows(table.columns[1 if table.group_first else 0:]),
                "width": len(table.columns) - (1 if table.group_first else 0),
                "total": _cells(table, table.total) if table.total else None,
                "compact": len(table.rows) <= 16,
                "wide": len(table.columns) >= WIDE_COLUMNS and not table.records and not table.empty,
                "dense": len(table.columns) >= 12,
            })
        sections.append({"heading": heading, "items": items})
    figures = [(label, _cell_text(value, Column(label, kind))) for label, value, kind in key_figures(report)]
    return {"report": report, "sections": sections, "figures": figures, "empty": report_is_empty(report),
            "fiscal_year_text": thai.fiscal_year_text(report["fiscal_year"]),
            "as_of": thai.thai_date(report["as_of"], short=False),
            "generated_at": thai.thai_moment(report["generated_at"]), "empty_text": thai.EMPTY_TEXT}


# Compounds the Thai word breaker splits though a reader would not: "ปี|งบประมาณ", "วัน|ทำการ".
KEEP_WHOLE = re.compile(r"ปีงบประมาณ(?: พ\.ศ\.)?(?: \d{4})?|วันทำการ|ผู้รับบริการ|พ\.ศ\. \d{4}")


def keep_whole(text: str) -> Markup:
    """Escaped text whose Thai compounds (ปีงบประมาณ พ.ศ. 2569, วันทำการ) are never split across lines."""
    parts, last = [], 0
    for match in KEEP_WHOLE.finditer(text):
        parts.append(Markup.escape(text[last:match.start()]))
        parts.append(Markup('<span class="whole">{}</span>').format(match.group()))
        last = match.end()
    parts.append(Markup.escape(text[last:]))
    return Markup("").join(parts)


@functools.cache
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters["whole"] = keep_whole
    return environment


def render_html(report: Mapping[str, Any]) -> str:
    """The report as the HTML page the PDF is printed from (font files referenced by their system paths)."""
    font = find_thai_font()
    tables = build_tables(report)
    return _environment().get_template("pmqa_report.html").render(
        **_view(report, tables), font=font, font_regular=font.regular.as_uri(), font_bold=font.bold.as_uri())


def render_pdf(report: Mapping[str, Any]) -> bytes:
    """The report as an A4 PDF with the Thai font embedded, Thai page numbers and every table and chart."""
    # imported here, not at the top: loading Pango takes ~0.5 s and only a PDF needs it
    from weasyprint import HTML

    font = find_thai_font()

    def finish(_document: Any, pdf: Any) -> None:
        fix_thai_text_map(pdf, regular=font.regular, bold=font.bold, family=FONT_FAMILY)

    return HTML(string=render_html(report), base_url=str(TEMPLATES)).write_pdf(finisher=finish)
