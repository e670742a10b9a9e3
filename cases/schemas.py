"""A case as the API shows it, typed: what each reader may see of it is decided in cases.access."""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from cases import access
from cases.deadlines import is_overdue
from cases.service import allowed_statuses
from storage.models import AuditEvent, Case, CaseNote, Message, User, utcnow


class CitizenOut(BaseModel):
    """The citizen behind a case (officers and admins only)."""

    id: int
    display_name: str | None
    following: bool
    phone: str | None = None  # off-line citizens who left a number


class MessageOut(BaseModel):
    """One message of a case's thread."""

    id: int
    direction: str
    channel: str
    kind: str
    text: str
    attachments: list[dict[str, Any]]
    location: dict[str, Any] | None
    sent_at: dt.datetime
    intent: str | None
    sentiment: str | None
    delivery: str | None
    author_user_id: int | None

    @classmethod
    def of(cls, message: Message, *, personal: bool) -> "MessageOut":
        """The message as this reader may see it."""
        return cls(
            id=message.id, direction=message.direction, channel=message.channel, kind=message.kind,
            text=access.shown_text(message, personal=personal),
            attachments=message.attachments if personal else [], location=message.location if personal else None,
            sent_at=message.sent_at, intent=message.intent, sentiment=message.sentiment, delivery=message.delivery,
            author_user_id=message.author_user_id if personal else None,
        )


class NoteOut(BaseModel):
    """An internal note."""

    id: int
    text: str
    author_user_id: int | None
    created_at: dt.datetime

    @classmethod
    def of(cls, note: CaseNote) -> "NoteOut":
        """The note as stored."""
        return cls(id=note.id, text=note.text, author_user_id=note.author_user_id, created_at=note.created_at)


class HistoryOut(BaseModel):
    """One change in a case's history."""

    at: dt.datetime
    actor: str | None
    action: str
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent, *, personal: bool) -> "HistoryOut":
        """The change as this reader may see it (analysts: what happened and when, not who or why)."""
        return cls(at=event.at, actor=access.shown_actor(event.actor, personal=personal), action=event.action,
                   details=access.shown_details(event.details, personal=personal))


class UnitCandidateOut(BaseModel):
    """A unit the classifier suggests for the case, with its confidence (top 3, best first)."""

    unit: str
    confidence: float


class CaseOut(BaseModel):
    """A case in a list."""

    id: int
    ticket: str
    channel: str
    intent: str
    intent_confidence: float
    sentiment: str | None
    unit: str
    unit_name: str | None
    unit_confidence: float
    status: str
    topics: list[Any]
    summary: str
    created_at: dt.datetime
    updated_at: dt.datetime
    respond_due_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    escalated_at: dt.datetime | None
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    next_statuses: list[str]
    priority: str = "normal"  # "urgent" when the citizen reports danger to people now
    priority_reason: str | None = None
    unit_candidates: list[UnitCandidateOut] = []  # the classifier's top 3 units (shown on triage cases)
    citizen_group: str | None = None  # as configured by the agency (PMQA "per group")
    citizen: CitizenOut | None = None

    @classmethod
    def fields_of(cls, case: Case, user: User) -> dict[str, Any]:
        """The list fields of a case as this user may see them."""
        personal = access.sees_personal_data(user)
        fields: dict[str, Any] = dict(
            id=case.id, ticket=case.ticket, channel=case.channel, intent=case.intent,
            intent_confidence=round(case.intent_confidence, 4), sentiment=case.sentiment, unit=case.unit_code,
            unit_name=case.unit.name if case.unit else None, unit_confidence=round(case.unit_confidence, 4),
            status=case.status, topics=case.topics, summary=access.shown_summary(case, personal=personal),
            created_at=case.created_at, updated_at=case.updated_at, respond_due_at=case.respond_due_at,
            due_at=case.due_at, overdue=is_overdue(case, now=utcnow()), escalated_at=case.escalated_at,
            first_response_at=case.first_response_at, resolved_at=case.resolved_at, closed_at=case.closed_at,
            next_statuses=list(allowed_statuses(case)), citizen_group=case.citizen_group,
            priority=case.priority or "normal", priority_reason=case.priority_reason,
            unit_candidates=[UnitCandidateOut(**c) for c in case.unit_candidates or []],
        )
        if personal:  # absent, not null, for analysts (responses are sent with exclude_unset)
            fields["citizen"] = CitizenOut(id=case.contact_id, display_name=case.contact.display_name,
                                           following=case.contact.following, phone=case.contact.phone)
        return fields

    @classmethod
    def of(cls, case: Case, user: User) -> "CaseOut":
        """The case as this user may see it in a list."""
        return cls(**cls.fields_of(case, user))


class SatisfactionOut(BaseModel):
    """The citizen's answer to the case's satisfaction survey (PMQA 3.2): 5 most satisfied … 1 least."""

    score: int
    reason: str | None = None  # slow | unresolved | communication | other (asked after a score of 1–2)
    answered_at: dt.datetime | None = None

    @classmethod
    def of_case(cls, case: Case) -> "SatisfactionOut | None":
        """The answer stored in the conversation room's `surveys` table (read by name: cases imports no room)."""
        from sqlalchemy import column, select, table
        from sqlalchemy.orm import object_session

        session = object_session(case)
        if session is None:
            return None
        surveys = table("surveys", column("case_id"), column("score"), column("reason"), column("answered_at"))
        row = session.execute(select(surveys.c.score, surveys.c.reason, surveys.c.answered_at)
                              .where(surveys.c.case_id == case.id)).first()
        if row is None or row.score is None:
            return None
        answered = row.answered_at
        if isinstance(answered, str):
            answered = dt.datetime.fromisoformat(answered)
        if answered is not None and answered.tzinfo is None:
            answered = answered.replace(tzinfo=dt.UTC)
        return cls(score=int(row.score), reason=row.reason, answered_at=answered)


class LocationOut(BaseModel):
    """Where the case's problem is (the places room): from a LINE location, the web form's pin or a photo's EXIF."""

    lat: float
    lon: float
    source: str  # line_location | form_pin | photo_exif


class SameProblemOut(BaseModel):
    """A case that may be the same problem (อาจเป็นเรื่องเดียวกัน): metres apart and meaning similarity, when known."""

    case_id: int
    ticket: str
    distance_m: float | None
    similarity: float | None


class CaseDetailOut(CaseOut):
    """One case with its conversation, notes (staff of the unit only) and history."""

    messages: list[MessageOut]
    notes: list[NoteOut] | None = None
    history: list[HistoryOut] = []
    satisfaction: SatisfactionOut | None = None
    location: LocationOut | None = None  # filled by the case API from the places room
    same_problem: list[SameProblemOut] = []

    @classmethod
    def of_case(cls, case: Case, user: User, *, notes: list[CaseNote] | None = None,
                history: list[AuditEvent] | None = None) -> "CaseDetailOut":
        """The case, its thread, and (when given) its notes and history, as this user may see them."""
        personal = access.sees_personal_data(user)
        fields = cls.fields_of(case, user)
        fields["messages"] = [MessageOut.of(m, personal=personal) for m in case.messages]
        fields["satisfaction"] = SatisfactionOut.of_case(case)
        if personal and notes is not None:
            fields["notes"] = [NoteOut.of(n) for n in notes]
        if history is not None:
            fields["history"] = [HistoryOut.of(e, personal=personal) for e in history]
        return cls(**fields)


class CaseListOut(BaseModel):
    """A page of cases."""

    total: int
    limit: int
    offset: int
    items: list[CaseOut]
