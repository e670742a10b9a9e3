"""The PMQA report (page and API in JSON, XLSX, PDF, CSV), the improvement register and the public service standards."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from agency.thaitime import BANGKOK
from agency.thaitime import fiscal_year as fiscal_year_of
from cases.access import sees_personal_data
from cases.standards import published_standards
from runtime import Runtime
from reports import render_csv, render_csv_zip, render_pdf, render_xlsx, thai
from reports.builder import ReportYearError, build_report, parse_fiscal_year
from reports.formats.html import cell_text, table_view
from reports.formats.pdf import ThaiFontMissing
from reports.models import LINK_KINDS, Improvement
from reports.register import FIELDS, RegisterError, may_edit, save_improvement, shown_entry
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


def report_for(session: Session, runtime: Runtime, *, user: User, fiscal_year: str | None) -> dict[str, Any]:
    """The report this user may read for the year asked (ReportYearError for a bad or future year)."""
    now = utcnow()
    year = parse_fiscal_year(fiscal_year, now=now)
    return build_report(session, agency=runtime.agency, calendar=runtime.calendar, fiscal_year=year, user=user,
                        now=now)


@router.get("/api/reports/pmqa", summary="PMQA category 3 evidence for a fiscal year (JSON, xlsx, pdf or csv)")
def pmqa_api(runtime: RuntimeDep, session: ReadSessionDep, user: CurrentUser, fiscal_year: str | None = None,
             format: str = "json", table: str | None = None) -> Response:
    """JSON by default; `format=xlsx|pdf|csv` (csv: a ZIP of every table, or one table with `table=`)."""
    if format not in ("json", "xlsx", "pdf", "csv"):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "รูปแบบไฟล์ต้องเป็น json, xlsx, pdf หรือ csv")
    try:
        report = report_for(session, runtime, user=user, fiscal_year=fiscal_year)
    except ReportYearError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if format == "json":
        return Response(_json(report), media_type="application/json")
    name = f"pmqa-3-{report['fiscal_year']}"
    if format == "csv" and table:
        try:
            body, kind, name = render_csv(report, table=table), "csv", f"{name}-{table}"
        except KeyError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.args[0]) from exc
    elif format == "csv":
        body, kind = render_csv_zip(report), "zip"
    elif format == "xlsx":
        body, kind = render_xlsx(report), "xlsx"
    else:
        try:
            body, kind = render_pdf(report), "pdf"  # a sync route: WeasyPrint runs in the threadpool
        except ThaiFontMissing as exc:  # the server lacks a Thai font: say so in Thai, not a bare 500
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    return Response(body, media_type=FORMATS[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@router.get("/reports/pmqa", response_class=HTMLResponse)
def pmqa_page(request: Request, runtime: RuntimeDep, session: ReadSessionDep, user: PageUser,
              fiscal_year: str | None = None) -> HTMLResponse:
    """The report as a Thai page with its tables and charts, and links to download it."""
    current = parse_fiscal_year(None, now=utcnow())
    try:
        report = report_for(session, runtime, user=user, fiscal_year=fiscal_year)
    except ReportYearError as exc:
        return render(request, "pmqa_page.html", user=user, status_code=422, error=str(exc), report=None,
                      years=_year_choices(current), current=current)
    tables = {table.id: table for table in build_tables(report)}
    sections = [(title, [table_view(tables[i]) for i in ids if i in tables]) for title, ids in SECTIONS]
    return render(request, "pmqa_page.html", user=user, report=report, sections=sections, error=None,
                  figures=key_figures(report), empty=report_is_empty(report), years=_year_choices(current),
                  current=current, fiscal_year_text=thai.fiscal_year_text(report["fiscal_year"]),
                  can_edit_register=may_edit(user))


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
        report = report_for(session, runtime, user=user, fiscal_year=str(year))
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


def _json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False).encode("utf-8")
