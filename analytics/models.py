"""The analytics room's tables: daily rollups the worker keeps, spike alerts and the rollup watermark."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

NONE = ""  # a missing dimension (no intent, no sentiment, no group) in the rollups' keys


class DailyVolume(Base):
    """Citizens' messages and cases of one Bangkok day, by channel × intent × unit × sentiment × group × status bucket."""

    __tablename__ = "analytics_daily"
    __table_args__ = (Index("ix_analytics_daily_day", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(32))
    intent: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(64))
    sentiment: Mapped[str] = mapped_column(String(8))
    citizen_group: Mapped[str] = mapped_column(String(100))
    status_bucket: Mapped[str] = mapped_column(String(8))  # open | done | none (a message without a case)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    cases: Mapped[int] = mapped_column(Integer, default=0)
    responded: Mapped[int] = mapped_column(Integer, default=0)
    response_days: Mapped[int] = mapped_column(Integer, default=0)  # working days, summed
    responded_on_time: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolution_days: Mapped[int] = mapped_column(Integer, default=0)
    resolved_on_time: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)


class DailyIssue(Base):
    """Messages naming one issue (and place) on one Bangkok day, by unit and channel, with a few example cases."""

    __tablename__ = "analytics_daily_issues"
    __table_args__ = (Index("ix_analytics_issues_day", "day", "issue_key"),
                      Index("ix_analytics_issues_key", "issue_key", "day"))
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    issue_key: Mapped[str] = mapped_column(String(300))
    unit_code: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)
    case_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # latest first, at most EXAMPLES


class SpikeAlert(Base):
    """A spike of an issue or a unit's cases, raised once (unique on series and first day) with its evidence."""

    __tablename__ = "analytics_spike_alerts"
    __table_args__ = (UniqueConstraint("series_key", "started_at", name="uq_analytics_spike_series_start"),
                      Index("ix_analytics_spike_detected", "detected_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    series_key: Mapped[str] = mapped_column(String(400))  # "issue:<issue_key>" or "unit:<code>"
    label: Mapped[str] = mapped_column(String(300))
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    count: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    case_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Watermark(Base):
    """How far the rollups have read: the last message id and the last case change seen."""

    __tablename__ = "analytics_watermarks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[int] = mapped_column(Integer, default=0)
    case_updated_at: Mapped[dt.datetime | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
