"""The PMQA report renderers: Excel opened with openpyxl, PDF read back with poppler, CSV read as Excel would."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports import (
    ReportShapeError,
    ThaiFontMissing,
    render_csv,
    render_csv_zip,
    render_pdf,
    render_xlsx,
)
from reports.formats import pdf as pdf_format
from reports.shape import TABLE_IDS, TABLE_TITLES
from reports.thai import EMPTY_TEXT
from tests.reports.sample_report import AGENCY, empty_report, sample_report
from tests.reports.table_grid import misfit_rows, table_widths

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


def _squash(text: str) -> str:
    """Text without whitespace (PDF lines wrap between Thai words, where the source has no space), as written."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(io.BytesIO(render_xlsx(sample_report())))


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "pmqa-2569.pdf"
    path.write_bytes(render_pdf(sample_report()))
    return path


@pytest.fixture(scope="module")
def empty_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "pmqa-2570.pdf"
    path.write_bytes(render_pdf(empty_report()))
    return path


def _pdf_pages(path: Path) -> list[str]:
    assert shutil.which("pdftotext"), "install poppler-utils (pdftotext, pdftoppm, pdffonts) to test the PDF"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


# Excel

def test_workbook_has_a_cover_and_one_sheet_per_table(workbook):
    assert workbook.sheetnames[0] == "ปก"
    assert len(workbook.sheetnames) == 1 + len(TABLE_IDS)
    cover = [cell for row in workbook["ปก"].iter_rows(values_only=True) for cell in row if cell is not None]
    assert AGENCY in cover
    assert "ปีงบประมาณ พ.ศ. 2569 (1 ตุลาคม 2568 – 30 กันยายน 2569)" in cover
    assert "15 ตุลาคม 2569 เวลา 09.30 น." in cover
    assert "ทุกหน่วยงาน" in cover
    assert 3912 in cover and EMPTY_TEXT not in cover


def test_channel_counts_and_shares_are_numbers_with_thai_headings(workbook):
    sheet = workbook["ช่องทาง"]
    assert sheet["A1"].value == TABLE_TITLES["channels"]
    assert sheet["A2"].value == "ช่วงเวลา: 1 ต.ค. 2566 – 30 ก.ย. 2569"
    assert sheet["A3"].value.startswith("แหล่งข้อมูล: ระบบฟังเสียง")
    header = [cell.value for cell in sheet[5]]
    assert header[:4] == ["ช่องทาง", "ปีงบประมาณ 2567 (เรื่อง)", "ปีงบประมาณ 2568 (เรื่อง)", "ปีงบประมาณ 2569 (เรื่อง)"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=6, max_row=16)}
    line = rows["LINE Official Account"]
    assert [cell.value for cell in line[1:4]] == [412, 1187, 1630]
    assert line[6].value == pytest.approx(1630 / 3912)
    assert line[6].number_format == "0.0%"
    assert line[3].number_format == "#,##0"
    total = rows["รวม"]
    assert [cell.value for cell in total[1:4]] == [2126, 3362, 3912]
    assert set(rows) >= {"มาด้วยตนเอง", "โทรศัพท์ / ศูนย์ 1111", "หนังสือ", "ตู้รับความคิดเห็น", "เว็บไซต์เทศบาล"}
    assert sheet.freeze_panes == "B6"
    assert sheet.column_dimensions["A"].width >= 24
    assert len(sheet._charts) == 1


def test_handling_satisfaction_and_register_sheets_keep_numbers_and_dates(workbook):
    handling = workbook["ร้องเรียน-หน่วยงาน"]
    works = next(row for row in handling.iter_rows(min_row=6) if row[0].value == "กองช่าง")
    assert [cell.value for cell in works[1:4]] == [712, 648, 571]
    assert works[4].value == pytest.approx(571 / 712) and works[4].number_format == "0.0%"
    assert works[8].value == 6.0 and works[9].value == 17.5 and works[10].value == 41
    satisfaction = workbook["พึงพอใจ-กลุ่ม"]
    elderly = next(row for row in satisfaction.iter_rows(min_row=6) if row[0].value == "ผู้สูงอายุ/ผู้พิการ")
    assert (elderly[1].value, elderly[2].value, elderly[3].value) == ("2569", 392, 227)  # year, sent, answered
    assert elderly[4].value == pytest.approx(227 / 392) and elderly[10].value == pytest.approx(180 / 227)
    register = workbook["ทะเบียนการปรับปรุง"]
    first = [cell for cell in register[6]]
    assert first[0].value == dt.datetime(2026, 1, 12)
    assert "107041E" in first[0].number_format     # Thai Buddhist calendar: shown as 12 ม.ค. 2569
    assert first[5].value == 6 and first[6].value == 12.0 and first[9].value == 4.0


