"""Server-side SVG charts for the dashboard and reports: no JavaScript, no internet, Thai labels.

Every chart is an inline <svg> with a viewBox and width 100 % (it scales to a phone), a <title> and <desc> read by
screen readers, a <title> tooltip on every bar and point, and, where a link is given, an <a href> around the bar so
every number opens the filtered case list. All text is escaped; links must be relative or http(s).
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT_FAMILY = "Sarabun, Laksaman, 'Noto Sans Thai', Garuda, sans-serif"
# colour-blind-safe (Okabe–Ito order, darkened where text sits on it)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#B8A200", "#332288",
           "#882255")
SATISFACTION_COLORS = ("#1a9850", "#fdae61", "#d73027")  # high, medium, low
# the report's house colours, as its Excel charts and headings use them
REPORT_PALETTE = ("#1F4E79", "#2E75B6", "#9DC3E6", "#C55A11", "#70AD47", "#FFC000", "#7030A0", "#A5A5A5")
REPORT_SATISFACTION_COLORS = ("#2E7D32", "#F9A825", "#C62828")
NO_DATA = "ยังไม่มีข้อมูล"
_FONT = 14
_SMALL = 12
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
_SAFE_LINK_RE = re.compile(r"^(?:/(?!/)|\?|#|https?://)[^\s\"'<>`]*$")
BAR_AREA = 340  # px of a print bar at the largest value
NUMBER_FONT = 'font-family="ReportThai" font-size="11"'


@dataclass(frozen=True)
class ChartSeries:
    """One series: a label for the legend, a value per category, an optional link per value, an optional colour."""

    label: str
    values: Sequence[float]
    links: Sequence[str | None] | None = None
    color: str | None = None


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart (or slice of a donut)."""

    label: str
    value: float
    link: str | None = None
    note: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class ShareRow:
    """One 100 % bar: the parts (label, value, link) of a whole, e.g. satisfaction high/medium/low for a channel."""

    label: str
    parts: Sequence[tuple[str, float, str | None]]
    note: str | None = None


def format_number(value: float) -> str:
    """Counts with thousands separators; other values with one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def display_width(text: str) -> int:
    """Columns a Thai string takes: vowels and tone marks above or below a letter take none."""
    return sum(1 for char in text if unicodedata.category(char) != "Mn")


def text_width(text: str, size: float = _FONT) -> float:
    """An estimate of rendered width: Thai above/below marks take no room, capitals are wider."""
    units = sum(0.68 if c.isupper() else 0.36 if c in " .,:;|!il" else 0.58
                for c in str(text) if unicodedata.category(c) != "Mn")
    return units * size


def shorten(text: str, limit: float, *, measure: Callable[[str], float] = display_width) -> str:
    """The text cut with an ellipsis to `limit` (display columns, or what `measure` counts), never between a letter
    and its marks."""
    text = str(text)
    if measure(text) <= limit:
        return text
    kept = text
    while kept and measure(kept + "…") > limit:
        while kept and unicodedata.category(kept[-1]) == "Mn":  # a letter's marks go with it
            kept = kept[:-1]
        kept = kept[:-1]
    return kept.rstrip() + "…"


def _fit(text: str, width: float, size: float = _FONT) -> str:
    """The text cut with an ellipsis to fit a width in px."""
    return shorten(text, width, measure=lambda t: text_width(t, size))


def nice_ticks(top: float, *, count: int = 4) -> list[float]:
    """Round axis ticks from 0 to at least `top` (steps of 1, 2 or 5 × 10ⁿ)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1 and top >= 1:
        step = 1.0
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _color(color: str | None, index: int) -> str:
    """A valid colour: the one given, else the palette's."""
    return color if color and _COLOR_RE.match(color) else PALETTE[index % len(PALETTE)]


def _link(href: str | None, body: str, label: str) -> str:
    """Wrap an element in a link when a safe href is given."""
    if not href or not _SAFE_LINK_RE.match(href):
        return body
    return f'<a href="{escape(href)}" aria-label="{escape(label)}">{body}</a>'


