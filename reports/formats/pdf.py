"""The report as a PDF laid out like a Thai government report (WeasyPrint: Pango/HarfBuzz Thai shaping)."""
from __future__ import annotations

import functools
import gc
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports import thai
from reports.formats.html import cell_text, keep_whole, table_view
from reports.formats.pdf_unicode import fix_thai_text_map
from reports.tables import SECTIONS, Column, Table, Value, build_tables, key_figures, report_is_empty

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# (family asked of fontconfig, regular file, bold file) in order of preference: TH Sarabun's TLWG clone, then Noto.
FONT_CANDIDATES = (
    ("Laksaman", Path("/usr/share/fonts/truetype/tlwg/Laksaman.ttf"),
     Path("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf")),
    ("Noto Sans Thai", Path("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf"),
     Path("/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf")),
)
FONT_FAMILY = "ReportThai"   # the @font-face family of templates/pmqa_report.html and .css
WIDE_COLUMNS = 16   # tables this wide go on landscape pages (a landscape page of its own leaves pages half empty)


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


def _days(value: Value) -> str:
    """Days in running text: "12", "0.5"."""
    return f"{value:g}" if isinstance(value, int | float) else thai.NO_VALUE


def _records(table: Table) -> list[dict[str, Any]]:
    """Improvement register entries as blocks: each with its facts as label/value pairs."""
    records = []
    for values in table.rows:
        pairs = list(zip(table.columns, values, strict=True))
        by_header = {column.header: cell_text(value, column) for column, value in pairs}
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
                **table_view(table), "number": number,
                "records": _records(table) if table.records and not table.empty else None,
                "compact": len(table.rows) <= 16,
                "wide": len(table.columns) >= WIDE_COLUMNS and not table.records and not table.empty,
                "dense": len(table.columns) >= 10,
            })
        sections.append({"heading": heading, "items": items})
    figures = [(label, cell_text(value, Column(label, kind))) for label, value, kind in key_figures(report)]
    return {"report": report, "sections": sections, "figures": figures, "empty": report_is_empty(report),
            "fiscal_year_text": thai.fiscal_year_text(report["fiscal_year"]),
            "as_of": thai.thai_date(report["as_of"], short=False),
            "generated_at": thai.thai_moment(report["generated_at"]), "empty_text": thai.EMPTY_TEXT}


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


_collector = threading.Lock()
_paused = {"renders": 0, "was_enabled": False}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while WeasyPrint lays out (it re-scanned the process's objects ~20 % of the
    render's CPU); back to how it was when the last render running in the process ends."""
    with _collector:
        if _paused["renders"] == 0:
            _paused["was_enabled"] = gc.isenabled()
            gc.disable()
        _paused["renders"] += 1
    try:
        yield
    finally:
        with _collector:
            _paused["renders"] -= 1
            if _paused["renders"] == 0 and _paused["was_enabled"]:
                gc.enable()


_warming = threading.Lock()  # WeasyPrint's (Pango's, fontconfig's) first-time set-up is not safe in two threads at once


def prepare_pdf() -> None:
    """WeasyPrint loaded and one Thai line laid out in the report's font (Pango, HarfBuzz and the Thai word breaker
    ready): a PDF build runs this beside its queries, so its render starts warm; a render that comes first waits for
    it (or does it). Once per process."""
    with _warming:
        _warm_up()


@functools.cache
def _warm_up() -> None:
    """The warm-up itself, done once (called under `_warming`)."""
    from weasyprint import HTML

    font = find_thai_font()
    HTML(string=(f'<style>@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font.regular.as_uri()}"); }}'
                 f'p {{ font-family: "{FONT_FAMILY}"; }}</style><p>จำนวนเรื่องร้องเรียน ๑๒</p>')).render()


def render_pdf(report: Mapping[str, Any]) -> bytes:
    """The report as an A4 PDF with the Thai font embedded, Thai page numbers and every table and chart."""
    # imported here, not at the top: loading Pango takes ~0.5 s and only a PDF needs it
    from weasyprint import HTML

    prepare_pdf()  # never lays out beside a first-time set-up still running in another thread
    font = find_thai_font()

    def finish(_document: Any, pdf: Any) -> None:
        fix_thai_text_map(pdf, regular=font.regular, bold=font.bold, family=FONT_FAMILY)

    with _collector_paused():
        return HTML(string=render_html(report), base_url=str(TEMPLATES)).write_pdf(finisher=finish)


render_pdf.prepare = prepare_pdf  # type: ignore[attr-defined]  # reports.cache starts it when a PDF build begins
