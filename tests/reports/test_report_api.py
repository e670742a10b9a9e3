"""The PMQA report over HTTP on SQLite and PostgreSQL + Redis: JSON, Excel, CSV and PDF as each role may read them,
the improvement register page, the public standards page, and bad input."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile

import openpyxl
import pytest

from reports.formats.xlsx import SHEET_NAMES
from tests.inbox.test_pages import csrf, sign_in
from tests.reports.seed import CITIZEN_NAME, CITIZEN_PHONE, seed
from reports.tables import build_tables, table_by_id
from tests.reports.table_grid import misfit_rows, table_widths
from tests.reports.test_formats import _squash
from tests.support.server import LiveServer

PERSONAL = (CITIZEN_PHONE, "0812345678", CITIZEN_NAME, "ใจงาม")
API = "/api/reports/pmqa?fiscal_year=2569"


def seeded(make_server, backend: str) -> tuple[LiveServer, dict[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    server = make_server(backend, run_worker=False)
    for email, role, unit in (("admin@example.go.th", "admin", None), ("analyst@example.go.th", "analyst", None),
                              ("works@example.go.th", "officer", "public_works"),
                              ("env@example.go.th", "officer", "environment")):
        server.add_user(email, role=role, unit=unit)
    with server.runtime.db.session() as session:
        seed(session)
    return server, {name: server.token(f"{name}@example.go.th") for name in ("admin", "analyst", "works", "env")}


def report_page(client, url: str):  # type: ignore[no-untyped-def]
    """The report page once its report is built: a build longer than the page waits shows its progress first, so
    wait for the build itself (never for a clock), then ask again."""
    from reports import cache

    page = client.get(url)
    if "กำลังจัดทำรายงาน" in page.text:
        for build in list(cache._running.values()):
            build.result()
        page = client.get(url)
    return page


def test_report_json_excel_csv_by_role(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server, headers = seeded(make_server, backend)
    get = server.client.get
    admin = get(API, headers=headers["admin"]).json()
    assert admin["fiscal_year"] == 2569 and admin["scope"] == "ทุกหน่วยงาน"
    assert sum(row["by_year"]["2569"] for row in admin["channels"]) == 13
    assert (admin["handling"]["total"]["received"], admin["handling"]["total"]["repeat"]) == (10, 3)

    works = get(API, headers=headers["works"]).json()
    env = get(API, headers=headers["env"]).json()
    assert (works["scope"], [u["unit"] for u in works["units"]]) == ("เฉพาะกองช่าง", ["public_works"])
    assert [u["unit"] for u in env["units"]] == ["environment"] and env["handling"]["total"]["received"] == 2
    assert sum(row["by_year"]["2569"] for row in works["channels"]) == 5
    assert get(API + "&unit=environment", headers=headers["works"]).json()["units"] == works["units"]

    analyst = get(API, headers=headers["analyst"])
    assert not any(word in analyst.text for word in PERSONAL)
    assert CITIZEN_PHONE in json.dumps(admin, ensure_ascii=False)  # the admin sees the register's evidence as written

    workbook = openpyxl.load_workbook(io.BytesIO(get(API + "&format=xlsx", headers=headers["analyst"]).content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not any(isinstance(c.value, str) and any(word in c.value for word in PERSONAL) for c in cells)
    sheet = workbook[SHEET_NAMES["channels"]]
    walk_in = next(row for row in sheet.iter_rows(values_only=True) if row and row[0] == "มาด้วยตนเอง")
    assert [value for value in walk_in[1:4]] == [1, 0, 1] and all(isinstance(v, int) for v in walk_in[1:4])
    handling = [row for row in workbook[SHEET_NAMES["handling_by_unit"]].iter_rows(values_only=True) if row]
    header = next(row for row in handling if "ร้องเรียนซ้ำ" in row)
    totals = {row[1]: row for row in handling if row[0] == "รวม"}  # three fiscal years side by side
    assert list(totals) == ["2567*", "2568", "2569"]
    assert (totals["2569"][header.index("รับเรื่อง")], totals["2569"][header.index("ร้องเรียนซ้ำ")]) == (10, 3)
    assert totals["2568"][header.index("รับเรื่อง")] == 2

    archive = zipfile.ZipFile(io.BytesIO(get(API + "&format=csv", headers=headers["analyst"]).content))
    for name in archive.namelist():
        raw = archive.read(name)
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads Thai only with the BOM
        assert not any(word in raw.decode("utf-8-sig") for word in PERSONAL)
    channels = list(csv.reader(io.StringIO(archive.read("01_channels.csv").decode("utf-8-sig"))))
    assert ["โทรศัพท์ / ศูนย์ 1111", "0", "1", "2"] == channels[[r[0] for r in channels].index("โทรศัพท์ / ศูนย์ 1111")][:4]
    handled = list(csv.reader(io.StringIO(get(API + "&format=csv&table=handling_by_unit", headers=headers["analyst"])
                                          .content.decode("utf-8-sig"))))
    header = next(row for row in handled if "ร้องเรียนซ้ำ" in row)
    assert next(row for row in handled if row[:2] == ["รวม", "2569"])[header.index("ร้องเรียนซ้ำ")] == "3"
    one = get(API + "&format=csv&table=groups", headers=headers["analyst"])
    assert one.status_code == 200 and "ผู้สูงอายุ/ผู้พิการ" in one.content.decode("utf-8-sig")

    empty = get("/api/reports/pmqa?fiscal_year=2560", headers=headers["admin"]).json()
    assert sum(sum(row["by_year"].values()) for row in empty["channels"]) == 0
    for query, words in (("fiscal_year=2599", "ยังไม่เริ่มต้น"), ("fiscal_year=abc", "ไม่ถูกต้อง"),
                         ("fiscal_year=2026", "พ.ศ."), ("fiscal_year=2569&format=doc", "รูปแบบไฟล์")):
        refused = get(f"/api/reports/pmqa?{query}", headers=headers["admin"])
        assert refused.status_code == 422 and words in refused.json()["detail"]
    assert get(API).status_code == 401


def test_report_page_register_and_standards(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server, _ = seeded(make_server, backend)
    public = server.client.get("/standards")
    assert public.status_code == 200 and "มาตรฐานระยะเวลาการให้บริการ" in public.text
    assert "กองช่าง" in public.text and "ขั้นที่ 2" in public.text

    analyst = sign_in(server, "analyst@example.go.th")
    page = report_page(analyst, "/reports/pmqa?fiscal_year=2569")
    assert page.status_code == 200 and "มาตรฐานการให้บริการ" in page.text
    assert "ตู้รับความคิดเห็น" in page.text and "format=xlsx" in page.text
    assert not any(word in page.text for word in PERSONAL)
    widths = table_widths(page.text)
    assert set(widths) >= {table.id for table in build_tables(analyst.get(API).json()) if not table.empty}
    assert misfit_rows(page.text) == []  # the quarterly issues table: 4 headings over 4 cells, quarters as heading rows
    bad = analyst.get("/reports/pmqa?fiscal_year=2599")
    assert bad.status_code == 422 and "ยังไม่เริ่มต้น" in bad.text

    form = analyst.get("/reports/improvements")
    entry = {"csrf_token": csrf(form), "issue": "ผู้สูงอายุรอรับเบี้ยยังชีพนาน", "link_kind": "cases",
             "link_ref": "fs-2569-000008 และ FS-2569-000009", "unit_code": "social_welfare", "day": "1/5/2569",
             "old_process": "ยื่นเอกสารที่สำนักงาน", "old_steps": "5", "old_days": "15",
             "new_process": "ยื่นทาง LINE", "new_steps": "2", "new_days": "3", "evidence": "ประกาศเทศบาล"}
    missing = analyst.post("/reports/improvements", data={**entry, "link_ref": "FS-2569-999999"})
    assert missing.status_code == 422 and "ไม่พบเรื่องเลขที่ FS-2569-999999" in missing.text
    stranger = analyst.post("/reports/improvements", data={**entry, "citizen_group": "มนุษย์ต่างดาว"})
    assert stranger.status_code == 422 and "กรุณาเลือกกลุ่มผู้รับบริการจากรายการ" in stranger.text
    western = analyst.post("/reports/improvements", data={**entry, "day": "1/5/2026"})
    assert western.status_code == 422 and "กรุณาระบุปีเป็น พ.ศ. เช่น 1/5/2569" in western.text
    assert 'value="1/5/2026"' in western.text  # the form comes back as typed
    no_such = analyst.post("/reports/improvements", data={**entry, "day": "31/2/2569"})
    assert no_such.status_code == 422 and "ไม่มีวันที่ “31/2/2569” ในปฏิทิน" in no_such.text
    future = analyst.post("/reports/improvements", data={**entry, "day": "1/1/2642"})
    assert future.status_code == 422 and "อนาคต" in future.text
    saved = analyst.post("/reports/improvements", data={**entry, "citizen_group": "ผู้สูงอายุ/ผู้พิการ"})
    assert saved.status_code == 303
    report = analyst.get("/api/reports/pmqa?fiscal_year=2569").json()
    added = [e for e in report["improvements"] if e["unit"] == "social_welfare"]
    assert added[0]["citizen_group"] == "ผู้สูงอายุ/ผู้พิการ"
    assert [row[0] for row in table_by_id(report, "group_services").rows] == ["ผู้สูงอายุ/ผู้พิการ"] * 2
    assert added and added[0]["linked_to"] == "เรื่องร้องเรียนเลขที่: FS-2569-000008, FS-2569-000009"
    assert (added[0]["old_days"], added[0]["new_steps"]) == (15.0, 2)

    admin = sign_in(server, "admin@example.go.th")  # an admin's note names a citizen: analysts never read it
    noted = admin.post("/reports/improvements", data={**entry, "csrf_token": csrf(admin.get("/inbox")),
                                                      "evidence": "ประกาศเทศบาล ผู้ประสานงาน นางสาวมาลี ศรีสุข โทร 081-234-5678"})
    assert noted.status_code == 303
    assert "081-234-5678" in admin.get("/reports/improvements").text
    register = analyst.get("/reports/improvements").text
    assert "081-234-5678" not in register and "มาลี" not in register and "ผู้สูงอายุรอรับเบี้ยยังชีพนาน" in register

    officer = sign_in(server, "works@example.go.th")
    assert "ผู้สูงอายุรอรับเบี้ยยังชีพนาน" not in officer.get("/reports/improvements").text, "another unit's entry"
    assert 'href="/reports/pmqa"' in officer.get("/inbox").text, "officers reach their unit's report from the menu"
    assert officer.post("/reports/improvements", data={**entry, "csrf_token": csrf(officer.get("/inbox"))}
                        ).status_code == 403
    assert "เฉพาะกองช่าง" in report_page(officer, "/reports/pmqa?fiscal_year=2569").text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_long_build_shows_its_progress_then_the_report(make_server, backend: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from reports import cache, views

    server, _ = seeded(make_server, backend)
    monkeypatch.setattr(views, "PAGE_WAIT_SECONDS", 0.0)  # every build is "long": the page shows its progress
    analyst = sign_in(server, "analyst@example.go.th")
    waiting = analyst.get("/reports/pmqa?fiscal_year=2569")
    assert waiting.status_code == 200 and "กำลังจัดทำรายงานปีงบประมาณ" in waiting.text
    assert 'data-progress="/api/reports/pmqa/progress?fiscal_year=2569"' in waiting.text
    assert '<script src="/reports/static/progress.js" defer></script>' in waiting.text
    assert analyst.get("/reports/static/progress.js").status_code == 200
    assert analyst.get("/reports/static/../views.py").status_code == 404
    for build in list(cache._running.values()):  # the build goes on in the pool: wait for it, not for a clock
        build.result()
    progress = analyst.get("/api/reports/pmqa/progress?fiscal_year=2569").json()
    assert (progress["status"], progress["percent"]) == ("ready", 100)
    shown = analyst.get("/reports/pmqa?fiscal_year=2569")
    assert "กำลังจัดทำรายงาน" not in shown.text and "มาตรฐานการให้บริการ" in shown.text
    assert analyst.get("/api/reports/pmqa/progress?fiscal_year=2599").status_code == 422


@pytest.mark.parametrize("backend", ["sqlite"])
def test_report_pdf_reads_as_thai(make_server, backend: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server, headers = seeded(make_server, backend)
    response = server.client.get(API + "&format=pdf", headers=headers["analyst"], timeout=120)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = _squash(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout)  # Thai as typed, lines joined
    for words in ("เทศบาลตำบลฟังเสียง", "ปีงบประมาณ", "มาด้วยตนเอง", "ตู้รับความคิดเห็น", "รอบเก็บขยะ",
                  "ดำเนินการล่าช้า", "จำนวน", "ผู้รับบริการ", "ร้องเรียนซ้ำ", "ติดตามผลและปิดเรื่อง", "20วันทำการ"):
        assert words in text, words
    assert not any(word.replace(" ", "") in text for word in PERSONAL)
