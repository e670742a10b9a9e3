"""Text in an export stays text: a spreadsheet never runs what a citizen, an officer or an analyst typed.

OWASP's CSV-injection advice: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets, so such text gets a single quote in front. In a workbook every text
cell is typed as a string (never a formula) and such text also carries Excel's quote prefix, so editing the cell
keeps it text. Numbers are left alone: a negative count stays a number.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_text(value: Any) -> Any:
    """A CSV cell as typed: text that a spreadsheet would read as a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_cells_as_text(workbook: Workbook) -> None:
    """Every text cell of the workbook typed as a string, never a formula (openpyxl types "=…" as a formula)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value.startswith(FORMULA_STARTS):
                        cell.quotePrefix = True
