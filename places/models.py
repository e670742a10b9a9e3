"""The places room's own tables: where each case is, and which case was merged into which."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

SOURCES = ("line_location", "form_pin", "photo_exif")


class CasePlace(Base):
    """Where a case's problem is: one point per case, from the best source known (pin, LINE location, photo EXIF)."""

    __tablename__ = "case_places"
    __table_args__ = (Index("ix_case_places_lat_lon", "lat", "lon"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))  # line_location | form_pin | photo_exif
    address: Mapped[str | None] = mapped_column(Text)  # as the citizen or LINE gave it (personal: never public)
    category: Mapped[str | None] = mapped_column(String(64))  # the complaint category the citizen chose (web form)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseMerge(Base):
    """A case merged into another (the same problem): its citizen follows the target's updates and survey."""

    __tablename__ = "case_merges"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    into_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    merged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    relayed_event_id: Mapped[int] = mapped_column(Integer, default=0)  # the target's last audit event passed on


class AfterPhoto(Base):
    """An officer's photo of the fixed problem (proof of fix), with its perceptual hash and what was found odd."""

    __tablename__ = "case_after_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))  # relative to the data directory, EXIF stripped
    content_type: Mapped[str] = mapped_column(String(100))
    phash: Mapped[str] = mapped_column(String(16), index=True)  # 64-bit difference hash, hex
    taken_at: Mapped[dt.datetime | None] = mapped_column()  # EXIF DateTimeOriginal, when the photo had one
    uploaded_by: Mapped[str] = mapped_column(String(254))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reused_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # the same picture on another case
    taken_before_report: Mapped[bool] = mapped_column(default=False)


class PhotoHash(Base):
    """The perceptual hash of a citizen's stored photo (media_files), computed once when after-photos are checked."""

    __tablename__ = "photo_hashes"

    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), primary_key=True)
    phash: Mapped[str] = mapped_column(String(16), index=True)


class ReportSender(Base):
    """The web reports one client address filed within the last hour, counted for every web process at once (the
    per-address flood limit of `POST /report`); the address itself is not kept, only a keyed hash of it."""

    __tablename__ = "report_senders"

    address_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256 of the address, hex
    sent_at: Mapped[list[Any]] = mapped_column(default=list)  # the reports' times (epoch seconds) in the window
    last_at: Mapped[dt.datetime] = mapped_column(index=True)  # rows idle longer than the window are dropped