def _chart_id(kind: str, title: str, payload: object) -> str:
    """A stable id for the chart's title and description elements."""
    return f"{kind}-" + hashlib.sha1(f"{title}{payload!r}".encode()).hexdigest()[:10]


def _svg(*, kind: str, title: str, description: str, width: float, height: float, body: list[str],
         payload: object) -> Markup:
    """The <svg> element around a chart's body, with its accessible name and description."""
    ident = _chart_id(kind, title, payload)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {width:g} {height:g}" '
        f'width="100%" preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{_FONT}" style="height:auto;max-width:100%">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>'
        f'<text x="0" y="16" font-size="15" font-weight="bold" fill="#1a202c">{escape(_fit(title, width, 15))}</text>'
        + "".join(body) + "</svg>"
    )


def empty_chart(*, title: str, message: str = NO_DATA, width: float = 420, height: float = 120) -> Markup:
    """A chart frame that says there is nothing to show yet."""
    body = [(f'<rect x="0.5" y="28.5" width="{width - 1:g}" height="{height - 30:g}" rx="6" fill="#f7fafc" '
             f'stroke="#cbd5e0"/>'),
            (f'<text x="{width / 2:g}" y="{(height + 28) / 2 + 5:g}" text-anchor="middle" fill="#4a5568">'
             f'{escape(message)}</text>')]
    return _svg(kind="empty", title=title, description=message, width=width, height=height, body=body,
                payload=message)


def _legend(series: Sequence[ChartSeries], *, width: float, top: float) -> tuple[list[str], float]:
    """Legend swatches wrapped into rows; returns the elements and the height used."""
    parts: list[str] = []
    x, y = 0.0, top
    for index, item in enumerate(series):
        label = _fit(item.label, width * 0.45, _SMALL)
        needed = 16 + text_width(label, _SMALL) + 14
        if x > 0 and x + needed > width:
            x, y = 0.0, y + 18
        parts.append(f'<rect x="{x:g}" y="{y:g}" width="11" height="11" rx="2" fill="{_color(item.color, index)}"/>'
                     f'<text x="{x + 15:g}" y="{y + 10:g}" font-size="{_SMALL}" fill="#2d3748">{escape(label)}</text>')
        x += needed
    return parts, (y - top) + 18 if series else 0.0


def _category_step(categories: Sequence[str], slot: float) -> int:
    """Show every n-th category label so labels do not overlap."""
    widest = max((text_width(c, _SMALL) for c in categories), default=0) + 6
    return max(1, math.ceil(widest / max(slot, 1)))


def _describe(categories: Sequence[str], series: Sequence[ChartSeries], unit: str, limit: int = 24) -> str:
    """A plain-text summary for screen readers: the totals per category (the first `limit`)."""
    totals = [sum(s.values[i] for s in series if i < len(s.values)) for i in range(len(categories))]
    shown = "; ".join(f"{c} {format_number(t)} {unit}" for c, t in list(zip(categories, totals))[:limit])
    more = f" และอีก {len(categories) - limit} ช่วง" if len(categories) > limit else ""
    names = ", ".join(s.label for s in series)
    return f"{names}: {shown}{more}"


def _frame(series: Sequence[ChartSeries], *, peak: float, width: float,
           height: float) -> tuple[float, float, float, float, list[str]]:
    """A time chart's frame: (plot top, left, bottom, units per value, legend and grid elements)."""
    legend, legend_height = _legend(series, width=width, top=26)
    top, left, bottom = 26 + legend_height + 8, 44.0, height - 24
    ticks = nice_ticks(peak)
    scale = (bottom - top) / ticks[-1]
    grid = [f'<line x1="{left:g}" x2="{width:g}" y1="{bottom - t * scale:.1f}" y2="{bottom - t * scale:.1f}" '
            f'stroke="#e2e8f0"/><text x="{left - 4:g}" y="{bottom - t * scale + 4:.1f}" text-anchor="end" '
            f'font-size="{_SMALL}" fill="#4a5568">{escape(format_number(t))}</text>' for t in ticks]
    return top, left, bottom, scale, legend + grid


