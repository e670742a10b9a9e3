"""Importing past complaints: CSV in every Thai encoding, Excel, column choice, checked rows, Thai reasons, dedupe."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pytest
from openpyxl import Workbook

from history.importer import (
    ColumnMapping,
    DuplicateRow,
    ImportFileError,
    ImportRow,
    ImportSummary,
    RowError,
    SkippedRow,
    detect_encoding,
    parse_channel,
    parse_satisfaction,
    parse_status,
    prepare_rows,
    read_table,
    resolve_columns,
    row_fingerprint,
    rows_from_text,
    unit_lookup,
)

NOW = dt.datetime(2025, 11, 20, 5, 0, tzinfo=dt.UTC)
UNITS = unit_lookup([("public_works", "กองช่าง"), ("environment", "กองสาธารณสุขและสิ่งแวดล้อม"),
                     ("revenue", "กองคลัง (งานจัดเก็บรายได้)")])
GROUPS = ("ประชาชนทั่วไป", "ผู้ประกอบการ", "ผู้สูงอายุ/ผู้พิการ")
HEADER = ["เลขที่", "วันที่รับเรื่อง", "ช่องทาง", "รายละเอียด", "หน่วยงาน", "สถานะ", "วันที่แล้วเสร็จ", "กลุ่ม", "ความพึงพอใจ"]
ROWS = [
    ["R-001", "15/03/2568 14:30", "ไลน์", "ถนนหน้าบ้านเป็นหลุมใหญ่ ซอย 5 หมู่ 3", "กองช่าง", "แก้ไขแล้ว", "20/03/2568",
     "ประชาชนทั่วไป", "5"],
    ["R-002", "15 มี.ค. 68", "โทรศัพท์", "ขยะไม่มีคนมาเก็บสามวัน", "กองสาธารณสุขและสิ่งแวดล้อม", "กำลังดำเนินการ", "",
     "ผู้สูงอายุ/ผู้พิการ", ""],
    ["R-003", "๓๐/๐๙/๒๕๖๘", "มาด้วยตนเอง", "สอบถามภาษีป้าย", "กองคลัง", "ปิดเรื่อง", "1/10/2568", "ผู้ประกอบการ", "มาก"],
    ["R-004", "31/02/2568", "line", "วันที่ผิด", "กองช่าง", "", "", "", ""],
    ["R-005", "01/10/2568", "แฟกซ์", "ช่องทางแปลก", "กองช่าง", "", "", "", ""],
    ["R-006", "01/10/2568", "อีเมล", "", "กองช่าง", "", "", "", ""],
    ["R-001", "15/03/2568 14:30", "ไลน์", "ถนนหน้าบ้านเป็นหลุมใหญ่ ซอย 5 หมู่ 3", "กองช่าง", "ปิดเรื่อง", "20/03/2568",
     "ประชาชนทั่วไป", "5"],
    ["R-008", "01/10/2568", "ตู้รับความคิดเห็น", "ห้องน้ำสกปรก", "กองการศึกษา", "", "", "", ""],
    ["R-009", "02/10/2568", "เว็บไซต์", "ขอบคุณค่ะ", "กองช่าง", "ส่งต่อ", "", "นักเรียน", ""],
    ["R-010", "02/10/2568", "หนังสือ", "ขอให้ซ่อมไฟ", "กองช่าง", "เสร็จสิ้น", "01/09/2568", "", ""],
    ["R-011", "02/10/2568", "facebook", "ไฟดับ", "กองช่าง", "", "", "", "9"],
]
MAPPING = ColumnMapping(text="รายละเอียด", date="วันที่รับเรื่อง", channel="ช่องทาง", unit="หน่วยงาน", status="สถานะ",
                        resolved="วันที่แล้วเสร็จ", group="กลุ่ม", ticket="เลขที่", satisfaction="ความพึงพอใจ")


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A CSV file as an agency exports it."""
    import csv

    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def outcome(results: list) -> dict[int, object]:
    """Results by line."""
    return {r.line: r for r in results}


