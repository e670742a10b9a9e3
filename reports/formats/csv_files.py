"""The report as CSV: one UTF-8 (with BOM, so Excel reads Thai) file per table, or all of them in a ZIP."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from reports import thai
from reports.formats.cells import neutral_text
from reports.tables import Column, Table, Value, build_tables, table_by_id

BOM = "\ufeff"
INDEX_NAME = "00_index.csv"


def _csv_value(value: Value, column: Column) -> str | int | float:
    """A cell as Excel reads it: plain numbers, shares as percentages with one decimal, days kept as data."""
    if value is None:
        return ""
    if column.kind == "share":
        return round(float(value) * 100, 1)
    if column.kind in ("days", "score"):
        return round(float(value), 2)
    return value


def _header(column: Column) -> str:
    return f"{column.header} (ร้อยละ)" if column.kind == "share" else column.header


def _encode(rows: list[list[Any]]) -> bytes:
    """Rows as CSV bytes; text a spreadsheet would run as a formula is neutralised (cells.neutral_text)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    csv.writer(buffer, lineterminator="\r\n").writerows([neutral_text(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def table_csv(table: Table) -> bytes:
    """One table as CSV: a heading row and a row per entry; the total row last, labelled รวม."""
    rows: list[list[Any]] = [[_header(column) for column in table.columns]]
    for values in table.rows:
        rows.append([_csv_value(value, column) for column, value in zip(table.columns, values, strict=True)])
    if table.total is not None and table.rows:
        rows.append([_csv_value(value, column) for column, value in zip(table.columns, table.total, strict=True)])
    return _encode(rows)


def file_name(table: Table, number: int) -> str:
    """The table's file name in the ZIP: ASCII, numbered in report order (Thai names break on some unzip tools)."""
    return f"{number:02d}_{table.id}.csv"


def render_csv(report: Mapping[str, Any], *, table: str) -> bytes:
    """One table of the report, by id (e.g. "channels"), as CSV; KeyError with a Thai message for an unknown id."""
    return table_csv(table_by_id(report, table))


def render_csv_zip(report: Mapping[str, Any]) -> bytes:
    """Every table as its own CSV, with an index (file, title, period, source, note), in one ZIP."""
    tables = build_tables(report)
    index: list[list[Any]] = [["ไฟล์", "ตาราง", "ช่วงเวลา", "แหล่งข้อมูล", "หมายเหตุ"]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(tables, start=1):
            name = file_name(table, number)
            notes = [thai.EMPTY_TEXT] if table.empty else list(table.notes)
            index.append([name, table.title, table.period, table.source, " / ".join(notes)])
            archive.writestr(name, table_csv(table))
        facts = [["หน่วยงาน", report["agency_name"]], ["ปีงบประมาณ", thai.fiscal_year_text(report["fiscal_year"])],
                 ["ขอบเขตข้อมูล", report["scope"]], ["จัดทำเมื่อ", thai.thai_moment(report["generated_at"])]]
        archive.writestr(INDEX_NAME, _encode([*facts, [], *index]))
    return buffer.getvalue()
