"""The history room's table: the fingerprint of every row brought in, so a re-import adds nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class ImportedRow(Base):
    """A row brought in from a file (or the demo history): its fingerprint, so a re-import adds nothing."""

    __tablename__ = "analytics_imported_rows"  # named when the import lived in analytics (migration 0003)
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(200))
    line: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 1–5 as given in the file
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