def test_empty_fiscal_year_says_so_in_excel():
    book = load_workbook(io.BytesIO(render_xlsx(empty_report())))
    cover = [cell for row in book["ปก"].iter_rows(values_only=True) for cell in row if cell is not None]
    assert EMPTY_TEXT in cover
    assert "ปีงบประมาณ พ.ศ. 2570 (1 ตุลาคม 2569 – 30 กันยายน 2570)" in cover
    assert book["ช่องทาง"]["A6"].value == EMPTY_TEXT
    assert book["ร้องเรียน-หน่วยงาน"]["A6"].value == EMPTY_TEXT
    assert "ช่องทางรายเดือน" not in book.sheetnames      # optional tables the report does not carry


# CSV

def test_csv_zip_has_every_table_with_bom_and_numbers():
    archive = zipfile.ZipFile(io.BytesIO(render_csv_zip(sample_report())))
    names = archive.namelist()
    assert names[-1] == "00_index.csv" and len(names) == 1 + len(TABLE_IDS)
    for name in names:
        assert archive.read(name).startswith(b"\xef\xbb\xbf"), name
    rows = list(csv.reader(io.StringIO(archive.read("01_channels.csv").decode("utf-8-sig"))))
    assert rows[0][0] == "ช่องทาง" and rows[0][6] == "สัดส่วน 2569 (ร้อยละ)"
    assert rows[1] == ["LINE Official Account", "412", "1187", "1630", "19.4", "35.3", "41.7"]
    assert rows[-1][:4] == ["รวม", "2126", "3362", "3912"]
    index = archive.read("00_index.csv").decode("utf-8-sig")
    assert TABLE_TITLES["improvements"] in index and "1 ต.ค. 2568 – 30 ก.ย. 2569" in index


def test_single_csv_table_by_name():
    data = render_csv(sample_report(), table="groups")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["ประชาชนทั่วไป", "ผู้ประกอบการ", "ผู้สูงอายุ/ผู้พิการ", "นักเรียน/นักศึกษา",
                                         "หน่วยงานภาครัฐ", "องค์กรชุมชน/ภาคประชาสังคม", "ไม่ระบุ", "รวม"]
    with pytest.raises(KeyError, match="ไม่มีตาราง"):
        render_csv(sample_report(), table="salaries")


# PDF

def test_pdf_text_extracts_as_thai_with_headers_and_thai_page_numbers(sample_pdf):
    pages = _pdf_pages(sample_pdf)
    assert len(pages) >= 12
    whole = _squash("".join(pages))
    for table_id in TABLE_IDS:
        assert _squash(TABLE_TITLES[table_id]) in whole, table_id
    for phrase in ("ผู้สูงอายุ/ผู้พิการ", "ความคิดเห็นบนเพจFacebook", "ตู้รับความคิดเห็น", "ไม่พึงพอใจ",
                   "ปีงบประมาณพ.ศ.2569(1ตุลาคม2568–30กันยายน2569)", "ลดระยะเวลาลง8วัน(66.7%)"):
        assert phrase in whole, phrase
    total = len(pages)
    thai_digits = str(total).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    for number, page in enumerate(pages, start=1):
        digits = str(number).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
        assert f"หน้า {digits} / {thai_digits}" in page
        if number > 1:
            assert _squash(AGENCY) in _squash(page) and "ปีงบประมาณพ.ศ.2569" in _squash(page)


