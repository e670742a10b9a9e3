"""The places room's routes: the case API's place and same problem, merging (API and case page)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session, object_session

from cases import access
from cases.schemas import CaseDetailOut, LocationOut, SameProblemOut
from places import service
from places.public_views import router as public_router
from places.config import PlacesConfig, config_for
from runtime import Runtime
from storage.models import Case, User, utcnow
from web.deps import CurrentUser, PageUser, RowId, RuntimeDep
from web.templating import flash, register_templates, templates

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
def post_merge(runtime: RuntimeDep, case_id: RowId, body: MergeIn, user: CurrentUser) -> CaseDetailOut:
    """The merged case's citizen is told and follows the target's updates and survey (audited on both cases)."""
    with runtime.db.session() as session:
        case, into = _merge_pair(session, case_id=case_id, into_id=body.into, user=user)
        try:
            service.merge(session, case=case, into=into, user=user, agency=runtime.agency, now=utcnow())
        except service.CaseError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        session.flush()
        session.refresh(case)
        return with_place(CaseDetailOut.of_case(case, user), session=session, case=case, runtime=runtime)


def _merge_pair(session: Session, *, case_id: int, into_id: int, user: User) -> tuple[Case, Case]:
    """The case the user may change and the target they may see (404 / 403 / 422 in Thai otherwise)."""
    try:
        case = access.load_case_for(session, case_id=case_id, user=user, for_update=True)
    except access.CaseNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ไม่พบเรื่องนี้") from exc
    if not access.can_act(user, case):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "บัญชีของท่านไม่มีสิทธิ์แก้ไขเรื่องนี้")
    if not 1 <= into_id <= 2**31 - 1:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "กรุณาระบุเรื่องที่จะรวมเข้าด้วย")
    try:
        into = access.load_case_for(session, case_id=into_id, user=user, for_update=True)
    except access.CaseNotFound as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "ไม่พบเรื่องที่จะรวมเข้าด้วย") from exc
    return case, into


# ---- the officer's case page: the place part and the merge button

SOURCE_NAMES = {"line_location": "ตำแหน่งที่ส่งทาง LINE", "form_pin": "หมุดที่ผู้แจ้งปักในแบบฟอร์ม",
                "photo_exif": "ตำแหน่งจากข้อมูลในรูปภาพ"}


def case_place(request: Request, case: Case) -> dict[str, Any]:
    """The case page's place part: the place, its source in Thai, same-problem candidates, the merge it is in."""
    session = object_session(case)
    if session is None:
        return {}
    runtime = request.app.state.runtime
    place = service.place_of(session, case_id=case.id)
    link = service.merged_into(session, case_id=case.id)
    return {"place": place, "source_name": SOURCE_NAMES.get(place.source, "") if place else "",
            "merged_into": session.get(Case, link.into_case_id) if link else None,
            "same_problem": service.same_problem(session, case=case, agency=runtime.agency,
                                                 config=places_config(runtime))}


@router.post("/inbox/cases/{case_id}/merge", include_in_schema=False)
def merge_page(request: Request, runtime: RuntimeDep, case_id: RowId, user: PageUser,
               into: Annotated[int, Form()] = 0) -> Response:
    """The case page's "รวมเข้ากับเรื่อง …" button: merge, then back to the case with what happened."""
    try:
        with runtime.db.session() as session:
            case, target = _merge_pair(session, case_id=case_id, into_id=into, user=user)
            service.merge(session, case=case, into=target, user=user, agency=runtime.agency, now=utcnow())
            flash(request, f"รวมเรื่องเข้ากับเรื่องเลขที่ {target.ticket} แล้ว ผู้แจ้งจะได้รับความคืบหน้าของเรื่องนั้นด้วย")
    except HTTPException as exc:
        flash(request, str(exc.detail), kind="error")
    except service.CaseError as exc:
        flash(request, str(exc), kind="error")
    return RedirectResponse(f"/inbox/cases/{case_id}#place", status_code=303)


register_templates(TEMPLATES)
templates.env.globals.update(case_place=case_place)
router.include_router(public_router)  # the public status page, the report form, Open311
