"""The cases API: list and open cases, as the caller's role allows."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.vocabulary import CASE_STATUSES, Role, channel_names
from cases import access, offline, queries, service
from cases.schemas import CaseDetailOut, CaseListOut, CaseOut
from places import proof
from places.views import places_config, with_place
from storage.models import Case, User, utcnow
from web.deps import ActionCase, CurrentUser, Offset, ReadSessionDep, RowId, RuntimeDep, SessionDep

router = APIRouter(prefix="/api/cases", tags=["cases"])


@router.get("", summary="Cases the caller may see, most urgent first", response_model=CaseListOut,
            response_model_exclude_unset=True)
def list_cases(
    runtime: RuntimeDep,
    session: ReadSessionDep,
    user: CurrentUser,
    status_: Annotated[str | None, Query(alias="status")] = None,
    intent: str | None = None,
    channel: str | None = None,
    unit: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> CaseListOut:
    """Filter by status, intent, channel, unit, overdue; search by ticket or text."""
    if status_ and status_ not in CASE_STATUSES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"ไม่รู้จักสถานะ {status_}")
    if channel and channel not in channel_names(runtime.agency):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"ไม่รู้จักช่องทาง {channel}")
    query = queries.filtered_cases(user, now=utcnow(), status=status_, intent=intent, channel=channel, unit=unit,
                                   overdue=overdue, q=q)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    cases = session.scalars(queries.most_urgent_first(query).limit(limit).offset(offset)).all()
    return CaseListOut(total=total, limit=limit, offset=offset, items=[CaseOut.of(c, user) for c in cases])


@router.get("/{case_id}", summary="One case with its conversation", response_model=CaseDetailOut,
            response_model_exclude_unset=True)
def get_case(runtime: RuntimeDep, session: ReadSessionDep, case_id: RowId, user: CurrentUser) -> CaseDetailOut:
    """The case and its messages; 404 when it does not exist or belongs to another unit."""
    try:
        case = access.load_case_for(session, case_id=case_id, user=user)
    except access.CaseNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ไม่พบเรื่องนี้") from exc
    return with_place(CaseDetailOut.of_case(case, user, notes=queries.case_notes(session, case=case),
                                            history=queries.case_history(session, case=case)),
                      session=session, case=case, runtime=runtime)


def acted(session: Session, case: Case, user: User) -> CaseDetailOut:
    """The case as the officer's action left it."""
    session.flush()
    session.refresh(case)
    return CaseDetailOut.of_case(case, user)


class ReplyIn(BaseModel):
    """An officer's reply to the citizen."""

    text: str = ""


class StatusIn(BaseModel):
    """A status change, with a note for the citizen (required for forwarded and rejected)."""

    status: str = ""
    note: str | None = None
    no_photo_reason: str | None = None  # resolving a physical problem without an after-photo: why none is possible


class AssignIn(BaseModel):
    """A reassignment to another unit, with the reason."""

    unit: str = ""
    reason: str = ""


class NoteIn(BaseModel):
    """An internal note."""

    text: str = ""


class IntentIn(BaseModel):
    """A corrected intent."""

    intent: str = ""


class CitizenIn(BaseModel):
    """Who brought an off-line matter (both optional: a comment box has no name)."""

    name: str = ""
    phone: str = ""


class OfflineCaseIn(BaseModel):
    """A matter that arrived off-line: channel code from the agency config, the text, the citizen, when."""

    channel: str = ""
    text: str = ""
    citizen: CitizenIn = CitizenIn()
    group: str = ""
    received_at: str = ""
    unit: str = ""


class GroupIn(BaseModel):
    """The citizen's group as configured by the agency; empty clears it."""

    group: str = ""


@router.post("", summary="Record a case that arrived off-line (walk-in, phone, letter…)", status_code=201,
             response_model=CaseDetailOut, response_model_exclude_unset=True)
