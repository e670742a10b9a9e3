"""The places room's routes: the case API's place and same problem, merging (API and case page)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from agency.vocabulary import STATUS_NAMES
from cases import access, deadlines, queries
from cases.schemas import CaseDetailOut, LocationOut, SameProblemOut
from places import proof, service
from places.photos import PhotoError, clean_photo
from places.public_views import router as public_router
from places.config import PlacesConfig, config_for
from runtime import Runtime
from places.models import AfterPhoto, CasePlace
from places.public_views import with_tiles_policy
from storage.models import Case, Unit, User, utcnow
from web.deps import (MAX_ROW_ID, ActionCase, CurrentUser, PageUser, ReadSessionDep, RowId, RuntimeDep, SessionDep,
                      acting_case)
from web.templating import flash, register_templates, render, templates, thai_datetime

router = APIRouter(tags=["places"])
TEMPLATES = Path(__file__).resolve().parent / "templates"


def places_config(runtime: Runtime) -> PlacesConfig:
    """The agency's `[places]` settings."""
    return config_for(runtime.settings)


def with_place(detail: CaseDetailOut, *, session: Session, case: Case, runtime: Runtime) -> CaseDetailOut:
    """The case API's detail with the case's `location` and `same_problem` candidates."""
    place = service.place_of(session, case_id=case.id)
    detail.location = LocationOut(lat=place.lat, lon=place.lon, source=place.source) if place else None
    detail.same_problem = [SameProblemOut(case_id=s.case_id, ticket=s.ticket, distance_m=s.distance_m,
                                          similarity=s.similarity)
                           for s in service.same_problem(session, case=case, agency=runtime.agency,
                                                         config=places_config(runtime))]
    return detail


class MergeIn(BaseModel):
    """The case this one is the same problem as."""

    into: int = 0


@router.post("/api/cases/{case_id}/merge", summary="Merge the case into the same problem's case",
             response_model=CaseDetailOut, response_model_exclude_unset=True)
def post_merge(runtime: RuntimeDep, session: SessionDep, case: ActionCase, body: MergeIn,
               user: CurrentUser) -> CaseDetailOut:
    """The merged case's citizen is told and follows the target's updates and survey (audited on both cases)."""
    into = _merge_target(session, into_id=body.into, user=user)
    service.merge(session, case=case, into=into, user=user, agency=runtime.agency, now=utcnow())
    session.flush()
    session.refresh(case)
    return with_place(CaseDetailOut.of_case(case, user), session=session, case=case, runtime=runtime)


@router.delete("/api/cases/{case_id}/merge", summary="Undo the case's merge (not the same problem after all)",
               response_model=CaseDetailOut, response_model_exclude_unset=True)
def delete_merge(runtime: RuntimeDep, session: SessionDep, case: ActionCase, user: CurrentUser) -> CaseDetailOut:
    """The case's citizen follows their own case again and is told (audited on both cases); 422 when not merged."""
    service.unmerge(session, case=case, user=user, agency=runtime.agency, now=utcnow())
    session.flush()
    session.refresh(case)
    return with_place(CaseDetailOut.of_case(case, user), session=session, case=case, runtime=runtime)


def _merge_target(session: Session, *, into_id: int, user: User) -> Case:
    """The case to merge into, which the user may see (422 in Thai otherwise)."""
    if not 1 <= into_id <= MAX_ROW_ID:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "กรุณาระบุเรื่องที่จะรวมเข้าด้วย")
    try:
        into = access.load_case_for(session, case_id=into_id, user=user, for_update=True)
    except access.CaseNotFound as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "ไม่พบเรื่องที่จะรวมเข้าด้วย") from exc
    return into


# ---- the officer's case page: the place part and the merge button

SOURCE_NAMES = {"line_location": "ตำแหน่งที่ส่งทาง LINE", "form_pin": "หมุดที่ผู้แจ้งปักในแบบฟอร์ม",
                "photo_exif": "ตำแหน่งจากข้อมูลในรูปภาพ"}


def case_place(runtime: Runtime, case: Case) -> dict[str, Any]:
    """The case page's place part: the place, its source in Thai, same-problem candidates, the merge it is in (the
    page passes its runtime; the case's own session is read)."""
    session = object_session(case)
    if session is None:
        return {}
    place = service.place_of(session, case_id=case.id)
    link = service.merged_into(session, case_id=case.id)
    config = places_config(runtime)
    return {"place": place, "source_name": SOURCE_NAMES.get(place.source, "") if place else "",
            "after_photos": proof.after_photos(session, case_id=case.id),
            "needs_after_photo": proof.needs_after_photo(case, session=session, agency=runtime.agency, places=config),
            "without_photo": proof.resolved_without_photo(session, case_id=case.id),
            "tickets": {c.id: c.ticket for c in session.scalars(select(Case).where(Case.id.in_(
                [a.reused_case_id for a in proof.after_photos(session, case_id=case.id) if a.reused_case_id])))},
            "merged_into": session.get(Case, link.into_case_id) if link else None,
            "same_problem": service.same_problem(session, case=case, agency=runtime.agency, config=config)}