def check_outcomes(results: list, offset: int = 0) -> None:
    """The same decisions whatever the file format (`offset`: rows above the header)."""
    by_line = {line - offset: r for line, r in outcome(results).items()}
    first = by_line[2]
    assert isinstance(first, ImportRow)
    assert first.received_at == dt.datetime(2025, 3, 15, 7, 30, tzinfo=dt.UTC)
    assert (first.channel, first.unit, first.status, first.group, first.ticket, first.satisfaction) == (
        "line", "public_works", "resolved", "ประชาชนทั่วไป", "R-001", 5)
    assert first.resolved_at == dt.datetime(2025, 3, 19, 17, 0, tzinfo=dt.UTC)
    second = by_line[3]
    assert isinstance(second, ImportRow) and second.status == "in_progress" and second.channel == "phone"
    assert second.received_at == dt.datetime(2025, 3, 14, 17, 0, tzinfo=dt.UTC)
    third = by_line[4]
    assert isinstance(third, ImportRow) and third.unit == "revenue" and third.satisfaction == 4
    assert third.received_at == dt.datetime(2025, 9, 29, 17, 0, tzinfo=dt.UTC)  # 30 Sep 2025 in Bangkok
    assert third.channel == "walk_in" and third.status == "closed"
    reasons = {line: r.reason for line, r in by_line.items() if isinstance(r, SkippedRow)}
    assert "ไม่มีวันที่ 31 กุมภาพันธ์ พ.ศ. 2568" in reasons[5]
    assert "ไม่รู้จักช่องทาง “แฟกซ์”" in reasons[6]
    assert reasons[7] == "ไม่มีข้อความเรื่องร้องเรียน"
    assert "ไม่รู้จักหน่วยงาน “กองการศึกษา”" in reasons[9]
    assert "ไม่รู้จักกลุ่มผู้รับบริการ “นักเรียน”" in reasons[10]
    assert "อยู่ก่อนวันที่รับเรื่อง" in reasons[11]
    assert "1–5" in reasons[12]
    duplicate = by_line[8]
    assert isinstance(duplicate, DuplicateRow) and duplicate.first_line == 2 + offset


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ","), ("utf-8-sig", ","), ("cp874", ","),
                                                     ("utf-8", ";"), ("utf-8-sig", "\t")])
def test_csv_in_every_thai_encoding(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "history.csv", ROWS, encoding=encoding, delimiter=delimiter)
    assert detect_encoding(path) == encoding
    table = read_table(path)
    assert table.header == tuple(HEADER)
    check_outcomes(list(prepare_rows(table, MAPPING, units=UNITS, groups=GROUPS, now=NOW)))


def test_excel_with_a_title_row_datetime_cells_serial_numbers_and_be_years(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["รายงานเรื่องร้องเรียน ปีงบประมาณ 2568"])  # a report's title and a blank row above the header
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet.append(["X-1", dt.datetime(2025, 10, 3, 9, 15), "line", "ไฟถนนดับ", "กองช่าง", "", None, None, 4])
    sheet.append(["X-2", 45931, "line", "ถนนพัง", "กองช่าง", "", None, None, None])  # serial for 1 Oct 2025
    sheet.append(["X-3", dt.datetime(2568, 10, 4), "line", "น้ำท่วม", "กองช่าง", "", None, None, None])
    path = tmp_path / "history.xlsx"
    workbook.save(path)
    table = read_table(path)
    assert table.header == tuple(HEADER)
    assert resolve_columns(table.header, ColumnMapping(text="D", date="B", channel="c", ticket="1")) == {
        "text": 3, "date": 1, "channel": 2, "ticket": 0}
    results = list(prepare_rows(table, MAPPING, units=UNITS, groups=GROUPS, now=NOW))
    check_outcomes(results, offset=2)  # lines are Excel row numbers
    by_line = outcome(results)
    assert by_line[15].received_at == dt.datetime(2025, 10, 3, 2, 15, tzinfo=dt.UTC)
    assert by_line[15].satisfaction == 4 and by_line[15].status == "closed"
    assert by_line[16].received_at == dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert by_line[17].received_at == dt.datetime(2025, 10, 3, 17, 0, tzinfo=dt.UTC)
    with pytest.raises(ImportFileError, match="ไม่พบแผ่นงาน"):
        read_table(path, sheet="ปี 2567")


