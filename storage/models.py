"""The schema: citizens, their messages and cases, the units and officers who handle them, the outbox."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base for all tables."""

    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Unit(Base):
    """A unit of the agency (กอง/งาน) that handles cases."""

    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    topics: Mapped[list[Any]] = mapped_column(default=list)
    is_triage: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Contact(Base):
    """A citizen as known on one channel (a LINE user, a Facebook PSID or commenter)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200))
    following: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    citizen_group: Mapped[str | None] = mapped_column(String(100))  # as configured by the agency
    phone: Mapped[str | None] = mapped_column(String(64))  # off-line citizens (walk-in, phone, letter)
    privacy_notice_at: Mapped[dt.datetime | None] = mapped_column()  # when the PDPA notice was sent


class InboundEvent(Base):
    """A raw webhook event as the platform sent it, kept for audit and replay."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("channel", "event_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()
    redelivered: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Case(Base):
    """A citizen's matter (complaint, suggestion, question, praise) with a ticket, unit and deadline."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_unit_status", "unit_code", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(32), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    intent: Mapped[str] = mapped_column(String(32))
    intent_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment: Mapped[str | None] = mapped_column(String(8))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    unit_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(32), default="new", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # every change stamps it (the ORM sets it on any UPDATE that does not set it itself): the report facts and the
    # inbox's polling follow changes by it
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    respond_due_at: Mapped[dt.datetime] = mapped_column()
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    first_response_at: Mapped[dt.datetime | None] = mapped_column()
    resolved_at: Mapped[dt.datetime | None] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    escalated_at: Mapped[dt.datetime | None] = mapped_column()
    priority: Mapped[str] = mapped_column(String(16), default="normal", server_default="normal", index=True)
    priority_reason: Mapped[str | None] = mapped_column(String(200))
    unit_candidates: Mapped[list[Any] | None] = mapped_column(JSON)  # [{"unit", "confidence"}], top 3
    citizen_group: Mapped[str | None] = mapped_column(String(100))

    contact: Mapped[Contact] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    messages: Mapped[list["Message"]] = relationship(
        back_populates="case", order_by="Message.id", lazy="selectin"
    )


class Message(Base):
    """One message in a conversation: from the citizen (in), to the citizen (out), or an event."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_unprocessed", "processed_at"),
        Index("ix_messages_contact", "contact_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))  # text, image, sticker, location, follow, unfollow, postback, ...
    # The citizen: the webhook stores the channel's user id; the worker links the contact record.
    sender_id: Mapped[str | None] = mapped_column(String(128))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    inbound_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    location: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reply_token: Mapped[str | None] = mapped_column(String(200))
    thread_ref: Mapped[str | None] = mapped_column(String(200))  # comment id to answer under, for page comments
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[dt.datetime | None] = mapped_column()
    # What the classifier said (inbound text only).
    intent: Mapped[str | None] = mapped_column(String(32))
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[str | None] = mapped_column(String(8))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    unit_confidence: Mapped[float | None] = mapped_column(Float)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    masked_text: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str | None] = mapped_column(String(64))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # the classifier's text vector (float16), once
    priority: Mapped[str | None] = mapped_column(String(16))
    priority_reason: Mapped[str | None] = mapped_column(String(200))
    unit_candidates: Mapped[list[Any] | None] = mapped_column(JSON)
    # Outbound only: who wrote it and whether it reached the citizen.
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delivery: Mapped[str | None] = mapped_column(String(16))  # queued | sent | failed

    case: Mapped[Case | None] = relationship(back_populates="messages")


class OutboxMessage(Base):
    """A message waiting to be sent to a citizen; sent at most once per idempotency key."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(200))
    reply_token: Mapped[str | None] = mapped_column(String(200))
    thread_ref: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column()
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column()


class TicketCounter(Base):
    """The last ticket sequence number issued in a Buddhist Era year."""

    __tablename__ = "ticket_counters"
    year_be: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    """An officer, analyst or admin who signs in to the inbox."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseNote(Base):
    """An officer's internal note on a case, never sent to the citizen."""

    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Correction(Base):
    """An officer's correction of the classifier (unit or intent), kept as a training example."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    previous_intent: Mapped[str | None] = mapped_column(String(32))
    previous_unit_code: Mapped[str | None] = mapped_column(String(64))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReplyTemplate(Base):
    """A canned reply officers can insert and edit before sending."""

    __tablename__ = "reply_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AgencyHoliday(Base):
    """A day off the agency adds to the national calendar (e.g. a local festival)."""

    __tablename__ = "agency_holidays"
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class AuditEvent(Base):
    """One state change: who did what to which thing, and when."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))  # user email, "citizen", or "system"
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
