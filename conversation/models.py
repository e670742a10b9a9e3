"""The conversation's own tables: satisfaction surveys (one per case), FAQ entries kept by the agency, FAQ answers
given, fetched media (photos, videos, files), follow-up choices still waiting for the citizen, and the citizens'
messages whose sentence vectors are still to be computed after their answer."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class Survey(Base):
    """The satisfaction survey of one case (PMQA 3.2): asked on resolution, answered at most once."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    score: Mapped[int | None] = mapped_column(Integer)  # 5 most satisfied … 1 least
    reason: Mapped[str | None] = mapped_column(String(32))  # slow | unresolved | communication | other
    free_text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column()


class FaqRecord(Base):
    """An FAQ entry as the agency edits it (seeded from conversation/defaults/faq.toml)."""

    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FaqAnswer(Base):
    """An FAQ answer given to a citizen's message, and what they made of it (resolved / ask_officer)."""

    __tablename__ = "faq_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(default=0.0)
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))


class MediaFile(Base):
    """A photo, video or file a citizen sent, fetched by the worker and kept under the data directory."""

    __tablename__ = "media_files"
    __table_args__ = (UniqueConstraint("message_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))  # image | video | audio | file
    source: Mapped[str] = mapped_column(Text)  # line:<message id> or the attachment URL
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | stored | too_large | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    path: Mapped[str | None] = mapped_column(String(300))  # relative to the data directory
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class VectorDue(Base):
    """A citizen's message answered before its sentence vector was computed: the worker's vector job fills it later
    (claimed until `due_at` by the worker embedding it). Erasure and retention delete the row: never embedded then."""

    __tablename__ = "message_vectors_due"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    due_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
