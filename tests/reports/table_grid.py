"""Every row of every data table in an HTML report has as many cells as its header (rowspans and colspans counted)."""
from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    """Rows of each <table class="data">: (section, [(colspan, rowspan), ...]) per row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[tuple[str, list[tuple[int, int]]]]] = []
        self.ids: list[str] = []
        self._section = ""
        self._article = ""
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "article" and found.get("id"):
            self._article = found["id"] or ""
        elif tag == "table" and "data" in (found.get("class") or "").split():
            self.tables.append([])
            self.ids.append(self._article)
            self._inside = True
        elif not self._inside:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr":
            self.tables[-1].append((self._section, []))
        elif tag in ("td", "th") and self.tables[-1]:
            self.tables[-1][-1][1].append((int(found.get("colspan") or 1), int(found.get("rowspan") or 1)))


    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False


def table_widths(html: str) -> dict[str, list[tuple[str, int, int]]]:
    """Per table (its article id): (section, cells in the row, header width) of every row, spans counted."""
    parser = _Tables()
    parser.feed(html)
    result: dict[str, list[tuple[str, int, int]]] = {}
    for table_id, rows in zip(parser.ids, parser.tables, strict=True):
        header = [cells for section, cells in rows if section == "thead"]
        width = sum(colspan for colspan, _ in header[0]) if header else 0
        carried = [0] * (len(rows) + 1)  # cells held down from rows above by a rowspan
        widths = []
        for index, (section, cells) in enumerate(rows):
            count = carried[index] + sum(colspan for colspan, _ in cells)
            for colspan, rowspan in cells:
                for below in range(index + 1, min(index + rowspan, len(rows))):
                    carried[below] += colspan
            widths.append((section, count, width))
        result[table_id] = widths
    return result


def misfit_rows(html: str) -> list[str]:
    """The rows whose cells do not fill the header exactly, described for an assertion message."""
    return [f"{table_id}: {section} row {index} has {count} cells, header {width}"
            for table_id, rows in table_widths(html).items()
            for index, (section, count, width) in enumerate(rows) if count != width or width == 0]
