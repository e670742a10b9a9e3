"""The report as an Excel workbook: a cover sheet, then one sheet per table with its chart."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports import thai
from reports.formats.cells import text_cells_as_text
from reports.tables import (
    Column,
    Table,
    Value,
    build_tables,
    key_figures,
    report_is_empty,
)

SHEET_NAMES = {
    "channels": "ช่องทาง", "channels_by_month": "ช่องทางรายเดือน", "intents": "ประเภทเรื่อง",
    "categories": "หมวดเรื่องร้องเรียน", "groups": "กลุ่มผู้รับบริการ", "units": "หน่วยงาน",
    "standards": "มาตรฐานการให้บริการ", "handling_by_unit": "ร้องเรียน-หน่วยงาน",
    "handling_by_channel": "ร้องเรียน-ช่องทาง", "topics": "ประเด็นรายไตรมาส",
    "satisfaction_by_channel": "พึงพอใจ-ช่องทาง", "satisfaction_by_group": "พึงพอใจ-กลุ่ม",
    "satisfaction_reasons": "เหตุผลไม่พึงพอใจ", "improvements": "ทะเบียนการปรับปรุง",
    "handling_by_category": "ร้องเรียน-หมวด", "complaint_flow": "ขั้นตอนร้องเรียน",
    "group_services": "บริการตามกลุ่ม",
}
NUMBER_FORMATS = {"count": "#,##0", "share": "0.0%", "days": "0.0", "score": "0.00",
                  # Thai Buddhist calendar (07), Thai locale (041E): 12 ม.ค. 2569
                  "date": "[$-107041E]d mmm yyyy"}
FONT = "Tahoma"
HEADER_ROW = 5
THIN = Side(style="thin", color="9AA5B1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
SERIES_COLOURS = ("1F4E79", "2E75B6", "9DC3E6", "C55A11", "70AD47", "FFC000", "7030A0", "A5A5A5", "264478",
                  "9E480E", "636363", "997300")
SATISFACTION_COLOURS = ("2E7D32", "F9A825", "C62828")


def render_xlsx(report: Mapping[str, Any]) -> bytes:
    """The report as an .xlsx workbook: cover sheet, one sheet per table, numbers as numbers, Thai headings."""
    tables = build_tables(report)
    workbook = Workbook()
    cover = workbook.active
    cover.title = "ปก"
    _write_cover(cover, report, tables)
    for table in tables:
        _write_table(workbook.create_sheet(SHEET_NAMES[table.id]), table)
    workbook.properties.title = f"รายงานหลักฐาน PMQA หมวด 3 ปีงบประมาณ พ.ศ. {report['fiscal_year']}"
    workbook.properties.creator = report["agency_name"]
    text_cells_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _font(*, bold: bool = False, size: int = 10, colour: str = "000000", underline: str | None = None) -> Font:
    return Font(name=FONT, bold=bold, size=size, color=colour, underline=underline)


def _write_cover(sheet: Worksheet, report: Mapping[str, Any], tables: list[Table]) -> None:
    sheet.sheet_view.showGridLines = False
    _fit_to_page_width(sheet, landscape=False)
    sheet.column_dimensions["A"].width = 52
    sheet.column_dimensions["B"].width = 62
    sheet["A1"] = report["agency_name"]
    sheet["A1"].font = _font(bold=True, size=18)
    sheet["A2"] = "รายงานผลการรับฟังเสียงประชาชนและการจัดการข้อร้องเรียน"
    sheet["A2"].font = _font(bold=True, size=14)
    sheet["A3"] = "หลักฐานประกอบเกณฑ์ PMQA 4.0 หมวด 3 การให้ความสำคัญกับผู้รับบริการและผู้มีส่วนได้ส่วนเสีย"
    sheet["A3"].font = _font(size=11)
    facts = (
        ("ปีงบประมาณ", thai.fiscal_year_text(report["fiscal_year"])),
        ("ข้อมูล ณ วันที่", thai.thai_date(report["as_of"], short=False)),
        ("ขอบเขตข้อมูล", report["scope"]),
        ("จัดทำเมื่อ", thai.thai_moment(report["generated_at"])),
        ("จัดทำโดย", "ระบบฟังเสียง คำนวณจากข้อมูลที่บันทึกในระบบ ณ เวลาที่จัดทำ"),
    )
    row = 5
    for label, value in facts:
        sheet.cell(row, 1, label).font = _font(bold=True, size=11)
        sheet.cell(row, 2, value).font = _font(size=11)
        row += 1
    row += 1
    if report_is_empty(report):
        sheet.cell(row, 1, thai.EMPTY_TEXT).font = _font(bold=True, size=12, colour="C00000")
        row += 2
    sheet.cell(row, 1, "ตัวเลขสำคัญ").font = _font(bold=True, size=12)
    row += 1
    for label, value, kind in key_figures(report):
        sheet.cell(row, 1, label).font = _font(size=11)
        cell = sheet.cell(row, 2, value if value is not None else thai.NO_VALUE)
        cell.font = _font(bold=True, size=11)
        cell.alignment = Alignment(horizontal="left")
        if value is not None:
            cell.number_format = NUMBER_FORMATS[kind]
        row += 1
    row += 1
    sheet.cell(row, 1, "สารบัญ").font = _font(bold=True, size=12)
    row += 1
    for table in tables:
        name = SHEET_NAMES[table.id]
        link = sheet.cell(row, 1, name)
        link.hyperlink = f"#'{name}'!A1"
        link.font = _font(size=11, colour="0563C1", underline="single")
        sheet.cell(row, 2, table.title).font = _font(size=11)
        row += 1


def _cell_value(value: Value, column: Column) -> Value | dt.date:
    if value is None:
        return None
    if column.kind == "date" and isinstance(value, str):
        return thai.parse_day(value)
    return value


def _write_table(sheet: Worksheet, table: Table) -> None:
    columns = table.columns
    last_column = len(columns)
    sheet["A1"] = table.title
    sheet["A1"].font = _font(bold=True, size=13)
    sheet["A2"] = f"ช่วงเวลา: {table.period}"
    sheet["A3"] = f"แหล่งข้อมูล: {table.source}"
    for cell in (sheet["A2"], sheet["A3"]):
        cell.font = _font(size=10, colour="404040")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, index, column.header)
        cell.font = _font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[HEADER_ROW].height = 42
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2)
    row = HEADER_ROW + 1
    if table.empty:
        sheet.cell(row, 1, thai.EMPTY_TEXT).font = _font(bold=True, colour="C00000")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
        row += 1
    else:
        for values in table.rows:
            _write_row(sheet, row, columns, values, bold=False)
            row += 1
        if table.total is not None:
            _write_row(sheet, row, columns, table.total, bold=True)
            row += 1
    row += 1
    for note in table.notes:
        sheet.cell(row, 1, f"หมายเหตุ: {note}").font = _font(size=9, colour="404040")
        row += 1
    _size_columns(sheet, table)
    if table.chart is not None and not table.empty and table.rows:
        _add_chart(sheet, table, first_row=HEADER_ROW + 1, last_row=HEADER_ROW + len(table.rows),
                   below_row=row + 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _fit_to_page_width(sheet, landscape=True)


def _fit_to_page_width(sheet: Worksheet, *, landscape: bool) -> None:
    """Printed on A4, as wide as the page, as many pages long as it takes."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_row(sheet: Worksheet, row: int, columns: tuple[Column, ...], values: list[Value], *, bold: bool) -> None:
    for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
        cell = sheet.cell(row, index, _cell_value(value, column))
        cell.font = _font(bold=bold)
        cell.border = BORDER
        if bold:
            cell.fill = TOTAL_FILL
        if column.kind == "text":
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        else:
            cell.number_format = NUMBER_FORMATS[column.kind]
            cell.alignment = Alignment(horizontal="right", vertical="top")