def test_the_same_rows_have_the_same_fingerprints_in_csv_and_excel(tmp_path: Path) -> None:
    csv_rows = prepare_rows(read_table(write_csv(tmp_path / "a.csv", ROWS)), MAPPING, units=UNITS, groups=GROUPS,
                            now=NOW)
    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in ROWS:
        workbook.active.append(row)
    workbook.save(tmp_path / "a.xlsx")
    xlsx_rows = prepare_rows(read_table(tmp_path / "a.xlsx"), MAPPING, units=UNITS, groups=GROUPS, now=NOW)

    def prints(rows: Iterable[object]) -> list[str]:
        """The fingerprints of the imported rows."""
        return [r.fingerprint for r in rows if isinstance(r, ImportRow)]

    assert prints(csv_rows) == prints(xlsx_rows) and len(set(prints(
        prepare_rows(read_table(tmp_path / "a.csv"), MAPPING, units=UNITS, groups=GROUPS, now=NOW)))) == 3
    base = row_fingerprint(text="ถนนพัง  ซอย 5", received_at=dt.datetime(2025, 3, 15, 7, 30, 59, tzinfo=dt.UTC),
                           channel="line", ticket=None)
    assert base == row_fingerprint(text="ถนนพัง ซอย 5", received_at=dt.datetime(2025, 3, 15, 7, 30, tzinfo=dt.UTC),
                                   channel="line", ticket=None)
    assert base != row_fingerprint(text="ถนนพัง ซอย 5", received_at=dt.datetime(2025, 3, 15, 7, 31, tzinfo=dt.UTC),
                                   channel="line", ticket=None)


def test_a_fixed_channel_two_digit_years_and_line_numbers_of_multiline_cells() -> None:
    table = rows_from_text('เรื่อง,วันที่\n"ถนนพัง\nบรรทัดที่สอง",15/3/25\n"ไฟดับ",16/3/25\nท่อตัน,2025-03-17\n')
    rows = list(prepare_rows(table, ColumnMapping(text="เรื่อง", date="วันที่", channel_value="โทรศัพท์"), now=NOW))
    assert [r.line for r in rows] == [2, 4, 5]
    assert all(isinstance(r, ImportRow) and r.channel == "phone" for r in rows)
    # the column's four-digit years are C.E., so 25 is 2025
    assert rows[0].received_at.date() == dt.date(2025, 3, 14)
    assert rows[0].text == "ถนนพัง\nบรรทัดที่สอง"
    be = list(prepare_rows(rows_from_text("เรื่อง,วันที่\nถนนพัง,15/3/68\n"),
                           ColumnMapping(text="1", date="2", channel_value="line"), now=NOW))
    assert be[0].received_at.date() == dt.date(2025, 3, 14)