def column_chart(*, title: str, categories: Sequence[str], series: Sequence[ChartSeries], stacked: bool = True,
                 unit: str = "เรื่อง", width: float = 420, height: float = 280) -> Markup:
    """Vertical bars over time (periods as categories), stacked or grouped by series, each bar optionally a link."""
    if not categories or not series or not any(v for s in series for v in s.values):
        return empty_chart(title=title, width=width)
    sums = [sum(s.values[i] for s in series if i < len(s.values)) for i in range(len(categories))]
    peak = max(sums) if stacked else max(v for s in series for v in s.values)
    _, left, bottom, scale, body = _frame(series, peak=peak, width=width, height=height)
    plot_w = width - left - 4
    slot = plot_w / len(categories)
    gap = min(slot * 0.25, 8)
    step = _category_step(categories, slot)
    for i, category in enumerate(categories):
        x0 = left + i * slot + gap / 2
        bar_w = slot - gap
        stack_y = bottom
        for index, item in enumerate(series):
            value = item.values[i] if i < len(item.values) else 0
            if value <= 0:
                continue
            h = value * scale
            if stacked:
                x, w, y = x0, bar_w, stack_y - h
                stack_y = y
            else:
                w = bar_w / len(series)
                x, y = x0 + index * w, bottom - h
            label = f"{category} · {item.label}: {format_number(value)} {unit}"
            rect = (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w - 0.5, 0.5):.1f}" height="{h:.1f}" '
                    f'fill="{_color(item.color, index)}"><title>{escape(label)}</title></rect>')
            link = item.links[i] if item.links and i < len(item.links) else None
            body.append(_link(link, rect, label))
        if i % step == 0:
            body.append(f'<text x="{x0 + bar_w / 2:.1f}" y="{bottom + 15:g}" text-anchor="middle" '
                        f'font-size="{_SMALL}" fill="#4a5568">{escape(category)}</text>')
    body.append(f'<line x1="{left:g}" x2="{width:g}" y1="{bottom:g}" y2="{bottom:g}" stroke="#a0aec0"/>')
    return _svg(kind="columns", title=title, description=_describe(categories, series, unit), width=width,
                height=height, body=body, payload=(tuple(categories), tuple(s.label for s in series)))


def line_chart(*, title: str, categories: Sequence[str], series: Sequence[ChartSeries], unit: str = "เรื่อง",
               width: float = 420, height: float = 260) -> Markup:
    """Lines over time, a dot (optionally a link) on every point."""
    if not categories or not series or not any(v for s in series for v in s.values):
        return empty_chart(title=title, width=width)
    top, left, bottom, scale, body = _frame(series, peak=max(v for s in series for v in s.values), width=width,
                                            height=height)
    plot_w = width - left - 10
    slot = plot_w / max(len(categories) - 1, 1)

    def x_of(i: int) -> float:
        return left + 6 + (i * slot if len(categories) > 1 else plot_w / 2)

    step = _category_step(categories, slot)
    for i, category in enumerate(categories):
        if i % step == 0:
            body.append(f'<text x="{x_of(i):.1f}" y="{bottom + 15:g}" text-anchor="middle" font-size="{_SMALL}" '
                        f'fill="#4a5568">{escape(category)}</text>')
    dots = len(categories) <= 60
    for index, item in enumerate(series):
        color = _color(item.color, index)
        points = [(x_of(i), bottom - v * scale) for i, v in enumerate(item.values[:len(categories)])]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.2" '
                    f'stroke-linejoin="round"/>')
        for i, (x, y) in enumerate(points):
            label = f"{categories[i]} · {item.label}: {format_number(item.values[i])} {unit}"
            radius = 3.2 if dots else 0
            link = item.links[i] if item.links and i < len(item.links) else None
            # a wide invisible target makes thin lines easy to hover and tap
            dot = (f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{color}"/>'
                   f'<rect x="{x - slot / 2:.1f}" y="{top:g}" width="{max(slot, 4):.1f}" height="{bottom - top:g}" '
                   f'fill="transparent"><title>{escape(label)}</title></rect></g>')
            body.append(_link(link, dot, label))
    body.append(f'<line x1="{left:g}" x2="{width:g}" y1="{bottom:g}" y2="{bottom:g}" stroke="#a0aec0"/>')
    return _svg(kind="lines", title=title, description=_describe(categories, series, unit), width=width,
                height=height, body=body, payload=(tuple(categories), tuple(s.label for s in series)))