def post_offline_case(runtime: RuntimeDep, session: SessionDep, body: OfflineCaseIn,
                      user: CurrentUser) -> CaseDetailOut:
    """Classified, routed (an officer's own unit by default), deadlines and audit as for LINE; nothing is sent."""
    if user.role not in (Role.ADMIN, Role.OFFICER):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "บัญชีของท่านไม่มีสิทธิ์บันทึกเรื่อง")
    try:
        case = offline.record_offline_case(
            session, matter=offline.OfflineMatter(
                channel=body.channel, text=body.text, citizen_name=body.citizen.name,
                citizen_phone=body.citizen.phone, group=body.group,
                received_at=offline.parse_received_at(body.received_at), unit=body.unit),
            user=user, agency=runtime.agency, calendar=runtime.calendar, now=utcnow())
    except service.CaseError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return acted(session, case, user)


@router.post("/{case_id}/group", summary="Set the citizen's group on the case", response_model=CaseDetailOut,
             response_model_exclude_unset=True)
def post_group(runtime: RuntimeDep, session: SessionDep, case: ActionCase, body: GroupIn,
               user: CurrentUser) -> CaseDetailOut:
    """One of the agency's configured groups (the citizen's contact takes it too when it has none)."""
    service.set_citizen_group(session, case=case, group=body.group.strip() or None, agency=runtime.agency,
                              actor=user, now=utcnow())
    return acted(session, case, user)


@router.post("/{case_id}/reply", summary="Reply to the citizen through the case's channel",
             response_model=CaseDetailOut, response_model_exclude_unset=True)
def post_reply(session: SessionDep, case: ActionCase, body: ReplyIn, user: CurrentUser) -> CaseDetailOut:
    """Queue the reply in the outbox; it appears in the thread as queued, then sent or failed."""
    service.reply(session, case=case, user=user, text=body.text, now=utcnow())
    return acted(session, case, user)


@router.post("/{case_id}/status", summary="Move the case along the workflow", response_model=CaseDetailOut,
             response_model_exclude_unset=True)
def post_status(runtime: RuntimeDep, session: SessionDep, case: ActionCase, body: StatusIn,
                user: CurrentUser) -> CaseDetailOut:
    """new → acknowledged → in_progress → resolved → closed; forwarded and rejected need a note; resolving a
    physical problem needs an after-photo (`POST /api/cases/{id}/after-photos`) or `no_photo_reason`."""
    proof.change_status_with_proof(session, case=case, user=user, status=body.status, note=body.note,
                                   no_photo_reason=body.no_photo_reason, agency=runtime.agency,
                                   places=places_config(runtime), now=utcnow())
    return acted(session, case, user)


@router.post("/{case_id}/assign", summary="Reassign the case to another unit", response_model=CaseDetailOut,
             response_model_exclude_unset=True)
def post_assign(runtime: RuntimeDep, session: SessionDep, case: ActionCase, body: AssignIn,
                user: CurrentUser) -> CaseDetailOut:
    """Stored as a correction the classifier can learn from."""
    service.assign(session, case=case, user=user, unit_code=body.unit, reason=body.reason, agency=runtime.agency,
                   now=utcnow())
    return acted(session, case, user)


@router.post("/{case_id}/intent", summary="Correct the case's intent", response_model=CaseDetailOut,
             response_model_exclude_unset=True)
def post_intent(runtime: RuntimeDep, session: SessionDep, case: ActionCase, body: IntentIn,
                user: CurrentUser) -> CaseDetailOut:
    """Stored as a correction; the deadlines follow the new intent's service standard."""
    service.relabel(session, case=case, user=user, intent=body.intent, agency=runtime.agency,
                    calendar=runtime.calendar, now=utcnow())
    return acted(session, case, user)


@router.post("/{case_id}/notes", summary="Add an internal note (never sent to the citizen)",
             response_model=CaseDetailOut, response_model_exclude_unset=True)
def post_note(session: SessionDep, case: ActionCase, body: NoteIn, user: CurrentUser) -> CaseDetailOut:
    """The note is visible to the unit's officers and admins only."""
    service.add_note(session, case=case, user=user, text=body.text, now=utcnow())
    return acted(session, case, user)
