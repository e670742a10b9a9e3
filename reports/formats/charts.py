"""Bar charts for the PDF: bars drawn as inline SVG, Thai labels left in HTML so Pango shapes them.

WeasyPrint's SVG text is laid out glyph by glyph (Thai vowels and tone marks come out as dotted circles), so
every Thai word stays in HTML table cells and the SVG carries only shapes and Arabic numerals.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from html import escape

from reports.thai import display_width

PALETTE = ("#1F4E79", "#2E75B6", "#9DC3E6", "#C55A11", "#70AD47", "#FFC000", "#7030A0", "#A5A5A5")
SATISFACTION_PALETTE = ("#2E7D32", "#F9A825", "#C62828")
Series = tuple[str, Sequence[float | None]]
BAR_AREA = 340      # px of bar length at the largest value
NUMBER_FONT = "font-family=\"ReportThai\" font-size=\"11\""


def shorten(text: str, limit: int) -> str:
    """The text cut to `limit` display columns with an ellipsis, never between a letter and its marks."""
    if display_width(text) <= limit:
        return text
    kept, used = [], 0
    for char in text:
        if unicodedata.category(char) != "Mn":
            if used >= limit - 1:
                break
            used += 1
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _svg(width: float, height: float, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'style="width: {width:.0f}px; height: {height:.0f}px" viewBox="0 0 {width:.0f} {height:.0f}">'
            f"{body}</svg>")


def _legend(series: Sequence[Series], colours: Sequence[str]) -> str:
    keys = []
    for index, (name, _) in enumerate(series):
        square = _svg(10, 10, f'<rect width="10" height="10" fill="{colours[index % len(colours)]}"/>')
        keys.append(f'<span class="key">{square} {escape(name)}</span>')
    return f'<p class="legend">{"".join(keys)}</p>'


def bar_chart(*, categories: Sequence[str], series: Sequence[Series], stacked: bool,
              value_text: Callable[[float | None], str], share_axis: bool = False,
              colours: Sequence[str] = PALETTE) -> str:
    """Horizontal bars, one table row per category: series side by side, or stacked to 100% for shares."""
    bar = 15 if stacked else 10
    top = 1.0 if share_axis else max((value or 0 for _, values in series for value in values), default=0)
    scale = BAR_AREA / top if top else 0
    width = BAR_AREA + 56
    rows = []
    for row, category in enumerate(categories):
        shapes, x = [], 0.0
        height = bar if stacked else bar * len(series)
        for index, (_, values) in enumerate(series):
            value = values[row]
            length = (value or 0) * scale
            colour = colours[index % len(colours)]
            y = 0 if stacked else index * bar
            if length > 0:
                shapes.append(f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar - 1}" fill="{colour}"/>')
            if stacked:
                if length >= 34:
                    shapes.append(f'<text x="{x + length / 2:.1f}" y="{bar - 4}" {NUMBER_FONT} fill="#fff" '
                                  f'text-anchor="middle">{escape(value_text(value))}</text>')
                x += length
            elif value is not None:
                shapes.append(f'<text x="{length + 3:.1f}" y="{y + bar - 1}" {NUMBER_FONT}>'
                              f'{escape(value_text(value))}</text>')
        drawing = _svg(width, height, "".join(shapes)) if x or not stacked else '<span class="none">ไม่มีผู้ตอบ</span>'
        rows.append(f'<tr><th>{escape(category)}</th><td>{drawing}</td></tr>')
    return f'{_legend(series, colours)}<table class="bars">{"".join(rows)}</table>'


def column_chart(*, categories: Sequence[str], values: Sequence[float],
                 value_text: Callable[[float | None], str], height: int = 130, colour: str = PALETTE[1]) -> str:
    """Vertical columns, one per category (the months of a fiscal year), values on top, Thai labels below."""
    highest = max(values, default=0)
    scale = (height - 14) / highest if highest else 0
    cells, labels = [], []
    for category, value in zip(categories, values, strict=True):
        length = value * scale
        body = (f'<rect x="8" y="{height - length:.1f}" width="30" height="{length:.1f}" fill="{colour}"/>'
                f'<text x="23" y="{height - length - 3:.1f}" {NUMBER_FONT} text-anchor="middle">'
                f"{escape(value_text(value))}</text>")
        cells.append(f"<td>{_svg(46, height, body)}</td>")
        labels.append(f"<th>{escape(category)}</th>")
    return f'<table class="columns"><tr>{"".join(cells)}</tr><tr>{"".join(labels)}</tr></table>'
