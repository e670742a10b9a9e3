"""A report table as HTML rows: the one view of `reports.tables.Table` the web page and the printed PDF both render.

Headings, body rows, the total row and the chart come from the table definition, so the page, the PDF, the
spreadsheet and the CSV cannot show different columns: a table grouped by its first column (the quarters of the
topics table) shows that column as a heading row over its rows, in the header as in every row.
"""
from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from reports import thai
from web import charts
from reports.tables import Column, Table, Value


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


def cell_text(value: Value, column: Column) -> str:
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
    return [{"text": cell_text(value, column), "numeric": column.kind != "text"}
            for column, value in zip(table.columns[start:], values[start:], strict=True)]


def _rows(table: Table) -> list[dict[str, Any]]:
    """Body rows; a table grouped by its first column gets a heading row where that value changes."""
    rows: list[dict[str, Any]] = []
    previous: Value = None
    for values in table.rows:
        if table.group_first and values[0] != previous:
            rows.append({"group": cell_text(values[0], table.columns[0])})
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
    return Markup(charts.table_bars(categories=categories, series=series, stacked=spec.stacked,  # type: ignore[arg-type]
                                    value_text=text, share_axis=spec.axis == "share", colours=colours))


def table_view(table: Table) -> dict[str, Any]:
    """Headings, rows, total and chart of one table, with `width` the number of columns every row has."""
    shown = table.columns[1 if table.group_first else 0:]
    return {"table": table, "header_rows": _header_rows(shown), "width": len(shown), "rows": _rows(table),
            "chart": _chart(table), "total": _cells(table, table.total) if table.total and table.rows else None}
