"""The cases API: list and open cases, as the caller's role allows."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inbox.auth.views import CurrentUser
from inbox.cases import service
from storage.models import CASE_STATUSES, CHANNELS, Case, Message, User, utcnow

router = APIRouter(prefix="/api/cases", tags=["cases"])


def case_json(case: Case, user: User, *, with_messages: bool = False) -> dict[str, Any]:
    """A case as the API shows it; analysts get masked text and no personal data."""
    personal = user.role != "analyst"
    data: dict[str, Any] = {
        "id": case.id,
        "ticket": case.ticket,
        "channel": case.channel,
        "intent": case.intent,
        "intent_confidence": round(case.intent_confidence, 4),
        "sentiment": case.sentiment,
        "unit": case.unit_code,
        "unit_name": case.unit.name if case.unit else None,
        "unit_confidence": round(case.unit_confidence, 4),
        "status": case.status,
        "topics": case.topics,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "respond_due_at": case.respond_due_at.isoformat(),
        "due_at": case.due_at.isoformat(),
        "overdue": service.is_overdue(case, now=utcnow()),
        "escalated_at": case.escalated_at.isoformat() if case.escalated_at else None,
        "first_response_at": case.first_response_at.isoformat() if case.first_response_at else None,
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "next_statuses": list(service.allowed_statuses(case)),
    }
    first = service.first_inbound(case)
    data["summary"] = case.summary if personal else (first.masked_text if first and first.masked_text else "")
    if personal:
        data["citizen"] = {"id": case.contact_id, "display_name": case.contact.display_name,
                           "following": case.contact.following}
    if with_messages:
        data["messages"] = [message_json(m, personal=personal) for m in case.messages]
    return data


def message_json(message: Message, *, personal: bool) -> dict[str, Any]:
    """One message of a case's thread."""
    text = service.shown_text(message, personal=personal)
    return {
        "id": message.id,
        "direction": message.direction,
        "channel": message.channel,
        "kind": message.kind,
        "text": text,
        "attachments": message.attachments if personal else [],
        "location": message.location if personal else None,
        "sent_at": message.sent_at.isoformat(),
        "intent": message.intent,
        "sentiment": message.sentiment,
        "delivery": message.delivery,
        "author_user_id": message.author_user_id,
    }


@router.get("", summary="Cases the caller may see, most urgent first")
def list_cases(
    request: Request,
    user: CurrentUser,
    status_: Annotated[str | None, Query(alias="status")] = None,
    intent: str | None = None,
    channel: str | None = None,
    unit: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Filter by status, intent, channel, unit, overdue; search by ticket or text."""
    if status_ and status_ not in CASE_STATUSES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"ไม่รู้จักสถานะ {status_}")
    if channel and channel not in CHANNELS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"ไม่รู้จักช่องทาง {channel}")
    query = service.filtered_cases(user, now=utcnow(), status=status_, intent=intent, channel=channel, unit=unit,
                                   overdue=overdue, q=q)
    with request.app.state.runtime.db.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        cases = session.scalars(service.most_urgent_first(query).limit(limit).offset(offset)).all()
        return {"total": total, "limit": limit, "offset": offset, "items": [case_json(c, user) for c in cases]}


@router.get("/{case_id}", summary="One case with its conversation")
def get_case(request: Request, case_id: int, user: CurrentUser) -> dict[str, Any]:
    """The case and its messages; 404 when it does not exist or belongs to another unit."""
    with request.app.state.runtime.db.session() as session:
        try:
            case = service.load_case_for(session, case_id=case_id, user=user)
        except service.CaseNotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "ไม่พบเรื่องนี้") from exc
        data = case_json(case, user, with_messages=True)
        if user.role != "analyst":
            data["notes"] = [{"id": n.id, "text": n.text, "author_user_id": n.author_user_id,
                              "created_at": n.created_at.isoformat()} for n in service.case_notes(session, case=case)]
        data["history"] = [{"at": e.at.isoformat(), "actor": e.actor if user.role != "analyst" else None,
                            "action": e.action, "details": e.details if user.role != "analyst" else {}}
                           for e in service.case_history(session, case=case)]
        return data


class ReplyIn(BaseModel):
    """An officer's reply to the citizen."""

    text: str = ""


class StatusIn(BaseModel):
    """A status change, with a note for the citizen (required for forwarded and rejected)."""

    status: str = ""
    note: str | None = None


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


def act_on_case(request: Request, *, case_id: int, user: User, action: Callable[[Session, Case], Any]) -> Any:
    """Run one officer action on a case in one transaction; Thai errors leave the case unchanged."""
    with request.app.state.runtime.db.session() as session:
        try:
            case = service.load_case_for(session, case_id=case_id, user=user, for_update=True)
        except service.CaseNotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "ไม่พบเรื่องนี้") from exc
        if not service.can_act(user, case):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "บัญชีของท่านไม่มีสิทธิ์แก้ไขเรื่องนี้")
        try:
            action(session, case)
        except service.CaseError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        session.flush()
        session.refresh(case)
        return case_json(case, user, with_messages=True)


@router.post("/{case_id}/reply", summary="Reply to the citizen through the case's channel")
def post_reply(request: Request, case_id: int, body: ReplyIn, user: CurrentUser) -> dict[str, Any]:
    """Queue the reply in the outbox; it appears in the thread as queued, then sent or failed."""
    return act_on_case(request, case_id=case_id, user=user, action=lambda session, case: service.reply(
        session, case=case, user=user, text=body.text, now=utcnow()))


@router.post("/{case_id}/status", summary="Move the case along the workflow")
def post_status(request: Request, case_id: int, body: StatusIn, user: CurrentUser) -> dict[str, Any]:
    """new → acknowledged → in_progress → resolved → closed; forwarded and rejected need a note."""
    agency = request.app.state.runtime.agency
    return act_on_case(request, case_id=case_id, user=user, action=lambda session, case: service.change_status(
        session, case=case, user=user, status=body.status, note=body.note, agency=agency, now=utcnow()))


@router.post("/{case_id}/assign", summary="Reassign the case to another unit")
def post_assign(request: Request, case_id: int, body: AssignIn, user: CurrentUser) -> dict[str, Any]:
    """Stored as a correction the classifier can learn from."""
    agency = request.app.state.runtime.agency
    return act_on_case(request, case_id=case_id, user=user, action=lambda session, case: service.assign(
        session, case=case, user=user, unit_code=body.unit, reason=body.reason, agency=agency, now=utcnow()))


@router.post("/{case_id}/intent", summary="Correct the case's intent")
def post_intent(request: Request, case_id: int, body: IntentIn, user: CurrentUser) -> dict[str, Any]:
    """Stored as a correction; the deadlines follow the new intent's service standard."""
    runtime = request.app.state.runtime
    return act_on_case(request, case_id=case_id, user=user, action=lambda session, case: service.relabel(
        session, case=case, user=user, intent=body.intent, agency=runtime.agency, calendar=runtime.calendar,
        now=utcnow()))


@router.post("/{case_id}/notes", summary="Add an internal note (never sent to the citizen)")
def post_note(request: Request, case_id: int, body: NoteIn, user: CurrentUser) -> dict[str, Any]:
    """The note is visible to the unit's officers and admins only."""
    return act_on_case(request, case_id=case_id, user=user, action=lambda session, case: service.add_note(
        session, case=case, user=user, text=body.text, now=utcnow()))