def _size_columns(sheet: Worksheet, table: Table) -> None:
    for index, column in enumerate(table.columns, start=1):
        if column.kind == "text":
            longest = max((thai.display_width(str(row[index - 1] or "")) for row in table.rows), default=10)
            width = min(max(column.width, longest + 2), column.width + 20 if column.width else 40)
        else:
            width = max(12, min(thai.display_width(column.header) // 2 + 3, 18))
        sheet.column_dimensions[get_column_letter(index)].width = width


def _add_chart(sheet: Worksheet, table: Table, *, first_row: int, last_row: int, below_row: int) -> None:
    spec = table.chart
    assert spec is not None
    chart = BarChart()
    chart.title = spec.title
    chart.style = 10
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if spec.by_row:
        chart.type = "col"
        for row in range(first_row, last_row + 1):
            chart.add_data(Reference(sheet, min_col=1, max_col=spec.series[-1] + 1, min_row=row, max_row=row),
                           from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=spec.series[0] + 1, max_col=spec.series[-1] + 1,
                                       min_row=HEADER_ROW, max_row=HEADER_ROW))
        categories = len(spec.series)
    else:
        chart.type = "bar"
        chart.x_axis.scaling.orientation = "maxMin"   # first row at the top, as in the table
        for column in spec.series:
            chart.add_data(Reference(sheet, min_col=column + 1, min_row=HEADER_ROW, max_row=last_row),
                           titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=spec.category + 1, min_row=first_row, max_row=last_row))
        categories = last_row - first_row + 1
    if spec.stacked:
        chart.grouping = "percentStacked" if spec.axis == "share" else "stacked"
        chart.overlap = 100
    if spec.axis == "share":
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
    colours = SATISFACTION_COLOURS if spec.axis == "share" and spec.stacked else SERIES_COLOURS
    for index, series in enumerate(chart.series):
        series.graphicalProperties.solidFill = colours[index % len(colours)]
        series.graphicalProperties.line.noFill = True
    bars = categories * (1 if spec.stacked else len(spec.series))
    chart.width = 20
    chart.height = 8 if spec.by_row else max(7.5, min(0.55 * bars + 3, 24))
    wide = len(table.columns) > 7
    anchor = f"A{below_row}" if wide else f"{get_column_letter(len(table.columns) + 2)}{HEADER_ROW}"
    sheet.add_chart(chart, anchor)
