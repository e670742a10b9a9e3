"""The PMQA report (page and API in JSON, XLSX, PDF, CSV), the improvement register and the public service standards."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from agency.thaitime import BANGKOK
from agency.thaitime import fiscal_year as fiscal_year_of
from cases.access import sees_personal_data
from cases.standards import published_standards
from runtime import Runtime
import reports
from reports import cache, thai
from reports.builder import ReportYearError, parse_fiscal_year
from reports.formats.html import cell_text, table_view
from reports.formats.pdf import ThaiFontMissing
from reports.models import LINK_KINDS, Improvement
from reports.register import FIELDS, RegisterError, may_edit, save_improvement, shown_entry
from reports.shape import TABLE_TITLES
from reports.tables import SECTIONS, Column, build_tables, key_figures, report_is_empty
from storage.models import Unit, User, utcnow
from web.deps import CurrentUser, MaybeUser, PageUser, ReadSessionDep, RowId, RuntimeDep, SessionDep
from web.templating import flash, register_templates, render, templates
from web.thaidate import be_day_text

register_templates(Path(__file__).resolve().parent / "templates")
templates.env.filters.update(
    report_day=thai.thai_date, report_moment=thai.thai_moment, days_text=thai.days_text,
    report_value=lambda value, kind: cell_text(value, Column(header="", kind=kind)),
)
router = APIRouter(tags=["reports"])
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


PAGE_WAIT_SECONDS = 3.0  # a quick build is shown at once; a longer one shows its progress and the page polls
STATIC = Path(__file__).resolve().parent / "static"


class ReportProgress(BaseModel):
    """How far the build of a reader's report of a fiscal year is."""

    fiscal_year: int
    status: str = Field(description="building | ready | failed | none (no build started)")
    stage: str = ""
    percent: int = 0
    error: str | None = None


def _lookup(session: Session, runtime: Runtime, *, user: User, fiscal_year: int,
            format: str) -> tuple[str, bytes | None]:
    """The data version now, and the kept body of this reader's report in this format if it is of that version.
    The request's read transaction ends here: it is not held open while a build runs (SQLite's WAL could not be
    checkpointed past it, PostgreSQL's vacuum could not pass its snapshot)."""
    try:
        version = cache.data_version(session, agency=runtime.agency, fiscal_year=fiscal_year, now=utcnow())
        return version, cache.cached(session, key=cache.cache_key(fiscal_year=fiscal_year, user=user, format=format),
                                     version=version)
    finally:
        session.rollback()


async def _body(session: Session, runtime: Runtime, *, user: User, fiscal_year: int, format: str = cache.JSON,
                render: Any = None, wait: float | None = None) -> bytes | None:
    """The report's body in this format: kept, or built in the report pool while the event loop serves others.
    With `wait`, None when the build takes longer than that (it goes on; the page polls its progress)."""
    version, body = await run_in_threadpool(_lookup, session, runtime, user=user, fiscal_year=fiscal_year,
                                            format=format)
    if body is not None:
        return body
    future = cache.start_build(runtime.db, agency=runtime.agency, calendar=runtime.calendar, user=user,
                              fiscal_year=fiscal_year, version=version, format=format, render=render)
    waiting = asyncio.wrap_future(future)
    if wait is None:  # shielded: one reader giving up does not cancel the build others wait for
        return await asyncio.shield(waiting)
    try:
        return await asyncio.wait_for(asyncio.shield(waiting), timeout=wait)
    except TimeoutError:
        return None


def report_for(runtime: Runtime, *, user: User, fiscal_year: str | None) -> dict[str, Any]:
    """The report this user may read for the year asked, kept or built (ReportYearError for a bad or future year);
    for callers already off the event loop."""
    year = parse_fiscal_year(fiscal_year, now=utcnow())
    return cache.report_for(runtime.db, agency=runtime.agency, calendar=runtime.calendar, user=user, fiscal_year=year)