@router.post("/inbox/cases/{case_id}/merge", include_in_schema=False)
def merge_page(request: Request, runtime: RuntimeDep, session: SessionDep, case_id: RowId, user: PageUser,
               into: Annotated[int, Form()] = 0) -> Response:
    """The case page's "รวมเข้ากับเรื่อง …" button: merge, then back to the case with what happened."""
    try:
        case = acting_case(session, case_id=case_id, user=user)
        target = _merge_target(session, into_id=into, user=user)
        service.merge(session, case=case, into=target, user=user, agency=runtime.agency, now=utcnow())
        session.flush()
    except (HTTPException, service.CaseError) as exc:
        session.rollback()  # nothing of the refused merge is kept
        flash(request, str(exc.detail) if isinstance(exc, HTTPException) else str(exc), kind="error")
    else:
        flash(request, f"รวมเรื่องเข้ากับเรื่องเลขที่ {target.ticket} แล้ว ผู้แจ้งจะได้รับความคืบหน้าของเรื่องนั้นด้วย")
    return RedirectResponse(f"/inbox/cases/{case_id}#place", status_code=303)


def case_proof(runtime: Runtime, case: Case) -> dict[str, Any]:
    """The resolve form's proof part: whether resolving asks for an after-photo, and whether one is there."""
    session = object_session(case)
    if session is None:
        return {}
    needed = proof.needs_after_photo(case, session=session, agency=runtime.agency, places=places_config(runtime))
    return {"asks": needed and not proof.has_after_photo(session, case=case), "needed": needed}


@router.post("/inbox/cases/{case_id}/unmerge", include_in_schema=False)
def unmerge_page(request: Request, runtime: RuntimeDep, session: SessionDep, case_id: RowId,
                 user: PageUser) -> Response:
    """The case page's "ยกเลิกการรวมเรื่อง" button: undo the merge, then back to the case with what happened."""
    try:
        case = acting_case(session, case_id=case_id, user=user)
        service.unmerge(session, case=case, user=user, agency=runtime.agency, now=utcnow())
        session.flush()
    except (HTTPException, service.CaseError) as exc:
        session.rollback()
        flash(request, str(exc.detail) if isinstance(exc, HTTPException) else str(exc), kind="error")
    else:
        flash(request, "ยกเลิกการรวมเรื่องแล้ว ผู้แจ้งจะได้รับความคืบหน้าของเรื่องนี้เอง")
    return RedirectResponse(f"/inbox/cases/{case_id}#place", status_code=303)


register_templates(TEMPLATES)
templates.env.globals.update(case_place=case_place, case_proof=case_proof)
router.include_router(public_router)  # the public status page, the report form, Open311


# ---- the officers' map of open cases

MAP_AGES = {"7": 7, "30": 30, "90": 90, "": None}


def open_cases_on_map(session: Session, *, user: User, runtime: Runtime, unit: str, category: str,
                      age: str) -> list[dict[str, Any]]:
    """The open cases this user may see that have a place, narrowed by unit, category and age (days)."""
    now = utcnow()
    days = MAP_AGES.get(age)
    query = queries.filtered_cases(user, now=now, unit=unit or None, open_only=True,
                                   created_from=now - dt.timedelta(days=days) if days else None)
    rows = session.execute(select(Case, CasePlace).join(CasePlace, CasePlace.case_id == Case.id)
                           .where(Case.id.in_(select(query.subquery().c.id))).order_by(Case.id.desc()).limit(2000))
    names = {c.code: c.name for c in runtime.agency.complaint_categories}
    out = []
    for case, place in rows:
        code = service.category_of(case, place, runtime.agency)
        if category and code != category:
            continue
        out.append({"id": case.id, "ticket": case.ticket, "lat": place.lat, "lon": place.lon,
                    "unit": case.unit.name if case.unit else case.unit_code, "category": names.get(code, "อื่น ๆ"),
                    "status": STATUS_NAMES.get(case.status, case.status), "overdue": deadlines.is_overdue(case, now=now),
                    "created": thai_datetime(case.created_at)})
    return out