def _bar_value(bar: Bar) -> str:
    """The text written at a bar's end: its value and note."""
    return format_number(bar.value) + (f" · {bar.note}" if bar.note else "")


def bar_chart(*, title: str, bars: Sequence[Bar], unit: str = "เรื่อง", width: float = 420,
              bar_height: float = 22) -> Markup:
    """Horizontal bars (e.g. cases per unit), label on the left, value at the bar's end, each bar optionally a link."""
    if not bars:
        return empty_chart(title=title, width=width)
    label_w = min(max(text_width(b.label) for b in bars) + 12, width * 0.45)
    value_w = max(text_width(_bar_value(b), _SMALL) for b in bars) + 10
    plot_w = width - label_w - value_w
    peak = max(b.value for b in bars) or 1
    top = 30.0
    body: list[str] = []
    for i, item in enumerate(bars):
        y = top + i * (bar_height + 8)
        w = max(item.value / peak * plot_w, 1.5 if item.value > 0 else 0)
        note = f" ({item.note})" if item.note else ""
        label = f"{item.label}: {format_number(item.value)} {unit}{note}"
        row = (f'<g><text x="{label_w - 8:g}" y="{y + bar_height / 2 + 4.5:.1f}" text-anchor="end" fill="#1a202c">'
               f'{escape(_fit(item.label, label_w - 8))}</text>'
               f'<rect x="{label_w:g}" y="{y:.1f}" width="{w:.1f}" height="{bar_height:g}" rx="3" '
               f'fill="{_color(item.color, 0)}"><title>{escape(label)}</title></rect>'
               f'<text x="{label_w + w + 5:.1f}" y="{y + bar_height / 2 + 4.5:.1f}" font-size="{_SMALL}" '
               f'fill="#2d3748">{escape(_bar_value(item))}'
               f'</text></g>')
        body.append(_link(item.link, row, label))
    height = top + len(bars) * (bar_height + 8)
    description = "; ".join(f"{b.label} {format_number(b.value)} {unit}" for b in bars[:30])
    return _svg(kind="bars", title=title, description=description, width=width, height=height, body=body,
                payload=tuple((b.label, b.value) for b in bars))