@router.get("/api/reports/pmqa", summary="PMQA category 3 evidence for a fiscal year (JSON, xlsx, pdf or csv)")
async def pmqa_api(runtime: RuntimeDep, session: ReadSessionDep, user: CurrentUser, fiscal_year: str | None = None,
                   format: str = "json", table: str | None = None) -> Response:
    """JSON by default; `format=xlsx|pdf|csv` (csv: a ZIP of every table, or one table with `table=`). Served from
    the cache while the data is unchanged; otherwise built in the report pool (never on the event loop)."""
    if format not in ("json", "xlsx", "pdf", "csv"):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "รูปแบบไฟล์ต้องเป็น json, xlsx, pdf หรือ csv")
    try:
        year = parse_fiscal_year(fiscal_year, now=utcnow())
    except ReportYearError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if format == "csv" and table and table not in TABLE_TITLES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"ไม่มีตาราง “{table}” ในรายงาน")
    name = f"pmqa-3-{year}"
    if format == "json":
        body = await _body(session, runtime, user=user, fiscal_year=year)
        return Response(body, media_type="application/json")
    if format == "csv" and table:
        key, kind, name = f"csv-{table}", "csv", f"{name}-{table}"
        render: Any = lambda report: reports.render_csv(report, table=table)  # noqa: E731
    else:
        key, kind = {"csv": ("csv", "zip"), "xlsx": ("xlsx", "xlsx"), "pdf": ("pdf", "pdf")}[format]
        # the renderer's module (openpyxl for XLSX) loads with the first export, not at every start
        render = getattr(reports, {"csv": "render_csv_zip", "xlsx": "render_xlsx", "pdf": "render_pdf"}[format])
    try:
        body = await _body(session, runtime, user=user, fiscal_year=year, format=key, render=render)
    except ThaiFontMissing as exc:  # the server lacks a Thai font: say so in Thai, not a bare 500
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    except KeyError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.args[0]) from exc
    return Response(body, media_type=FORMATS[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@router.get("/api/reports/pmqa/progress", response_model=ReportProgress,
            summary="How far the build of the reader's PMQA report for a fiscal year is")
def pmqa_progress(runtime: RuntimeDep, session: ReadSessionDep, user: CurrentUser,
                  fiscal_year: str | None = None) -> ReportProgress:
    """The stage and percent the report page shows while its report is being built."""
    try:
        year = parse_fiscal_year(fiscal_year, now=utcnow())
    except ReportYearError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    version, body = _lookup(session, runtime, user=user, fiscal_year=year, format=cache.JSON)
    if body is not None:
        return ReportProgress(fiscal_year=year, status="ready", stage="จัดทำรายงานแล้ว", percent=100)
    state = cache.build_state(session, key=cache.cache_key(fiscal_year=year, user=user))
    if state is None or state["data_version"] != version:
        return ReportProgress(fiscal_year=year, status="none")
    return ReportProgress(fiscal_year=year, status=state["status"], stage=state["stage"], percent=state["percent"],
                          error=state["error"])


@router.get("/reports/pmqa", response_class=HTMLResponse)
async def pmqa_page(request: Request, runtime: RuntimeDep, session: ReadSessionDep, user: PageUser,
                    fiscal_year: str | None = None) -> HTMLResponse:
    """The report as a Thai page with its tables and charts, and links to download it; while a long build runs,
    its progress ("กำลังจัดทำรายงาน … %"), which the page polls and then shows the report."""
    current = parse_fiscal_year(None, now=utcnow())
    try:
        year = parse_fiscal_year(fiscal_year, now=utcnow())
    except ReportYearError as exc:
        return render(request, "pmqa_page.html", user=user, status_code=422, error=str(exc), report=None,
                      years=_year_choices(current), current=current)
    try:
        body = await _body(session, runtime, user=user, fiscal_year=year, wait=PAGE_WAIT_SECONDS)
    except Exception:  # the build failed (and was logged): say so in Thai
        return render(request, "pmqa_page.html", user=user, status_code=503, report=None,
                      error="จัดทำรายงานไม่สำเร็จ กรุณาลองใหม่อีกครั้ง หรือแจ้งผู้ดูแลระบบ",
                      years=_year_choices(current), current=current)
    if body is None:
        state = await run_in_threadpool(cache.build_state, session,
                                        key=cache.cache_key(fiscal_year=year, user=user))
        return render(request, "pmqa_page.html", user=user, report=None, error=None, building=state or {},
                      building_year=year, years=_year_choices(current), current=current,
                      fiscal_year_text=thai.fiscal_year_text(year))
    return await run_in_threadpool(_report_page, request, json.loads(body), user=user, current=current)


def _report_page(request: Request, report: dict[str, Any], *, user: User, current: int) -> HTMLResponse:
    tables = {table.id: table for table in build_tables(report)}
    sections = [(title, [table_view(tables[i]) for i in ids if i in tables]) for title, ids in SECTIONS]
    return render(request, "pmqa_page.html", user=user, report=report, sections=sections, error=None,
                  figures=key_figures(report), empty=report_is_empty(report), years=_year_choices(current),
                  current=current, fiscal_year_text=thai.fiscal_year_text(report["fiscal_year"]),
                  can_edit_register=may_edit(user))


@router.get("/reports/static/{name}", include_in_schema=False)
def reports_static(name: str) -> Response:
    """The report page's own small script (polling a build's progress)."""
    path = STATIC / name
    if name != "progress.js" or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/standards", response_class=HTMLResponse)
def standards_page(request: Request, runtime: RuntimeDep, session: ReadSessionDep, user: MaybeUser) -> HTMLResponse:
    """The published service standards per unit and kind of matter: public, no sign-in."""
    units = {u.code: u.name for u in session.scalars(select(Unit))}
    rows = published_standards(runtime.agency)
    return render(request, "standards.html", user=user, agency=runtime.agency,
                  own=[s for s in rows if s.unit], general=[s for s in rows if not s.unit], units=units)


@router.get("/reports/improvements", response_class=HTMLResponse)
def improvements_page(request: Request, runtime: RuntimeDep, session: ReadSessionDep, user: PageUser) -> HTMLResponse:
    """The register, newest first, with the form to add an entry (admins and analysts)."""
    return _register_page(request, session, runtime, user=user)


@router.post("/reports/improvements", response_model=None)
async def add_improvement(request: Request, runtime: RuntimeDep, session: SessionDep, reading: ReadSessionDep,
                          user: PageUser) -> Response:
    """Create an entry; on a mistake the form comes back filled in with the Thai reason."""
    form = {name: str(value) for name, value in (await request.form()).items()}
    return await run_in_threadpool(_save, request, session, reading, runtime, user=user, entry_id=None, form=form)


@router.get("/reports/improvements/{entry_id}", response_class=HTMLResponse)
def improvement_page(request: Request, runtime: RuntimeDep, session: ReadSessionDep, user: PageUser,
                     entry_id: RowId) -> HTMLResponse:
    """One entry in the form, to correct it."""
    return _register_page(request, session, runtime, user=user, entry_id=entry_id)


@router.post("/reports/improvements/{entry_id}", response_model=None)
async def change_improvement(request: Request, runtime: RuntimeDep, session: SessionDep, reading: ReadSessionDep,
                             user: PageUser, entry_id: RowId) -> Response:
    """Save the corrected entry."""
    form = {name: str(value) for name, value in (await request.form()).items()}
    return await run_in_threadpool(_save, request, session, reading, runtime, user=user, entry_id=entry_id, form=form)


def _save(request: Request, session: Session, reading: Session, runtime: Runtime, *, user: User,
          entry_id: int | None, form: dict[str, str]) -> Response:
    """Save in the request's write session; a refused entry is rolled back and the form shown again through the
    read session, so building its suggestions never holds SQLite's write lock."""
    if not may_edit(user):
        return _forbidden(request, user)
    entry = session.get(Improvement, entry_id) if entry_id is not None else None
    if entry_id is not None and entry is None:
        return render(request, "error.html", user=user, status_code=404, message="ไม่พบรายการนี้ในทะเบียน")
    try:
        saved = save_improvement(session, form=form, user=user, now=utcnow(), entry=entry,
                                 groups=runtime.agency.citizen_groups)
    except RegisterError as exc:
        session.rollback()
        return _register_page(request, reading, runtime, user=user, entry_id=entry_id, form=form, error=str(exc),
                              status_code=422)
    flash(request, "บันทึกการปรับปรุงลงทะเบียนแล้ว")
    return RedirectResponse(f"/reports/pmqa?fiscal_year={fiscal_year_of(saved.day)}#improvements", status_code=303)


def _register_page(request: Request, session: Session, runtime: Runtime, *, user: User, entry_id: int | None = None,
                   form: dict[str, str] | None = None, error: str | None = None, status_code: int = 200) -> Response:
    trends = _recent_issues(session, runtime, user=user) if may_edit(user) else []  # the form's suggestions
    units = [(u.code, u.name) for u in session.scalars(select(Unit).where(Unit.active).order_by(Unit.code))]
    personal = sees_personal_data(user)
    query = select(Improvement).order_by(Improvement.day.desc(), Improvement.id.desc())
    if user.role == "officer":  # as in the report: their own unit's entries
        query = query.where(Improvement.unit_code == user.unit_code)
    entries = [shown_entry(e, personal=personal) for e in session.scalars(query)]
    entry = session.get(Improvement, entry_id) if entry_id is not None else None
    if entry_id is not None and entry is None:
        return render(request, "error.html", user=user, status_code=404, message="ไม่พบรายการนี้ในทะเบียน")
    if form is None and entry is not None:
        shown = shown_entry(entry, personal=personal)
        form = {name: _field_text(shown[name]) for name in FIELDS}
    return render(request, "improvements.html", user=user, status_code=status_code, entries=entries,
                  unit_names=dict(units), units=units, entry=entry, form=form or {}, error=error,
                  editable=may_edit(user), LINK_KINDS=LINK_KINDS, trends=trends,
                  groups=runtime.agency.citizen_groups, today=be_day_text(dt.datetime.now(BANGKOK).date()))


def _recent_issues(session: Session, runtime: Runtime, *, user: User) -> list[str]:
    """The issues citizens raised most this fiscal year, offered as links for a register entry."""
    current = parse_fiscal_year(None, now=utcnow())
    seen: list[str] = []
    for year in (current, current - 1):  # early in a fiscal year, last year's issues are the ones acted on
        report = report_for(runtime, user=user, fiscal_year=str(year))
        for quarter in reversed(report["topics"]):
            seen += [item["topic"] for item in quarter["topics"] if item["topic"] not in seen]
    return seen


def _field_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return be_day_text(value) if isinstance(value, dt.date) else str(value)


def _forbidden(request: Request, user: User) -> HTMLResponse:
    return render(request, "error.html", user=user, status_code=403,
                  message="ทะเบียนการปรับปรุงบันทึกได้เฉพาะผู้ดูแลระบบและนักวิเคราะห์")


def _year_choices(current: int) -> list[int]:
    return list(range(current, current - 6, -1))