@router.get("/inbox/map", include_in_schema=False)
def map_page(request: Request, runtime: RuntimeDep, session: ReadSessionDep, user: PageUser, unit: str = "",
             category: str = "", age: str = "30") -> Response:
    """Open cases on a map (Leaflet; tiles from the configured URL), filtered by unit, category and age."""
    age = age if age in MAP_AGES else "30"
    cases = open_cases_on_map(session, user=user, runtime=runtime, unit=unit, category=category, age=age)
    units = session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    page = render(request, "places/map.html", user=user, cases=cases, cases_json=json.dumps(cases),
                  units=units, categories=runtime.agency.complaint_categories,
                  chosen={"unit": unit, "category": category, "age": age},
                  tiles_url=runtime.settings.fangsiang_map_tiles_url,
                  attribution=runtime.settings.fangsiang_map_attribution, area=places_config(runtime).area)
    return with_tiles_policy(page, runtime.settings.fangsiang_map_tiles_url)


# ---- proof of fix: the officer's after-photo


@router.post("/inbox/cases/{case_id}/after-photo", include_in_schema=False)
async def after_photo_upload(request: Request, runtime: RuntimeDep, session: SessionDep, case_id: RowId,
                             user: PageUser) -> Response:
    """The case page's after-photo upload (CSRF token in the header, sent by places/static/after.js)."""
    return await _after_photo(request, runtime, session, case_id, user)


class AfterPhotoOut(BaseModel):
    """What became of an uploaded after-photo: the Thai message, and whether it was flagged to the unit head."""

    detail: str
    flagged: bool


@router.post("/api/cases/{case_id}/after-photos", summary="Add an after-photo (proof of fix) to the case",
             status_code=201, response_model=AfterPhotoOut, tags=["places"])
async def after_photo_api(request: Request, runtime: RuntimeDep, session: SessionDep, case_id: RowId,
                          user: CurrentUser) -> Response:
    """multipart: `photo` (JPEG, PNG or WebP). A picture already on another case, or taken before the report, is
    flagged to the unit's head; a physical problem is resolved only with one (or a reason why none is possible)."""
    return await _after_photo(request, runtime, session, case_id, user)


async def _after_photo(request: Request, runtime: Runtime, session: Session, case_id: int, user: User) -> Response:
    """Read, check and keep one uploaded after-photo (422 in Thai when it is missing or not a photo)."""
    form = await request.form(max_files=1, max_fields=5)
    try:
        upload = form.get("photo")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return JSONResponse({"detail": "กรุณาเลือกรูปภาพหลังแก้ไขก่อนบันทึก"}, status_code=422)
        raw = await upload.read(runtime.settings.fangsiang_media_max_bytes + 1)
    finally:
        await form.close()
    try:
        photo = await run_in_threadpool(clean_photo, raw, max_bytes=runtime.settings.fangsiang_media_max_bytes)
    except PhotoError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    return await run_in_threadpool(_keep_after_photo, runtime, session, case_id, user, photo)


def _keep_after_photo(runtime: Runtime, session: Session, case_id: int, user: User, photo: Any) -> JSONResponse:
    """Store the after-photo on a case the user may change (committed here, so its file is removed if that fails);
    say what was flagged."""
    written: list[Path] = []
    try:
        case = acting_case(session, case_id=case_id, user=user)
        after = proof.add_after_photo(session, case=case, photo=photo, user=user,
                                      data_dir=runtime.settings.data_dir, now=utcnow())
        written.append(runtime.settings.data_dir / after.path)
        reused = session.get(Case, after.reused_case_id) if after.reused_case_id else None
        flags = [f"รูปนี้ซ้ำกับรูปในเรื่องเลขที่ {reused.ticket}"] if reused else []
        if after.taken_before_report:
            flags.append("รูปนี้ถ่ายก่อนวันที่ประชาชนแจ้งเรื่อง")
        session.commit()
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    message = "บันทึกภาพหลังแก้ไขแล้ว" + (f" — โปรดตรวจสอบ: {' และ'.join(flags)} (บันทึกให้หัวหน้าหน่วยงานตรวจสอบแล้ว)" if flags else "")
    return JSONResponse({"detail": message, "flagged": bool(flags)}, status_code=201)


@router.get("/inbox/after-photos/{photo_id}", include_in_schema=False)
def after_photo_file(runtime: RuntimeDep, session: ReadSessionDep, photo_id: RowId, user: PageUser) -> Response:
    """An after-photo, for staff who may see its case."""
    after = session.get(AfterPhoto, photo_id)
    case = session.get(Case, after.case_id) if after else None
    if after is None or case is None or not access.can_see(user, case):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    path, content_type = runtime.settings.data_dir / after.path, after.content_type
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(path, media_type=content_type, headers={"Cache-Control": "private, no-store"})