def share_bars(*, title: str, rows: Sequence[ShareRow], colors: Sequence[str] = SATISFACTION_COLORS,
               width: float = 420, bar_height: float = 22) -> Markup:
    """100 % bars, one per row (e.g. satisfaction high / medium / low per channel), with the shares written in."""
    rows = [r for r in rows if sum(v for _, v, _ in r.parts) > 0]
    if not rows:
        return empty_chart(title=title, width=width)
    names = [name for name, _, _ in rows[0].parts]
    legend, legend_height = _legend([ChartSeries(n, (), color=colors[i % len(colors)]) for i, n in enumerate(names)],
                                    width=width, top=26)
    top = 26 + legend_height + 6
    label_w = min(max(text_width(r.label) for r in rows) + 12, width * 0.34)
    plot_w = width - label_w - 4
    body = list(legend)
    pitch = bar_height + (22 if any(r.note for r in rows) else 12)
    for i, row in enumerate(rows):
        y = top + i * pitch
        total = sum(v for _, v, _ in row.parts)
        note = f" · {row.note}" if row.note else ""
        body.append(f'<text x="{label_w - 8:g}" y="{y + bar_height / 2 + 4.5:.1f}" text-anchor="end" fill="#1a202c">'
                    f'{escape(_fit(row.label, label_w - 8))}</text>')
        x = label_w
        for index, (name, value, link) in enumerate(row.parts):
            if value <= 0:
                continue
            w = value / total * plot_w
            share = value / total
            label = f"{row.label} · {name}: {share:.0%} ({format_number(value)}){note}"
            text = (f'<text x="{x + w / 2:.1f}" y="{y + bar_height / 2 + 4.5:.1f}" text-anchor="middle" '
                    f'font-size="{_SMALL}" fill="#fff" font-weight="bold">{share:.0%}</text>'
                    if w >= 34 else "")
            part = (f'<g><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_height:g}" '
                    f'fill="{_color(colors[index % len(colors)], index)}"><title>{escape(label)}</title></rect>'
                    f'{text}</g>')
            body.append(_link(link, part, label))
            x += w
        if row.note:
            body.append(f'<text x="{label_w:g}" y="{y + bar_height + 14:.1f}" font-size="{_SMALL - 1}" '
                        f'fill="#4a5568">{escape(row.note)}</text>')
    height = top + len(rows) * pitch
    description = "; ".join(
        f"{r.label}: " + ", ".join(f"{n} {v / sum(x for _, x, _ in r.parts):.0%}" for n, v, _ in r.parts)
        for r in rows[:30])
    return _svg(kind="shares", title=title, description=description, width=width, height=height, body=body,
                payload=tuple((r.label, tuple(v for _, v, _ in r.parts)) for r in rows))


def donut_chart(*, title: str, slices: Sequence[Bar], center: str | None = None, unit: str = "เรื่อง",
                width: float = 420, height: float = 180) -> Markup:
    """A donut of shares with a legend beside it (slices optionally links); the centre shows the total."""
    slices = [s for s in slices if s.value > 0]
    if not slices:
        return empty_chart(title=title, width=width)
    total = sum(s.value for s in slices)
    radius, inner = 70.0, 44.0
    cx, cy = radius + 4, 30 + radius + 4
    body: list[str] = []
    angle = -math.pi / 2
    for index, item in enumerate(slices):
        sweep = item.value / total * 2 * math.pi
        label = f"{item.label}: {format_number(item.value)} {unit} ({item.value / total:.0%})"
        color = _color(item.color, index)
        if sweep >= 2 * math.pi - 1e-9:
            shape = (f'<circle cx="{cx:g}" cy="{cy:g}" r="{(radius + inner) / 2:g}" fill="none" stroke="{color}" '
                     f'stroke-width="{radius - inner:g}"><title>{escape(label)}</title></circle>')
        else:
            end = angle + sweep
            large = 1 if sweep > math.pi else 0
            points = [
                (cx + radius * math.cos(angle), cy + radius * math.sin(angle)),
                (cx + radius * math.cos(end), cy + radius * math.sin(end)),
                (cx + inner * math.cos(end), cy + inner * math.sin(end)),
                (cx + inner * math.cos(angle), cy + inner * math.sin(angle)),
            ]
            (x1, y1), (x2, y2), (x3, y3), (x4, y4) = points
            shape = (f'<path d="M{x1:.2f},{y1:.2f} A{radius:g},{radius:g} 0 {large} 1 {x2:.2f},{y2:.2f} '
                     f'L{x3:.2f},{y3:.2f} A{inner:g},{inner:g} 0 {large} 0 {x4:.2f},{y4:.2f} Z" fill="{color}">'
                     f'<title>{escape(label)}</title></path>')
        body.append(_link(item.link, shape, label))
        angle += sweep
    body.append(f'<text x="{cx:g}" y="{cy + 2:g}" text-anchor="middle" font-size="18" font-weight="bold" '
                f'fill="#1a202c">{escape(format_number(total))}</text>'
                f'<text x="{cx:g}" y="{cy + 18:g}" text-anchor="middle" font-size="{_SMALL}" fill="#4a5568">'
                f'{escape(center or unit)}</text>')
    legend_x = cx + radius + 18
    for index, item in enumerate(slices):
        y = 40 + index * 20
        text = f"{_fit(item.label, width - legend_x - 70, _SMALL)} {item.value / total:.0%}"
        row = (f'<g><rect x="{legend_x:g}" y="{y:g}" width="11" height="11" rx="2" '
               f'fill="{_color(item.color, index)}"/><text x="{legend_x + 16:g}" y="{y + 10:g}" '
               f'font-size="{_SMALL}" fill="#2d3748">{escape(text)}</text></g>')
        body.append(_link(item.link, row, f"{item.label}: {format_number(item.value)} {unit}"))
    height = max(height, 40 + len(slices) * 20)
    description = "; ".join(f"{s.label} {format_number(s.value)} {unit} ({s.value / total:.0%})" for s in slices)
    return _svg(kind="donut", title=title, description=description, width=width, height=height, body=body,
                payload=tuple((s.label, s.value) for s in slices))