def test_file_level_problems_are_clear_thai_errors(tmp_path: Path) -> None:
    table = rows_from_text("เรื่อง,วันที่\nถนนพัง,15/3/68\n")
    with pytest.raises(ImportFileError, match="ไม่พบคอลัมน์ “ข้อความ” \\(--text-column\\)"):
        list(prepare_rows(table, ColumnMapping(text="ข้อความ", channel_value="line")))
    with pytest.raises(ImportFileError, match="--channel"):
        list(prepare_rows(rows_from_text("เรื่อง\nก\n"), ColumnMapping(text="เรื่อง", channel_value="แฟกซ์")))
    with pytest.raises(ImportFileError, match="ต้องระบุช่องทาง"):
        list(prepare_rows(rows_from_text("เรื่อง\nก\n"), ColumnMapping(text="เรื่อง")))
    with pytest.raises(ImportFileError, match="อย่างใดอย่างหนึ่ง"):
        resolve_columns(["a", "b"], ColumnMapping(text="a", channel="b", channel_value="line"))
    with pytest.raises(ImportFileError, match="รองรับเฉพาะไฟล์"):
        (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
        read_table(tmp_path / "old.xls")
    with pytest.raises(ImportFileError, match="เปิดไฟล์ Excel"):
        (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
        read_table(tmp_path / "broken.xlsx")
    with pytest.raises(ImportFileError, match="ว่างเปล่า"):
        (tmp_path / "empty.csv").write_text("\n\n", encoding="utf-8")
        read_table(tmp_path / "empty.csv")
    with pytest.raises(ImportFileError, match="ไม่พบไฟล์"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(ImportFileError, match="UTF-8 หรือ TIS-620"):
        (tmp_path / "binary.csv").write_bytes(b"a,b\n\xff\xfe\xdb\n")
        read_table(tmp_path / "binary.csv")


def test_cells_in_thai_or_english() -> None:
    assert parse_channel("LINE OA") == "line" and parse_channel("ศูนย์ 1111") == "phone"
    assert parse_channel("Walk-in") == "walk_in" and parse_channel("ตู้รับเรื่องร้องเรียน") == "comment_box"
    assert parse_channel("facebook_comment") == "facebook_comment" and parse_channel("อื่น ๆ") == "other"
    with pytest.raises(RowError):
        parse_channel("walk_in", allowed=("line",))
    configured = {"phone": "โทรศัพท์ / ศูนย์ 1111", "mobile_unit": "หน่วยบริการเคลื่อนที่"}  # the agency's own names
    assert parse_channel("โทรศัพท์ / ศูนย์ 1111", names=configured) == "phone"
    assert parse_channel("หน่วยบริการเคลื่อนที่", allowed=("line", "mobile_unit"), names=configured) == "mobile_unit"
    rows = list(prepare_rows(rows_from_text("เรื่อง,ช่องทาง\nถนนพัง,หน่วยบริการเคลื่อนที่\nไฟดับ,แฟกซ์\n"),
                             ColumnMapping(text="เรื่อง", channel="ช่องทาง"), channels=("line", "mobile_unit"),
                             channel_names=configured, now=NOW))
    assert [getattr(r, "channel", None) for r in rows] == ["mobile_unit", None]
    assert "แฟกซ์" in rows[1].reason
    assert parse_status("In Progress") == "in_progress" and parse_status("อยู่ระหว่างดำเนินการ") == "in_progress"
    assert parse_status("ยุติเรื่อง") == "closed" and parse_status("ไม่อยู่ในอำนาจหน้าที่") == "rejected"
    from agency.vocabulary import STATUS_NAMES

    assert all(parse_status(name) == code for code, name in STATUS_NAMES.items()), "our own export imports back"
    with pytest.raises(RowError, match="ไม่รู้จักสถานะ"):
        parse_status("รอพิจารณาของนายก")
    assert parse_satisfaction("๕") == 5 and parse_satisfaction(4.0) == 4 and parse_satisfaction("พอใจมากที่สุด") == 5
    assert parse_satisfaction("ปานกลาง") == 3 and parse_satisfaction("") is None and parse_satisfaction(None) is None
    for bad in ("3.5", 0, "ดีเยี่ยม"):
        with pytest.raises(RowError):
            parse_satisfaction(bad)
    coded = list(prepare_rows(rows_from_text("เรื่อง,หน่วย\nก,public_works\nข, กองคลัง \n"),
                              ColumnMapping(text="เรื่อง", unit="หน่วย", channel_value="line"), units=UNITS))
    assert [r.unit for r in coded] == ["public_works", "revenue"]


def test_future_dates_and_status_rules() -> None:
    table = rows_from_text("เรื่อง,วันที่,แล้วเสร็จ,สถานะ\nก,20/11/2568,,\nข,1/1/2569,,\nค,1/11/2568,3/11/2568,\n"
                           "ง,1/11/2568,3/11/2568,กำลังดำเนินการ\n")
    rows = outcome(list(prepare_rows(table, ColumnMapping(text="เรื่อง", date="วันที่", resolved="แล้วเสร็จ",
                                                          status="สถานะ", channel_value="line"), now=NOW)))
    assert isinstance(rows[2], ImportRow) and rows[2].status == "closed"
    assert "อยู่ในอนาคต" in rows[3].reason
    assert rows[4].status == "resolved" and rows[4].resolved_at is not None
    assert rows[5].status == "in_progress" and rows[5].resolved_at is None


def test_summary_reads_like_an_officer_would_write_it() -> None:
    summary = ImportSummary()
    for result in (ImportRow(2, "ก", None, "line", None, "closed", None, None, None, None, "f"),
                   DuplicateRow(3, "f", 2), SkippedRow(4, "ไม่มีข้อความเรื่องร้องเรียน")):
        summary.add(result)
    assert (summary.imported, summary.duplicates, len(summary.skipped)) == (1, 1, 1)
    assert summary.thai_report() == ("นำเข้าแล้ว 1 แถว · ซ้ำ (ข้าม) 1 แถว · ข้ามเพราะข้อมูลไม่ถูกต้อง 1 แถว\n"
                                     "  แถวที่ 4: ไม่มีข้อความเรื่องร้องเรียน")