def test_pdf_thai_words_come_out_letter_for_letter(sample_pdf):
    """Words whose marks the font swaps, lifts or replaces (below vowel + tone mark, SARA AM, tall consonants) extract
    as the source's code points, in pdftotext's reading layout and in drawing order: an assessor's search finds them."""
    words = ("จำนวน", "ผู้รับบริการ", "ร้องเรียนซ้ำ", "ข้อมูล", "ผู้สูงอายุ/ผู้พิการ", "ที่บันทึก", "ตู้รับความคิดเห็น",
             "ปีงบประมาณ", "ใช้เวลาดำเนินการนาน", "กองสาธารณสุขและสิ่งแวดล้อม", "เทศบาลตำบลฟังเสียง", "ญ", "ฐาน")
    for mode in ([], ["-raw"]):
        text = subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(sample_pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        for word in words:
            assert word in text, (mode, word)
        assert "\u0e4d" not in text, "SARA AM comes out whole, not as NIKHAHIT + SARA AA"
        assert "ข้อม้ล" not in text and "\u0e1c\u0e49\u0e39" not in text and "ฟั ง" not in text  # ผ ้ ู: drawing order


def test_pdf_embeds_the_thai_font(sample_pdf):
    fonts = subprocess.run(["pdffonts", str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in fonts.splitlines() if "ReportThai" in line]
    assert embedded and all(" yes " in line for line in embedded)


def test_pdf_pages_render_with_nothing_outside_the_margins(sample_pdf):
    """Renders every page to PNG (kept in test-artifacts/reports to look at) and checks no ink in the margins."""
    from PIL import Image

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("pmqa-2569-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(sample_pdf), str(ARTIFACTS / "pmqa-2569")], check=True)
    images = sorted(ARTIFACTS.glob("pmqa-2569-*.png"))
    assert len(images) == len(_pdf_pages(sample_pdf))
    margin = 24   # px at 60 dpi ≈ 1 cm; every page margin is at least 1.8 cm
    for path in images:
        page = Image.open(path).convert("L")
        width, height = page.size
        assert page.crop((0, 0, width, height)).getextrema()[0] < 128, f"{path.name} is blank"
        margins = ((0, 0, margin, height), (width - margin, 0, width, height), (0, height - margin // 2, width, height))
        for strip in margins:
            assert page.crop(strip).getextrema()[0] > 200, f"{path.name}: something drawn into the margin {strip}"
    filled = [_filled_share(Image.open(path).convert("L")) for path in images[2:-1]]  # after the cover and contents
    assert all(share > 0.5 for share in filled), f"half-empty pages (a lone chart): {filled}"


def _filled_share(page) -> float:  # type: ignore[no-untyped-def]
    """How far down the body of a page (below the running header, above the page number) its content reaches."""
    width, height = page.size
    top, bottom = int(height * 0.1), int(height * 0.9)
    inked = [y for y in range(top, bottom) if page.crop((0, y, width, y + 1)).getextrema()[0] < 128]
    return (max(inked) - top) / (bottom - top) if inked else 0.0


def test_empty_fiscal_year_pdf_is_honest(empty_pdf):
    text = _squash("".join(_pdf_pages(empty_pdf)))
    assert text.count(_squash(EMPTY_TEXT)) >= 1 + 11
    assert "ปีงบประมาณพ.ศ.2570" in text


def test_missing_thai_font_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(pdf_format, "FONT_CANDIDATES", (("NoSuchThaiFont", Path("/nonexistent/a.ttf"),
                                                          Path("/nonexistent/b.ttf")),))
    pdf_format.find_thai_font.cache_clear()
    try:
        with pytest.raises(ThaiFontMissing, match="fonts-thai-tlwg"):
            render_pdf(sample_report())
    finally:
        pdf_format.find_thai_font.cache_clear()


# Shape

@pytest.mark.parametrize("render", [render_xlsx, render_csv_zip])
def test_a_report_missing_a_part_is_named_in_the_error(render):
    report = sample_report()
    del report["handling"]["by_channel"]
    with pytest.raises(ReportShapeError, match="handling.by_channel"):
        render(report)
    report = sample_report()
    del report["tables"]["topics"]
    with pytest.raises(ReportShapeError, match="tables.topics"):
        render(report)


def test_printed_tables_fill_their_headers():
    html = pdf_format.render_html(sample_report())
    assert len(table_widths(html)) >= 10 and misfit_rows(html) == []