# ---------------------------------------------------------------- print charts (Thai words in HTML, shapes in SVG)


Series = tuple[str, Sequence[float | None]]


def _print_svg(width: float, height: float, body: str) -> str:
    """A fixed-size <svg> for print (WeasyPrint sizes it from the style)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'style="width: {width:.0f}px; height: {height:.0f}px" viewBox="0 0 {width:.0f} {height:.0f}">'
            f"{body}</svg>")


def _print_legend(series: Sequence[Series], colours: Sequence[str]) -> str:
    """The legend as an HTML paragraph: a coloured square and the series' Thai name for each."""
    keys = []
    for index, (name, _) in enumerate(series):
        square = _print_svg(10, 10, f'<rect width="10" height="10" fill="{colours[index % len(colours)]}"/>')
        keys.append(f'<span class="key">{square} {escape(name)}</span>')
    return f'<p class="legend">{"".join(keys)}</p>'


def table_bars(*, categories: Sequence[str], series: Sequence[Series], stacked: bool,
               value_text: Callable[[float | None], str], share_axis: bool = False,
               colours: Sequence[str] = REPORT_PALETTE) -> str:
    """Horizontal bars for print, one table row per category: series side by side, or stacked to 100% for shares."""
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
        drawing = (_print_svg(width, height, "".join(shapes)) if x or not stacked
                   else '<span class="none">ไม่มีผู้ตอบ</span>')
        rows.append(f'<tr><th>{escape(category)}</th><td>{drawing}</td></tr>')
    return f'{_print_legend(series, colours)}<table class="bars">{"".join(rows)}</table>'


def table_columns(*, categories: Sequence[str], values: Sequence[float], value_text: Callable[[float | None], str],
                  height: int = 130, colour: str = REPORT_PALETTE[1]) -> str:
    """Vertical columns for print, one per category (the months of a fiscal year), values on top, Thai labels below."""
    highest = max(values, default=0)
    scale = (height - 14) / highest if highest else 0
    cells, labels = [], []
    for category, value in zip(categories, values, strict=True):
        length = value * scale
        body = (f'<rect x="8" y="{height - length:.1f}" width="30" height="{length:.1f}" fill="{colour}"/>'
                f'<text x="23" y="{height - length - 3:.1f}" {NUMBER_FONT} text-anchor="middle">'
                f"{escape(value_text(value))}</text>")
        cells.append(f"<td>{_print_svg(46, height, body)}</td>")
        labels.append(f"<th>{escape(category)}</th>")
    return f'<table class="columns"><tr>{"".join(cells)}</tr><tr>{"".join(labels)}</tr></table>'
