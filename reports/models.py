"""The improvement register: what the agency changed because of what it heard (PMQA 3.2)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

# What an entry may be linked to, with the Thai words the register uses.
LINK_KINDS = {"trend": "ประเด็นที่ประชาชนแจ้งมาก", "cases": "เรื่องร้องเรียนเลขที่", "satisfaction": "ผลสำรวจความพึงพอใจ"}


class Improvement(Base):
    """One change of process: the issue heard, the old and the new process (steps, days), date, unit, evidence."""

    __tablename__ = "improvements"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)  # when the new process started
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    issue: Mapped[str] = mapped_column(Text)
    link_kind: Mapped[str] = mapped_column(String(16))  # trend | cases | satisfaction
    link_ref: Mapped[str] = mapped_column(Text)  # the trending issue's label, ticket numbers, or the finding
    old_process: Mapped[str] = mapped_column(Text)
    old_steps: Mapped[int | None] = mapped_column(Integer)
    old_days: Mapped[float | None] = mapped_column(Float)
    new_process: Mapped[str] = mapped_column(Text)
    new_steps: Mapped[int | None] = mapped_column(Integer)
    new_days: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text, default="")
    citizen_group: Mapped[str | None] = mapped_column(String(100))  # the group the service was adapted for (3.3)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
