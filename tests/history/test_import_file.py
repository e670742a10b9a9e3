"""`fangsiang import`'s work end to end: a file's rows become classified cases written through the case domain, the
rollups follow, a re-import adds nothing; on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import openpyxl
from sqlalchemy import func, select

from agency.thaitime import BANGKOK
from analytics.models import DailyVolume
from analytics.service import scope_for, totals, volumes
from cases.standards import standard_for
from history.importer import ColumnMapping
from history.loading import HistoryRow, Loader
from history.service import import_file
from storage.db import Database
from storage.models import Case, Message, OutboxMessage
from tests.analytics.test_pipeline import AGENCY, CALENDAR, db  # noqa: F401 — the pipeline's database fixture
from tests.reports.helpers import user

CSV = """เรื่อง,วันที่,ช่องทาง,หน่วยงาน,สถานะ,เลขเรื่อง,ความพึงพอใจ
ไฟถนนดับหน้าบ้าน ซอยสุขใจ มืดมาก,30/09/2568 22:30,โทรศัพท์,กองช่าง,ปิดเรื่อง,OLD-001,5
ขยะไม่เก็บมาสามวันแล้ว ส่งกลิ่นเหม็น,1 ต.ค. 68,walk_in,กองสาธารณสุขและสิ่งแวดล้อม,เสร็จสิ้น,OLD-002,4
ขยะไม่เก็บมาสามวันแล้ว ส่งกลิ่นเหม็น,1 ต.ค. 68,walk_in,กองสาธารณสุขและสิ่งแวดล้อม,เสร็จสิ้น,OLD-002,4
ถนนเป็นหลุมใหญ่ รถล้มบ่อย,วันที่ผิด,โทรศัพท์,กองช่าง,ปิดเรื่อง,OLD-003,
,2/10/2568,โทรศัพท์,กองช่าง,ปิดเรื่อง,OLD-004,
น้ำประปาไม่ไหลตั้งแต่เช้า ติดต่อนายสมชาย ใจดี 081-234-5678,2/10/2568 08:15,line,,กำลังดำเนินการ,,
"""


def runtime(db: Database) -> SimpleNamespace:
    return SimpleNamespace(db=db, agency=AGENCY, calendar=CALENDAR)


def mapping() -> ColumnMapping:
    return ColumnMapping(text="เรื่อง", date="วันที่", channel="ช่องทาง", unit="หน่วยงาน", status="สถานะ",
                         ticket="เลขเรื่อง", satisfaction="ความพึงพอใจ")


def test_csv_import_with_thai_dates_duplicates_and_bad_rows(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    summary = import_file(runtime(db), path=path, mapping=mapping())
    report = summary.thai_report()
    assert "แถวที่ 5" in report and "แถวที่ 6" in report  # bad date, empty text: line numbers with reasons
    analyst = user(db, "analyst@example.go.th")
    with db.session() as session:
        cases = {c.ticket: c for c in session.scalars(select(Case))}
        assert set(cases) >= {"OLD-001", "OLD-002"} and len(cases) == 3
        assert cases["OLD-001"].status == "closed" and cases["OLD-002"].status == "resolved"
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # nothing sent to citizens
        masked = session.scalars(select(Message.masked_text).where(Message.text.like("%น้ำประปา%"))).one()
        assert "081-234-5678" not in masked and "สมชาย" not in masked
        # volumes sum to the imported rows, split across the fiscal-year boundary (30 Sep / 1 Oct, Bangkok)
        scope = scope_for(analyst, date_from=dt.date(2025, 9, 1), date_to=dt.date(2025, 10, 31))
        series = volumes(session, scope=scope, by="fiscal_year", group="channel")
        per_year: dict[str, int] = {}
        for s in series:
            for point in s["points"]:
                per_year[point["period"]] = per_year.get(point["period"], 0) + point["count"]
        assert per_year == {"2568": 1, "2569": 2}
        assert totals(session, scope=scope)["rated"] == 2
    again = import_file(runtime(db), path=path, mapping=mapping())
    assert again.imported == 0
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 3  # re-import adds nothing


def test_xlsx_import_in_buddhist_era(db: Database, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ข้อความ", "วันที่รับเรื่อง"])
    sheet.append(["ไฟถนนดับ ซอยเทศบาล 5", "15 มี.ค. 68"])
    sheet.append(["ท่อระบายน้ำอุดตัน หมู่ 3", "16/03/2568"])
    sheet.append(["ท่อระบายน้ำอุดตัน หมู่ 3", "16/03/2568"])
    path = tmp_path / "history.xlsx"
    book.save(path)
    summary = import_file(runtime(db), path=path, mapping=ColumnMapping(text="ข้อความ", date="วันที่รับเรื่อง",
                                                                          channel_value="letter"))
    assert summary.imported == 2 and summary.duplicates == 1
    with db.session() as session:
        days = sorted(session.scalars(select(DailyVolume.day)))
        assert days == [dt.date(2025, 3, 15), dt.date(2025, 3, 16)]


def test_past_cases_keep_the_unit_s_own_service_standard(db: Database) -> None:
    """Bug found in the move: history deadlines used the agency-wide standard per intent, ignoring a unit's own
    published one (กองช่าง's complaints), so imported cases were on time or late by the wrong yardstick."""
    own = standard_for(AGENCY, unit="public_works", intent="complaint")
    general = AGENCY.standard("complaint")
    assert (own.respond_days, own.resolve_days) != (general.respond_days, general.resolve_days)
    received = dt.datetime(2025, 11, 3, 10, 0, tzinfo=BANGKOK)
    with db.session() as session:
        loader = Loader(session=session, agency=AGENCY, calendar=CALENDAR, source="standards-test")
        [case_id] = loader.load([HistoryRow(text="ถนนเป็นหลุม ซอยเทศบาล 5", received_at=received, channel="phone",
                                            status="closed", unit="public_works", intent="complaint",
                                            sentiment="neg", topics=["ถนน"])])
    with db.session() as session:
        case = session.get(Case, case_id)
        assert case.due_at.replace(tzinfo=dt.UTC) == CALENDAR.add_working_days(received, own.resolve_days)
        assert case.respond_due_at.replace(tzinfo=dt.UTC) == CALENDAR.add_working_days(received, own.respond_days)
        assert case.ticket.startswith(f"{AGENCY.ticket_prefix}-2568-")
