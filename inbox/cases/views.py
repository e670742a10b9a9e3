"""The cases API: list and open cases, as the caller's role allows."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from sqlalchemy import func, or_, select

from inbox.auth.views import CurrentUser
from inbox.cases.service import can_see, visible_cases
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
        "overdue": case.status in ("new", "acknowledged", "in_progress") and case.due_at < utcnow(),
        "first_response_at": case.first_response_at.isoformat() if case.first_response_at else None,
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
    }
    first = case.messages[0] if case.messages else None
    data["summary"] = case.summary if personal else (first.masked_text if first and first.masked_text else "")
    if personal:
        data["citizen"] = {"id": case.contact_id, "display_name": case.contact.display_name,
                           "following": case.contact.following}
    if with_messages:
        data["messages"] = [message_json(m, personal=personal) for m in case.messages]
    return data


def message_json(message: Message, *, personal: bool) -> dict[str, Any]:
    """One message of a case's thread."""
    text = message.text if personal or message.direction == "out" else (message.masked_text or "")
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
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"ไม่รู้จักสถานะ {status_}")
    if channel and channel not in CHANNELS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"ไม่รู้จักช่องทาง {channel}")
    query = visible_cases(user)
    for column, value in ((Case.status, status_), (Case.intent, intent), (Case.channel, channel),
                          (Case.unit_code, unit)):
        if value:
            query = query.where(column == value)
    if overdue is not None:
        late = Case.status.in_(("new", "acknowledged", "in_progress")) & (Case.due_at < utcnow())
        query = query.where(late if overdue else ~late)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(Case.ticket.ilike(pattern), Case.summary.ilike(pattern)) if user.role != "analyst"
                            else Case.ticket.ilike(pattern))
    with request.app.state.runtime.db.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        cases = session.scalars(query.order_by(Case.due_at, Case.id).limit(limit).offset(offset)).all()
        return {"total": total, "limit": limit, "offset": offset, "items": [case_json(c, user) for c in cases]}


@router.get("/{case_id}", summary="One case with its conversation")
def get_case(request: Request, case_id: int, user: CurrentUser) -> dict[str, Any]:
    """The case and its messages; 404 when it does not exist or belongs to another unit."""
    with request.app.state.runtime.db.session() as session:
        case = session.get(Case, case_id)
        if case is None or not can_see(user, case):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "ไม่พบเรื่องนี้")
        return case_json(case, user, with_messages=True)
