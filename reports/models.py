"""The improvement register (PMQA 3.2), the report's per-case facts and the built reports' cache."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
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


class CaseFacts(Base):
    """What the report needs of one case, derived once (working days, category, issue, flow steps, repeat) and kept
    up to date from the cases changed since (`reports.facts`): the report is GROUP BY queries over these rows."""

    __tablename__ = "report_case_facts"
    __table_args__ = (Index("ix_report_facts_year", "fiscal_year", "intent"),)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)   # B.E.
    month: Mapped[int] = mapped_column(Integer)         # of the fiscal year: 0 is October
    channel: Mapped[str] = mapped_column(String(32))
    intent: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    citizen_group: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[dt.datetime] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(64))  # complaints: the agency's category, "other" if none
    issue: Mapped[str | None] = mapped_column(String(300))     # the issue its topics name, places folded
    response_days: Mapped[int | None] = mapped_column(Integer)     # working days to the first answer
    first_within: Mapped[bool] = mapped_column(default=False)      # first answer within the standard's first stage
    resolved: Mapped[bool] = mapped_column(default=False)          # resolved or closed, with a resolution time
    resolution_days: Mapped[int | None] = mapped_column(Integer)   # working days to resolution (resolved only)
    within_standard: Mapped[bool] = mapped_column(default=False)   # resolved by its deadline
    repeat_of: Mapped[int | None] = mapped_column(Integer)         # the earlier case it repeats (reports.repeats)
    flow_reached: Mapped[int] = mapped_column(Integer, default=0)  # complaint flow steps reached (0–7)
    # working days from each flow step to the next (register − receive … close − answer), where both are known
    flow_gap1: Mapped[int | None] = mapped_column(Integer)
    flow_gap2: Mapped[int | None] = mapped_column(Integer)
    flow_gap3: Mapped[int | None] = mapped_column(Integer)
    flow_gap4: Mapped[int | None] = mapped_column(Integer)
    flow_gap5: Mapped[int | None] = mapped_column(Integer)
    flow_gap6: Mapped[int | None] = mapped_column(Integer)
    case_updated_at: Mapped[dt.datetime] = mapped_column()          # the case's updated_at these facts are of


class ReportCache(Base):
    """A built report (JSON, or a rendered file) for one fiscal year, reader scope and data version, or the progress
    of its build."""

    __tablename__ = "report_cache"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # year:scope:personal:format
    data_version: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # building | ready | failed
    stage: Mapped[str] = mapped_column(String(200), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
