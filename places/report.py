"""A report filed with the web form (or inside LINE through LIFF): checked, then stored in one transaction as a
citizen message of kind "report" with its photos and place, for the worker to classify and open like any message."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.vocabulary import PRIVACY_POLICY_NAME
from conversation.models import MediaFile
from places.config import PlacesConfig
from places.geo import Box, valid_point
from places.photos import CleanPhoto
from storage import audit
from storage.contacts import get_or_create_contact
from storage.models import Message

MAX_TEXT = 2000
MAX_CONTACT = 200
MAX_ADDRESS = 300
MAX_PHOTOS = 3
ADDRESS_PREFIX = "สถานที่:"  # the typed address is added to the text under this prefix: the public page leaves it out


class ReportError(ValueError):
    """The report cannot be accepted as sent; the message is Thai and shown to the citizen."""


@dataclass(frozen=True)
class Report:
    """What the citizen filled in (already parsed), and who LINE says they are when the form ran inside LINE."""

    text: str
    category: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    contact: str = ""
    consent: bool = False
    photos: tuple[CleanPhoto, ...] = field(default=())
    line_user_id: str | None = None
    line_name: str | None = None


def check(report: Report, *, agency: AgencyConfig, places: PlacesConfig) -> None:
    """Refuse, in Thai, what cannot be accepted: no consent, no text, an unknown category, a pin outside the area."""
    if not report.consent:
        raise ReportError(f"กรุณายินยอมให้หน่วยงานเก็บและใช้ข้อมูลตาม{PRIVACY_POLICY_NAME}ก่อนส่งเรื่องค่ะ")
    if not report.text.strip():
        raise ReportError("กรุณาเล่ารายละเอียดของปัญหาที่พบค่ะ")
    if len(report.text) > MAX_TEXT:
        raise ReportError(f"รายละเอียดยาวเกินไป (ไม่เกิน {MAX_TEXT:,} ตัวอักษร)")
    if len(report.contact) > MAX_CONTACT or len(report.address) > MAX_ADDRESS:
        raise ReportError("ช่องทางติดต่อหรือที่อยู่ยาวเกินไป กรุณาตรวจสอบอีกครั้งค่ะ")
    if report.category and report.category not in {c.code for c in agency.complaint_categories} | {"other"}:
        raise ReportError("กรุณาเลือกประเภทของปัญหาจากรายการค่ะ")
    if len(report.photos) > MAX_PHOTOS:
        raise ReportError(f"แนบรูปได้ไม่เกิน {MAX_PHOTOS} รูปค่ะ")
    if (report.lat is None) != (report.lon is None):
        raise ReportError("ตำแหน่งไม่ครบ กรุณาปักหมุดใหม่อีกครั้งค่ะ")
    if report.lat is not None and report.lon is not None:
        if not valid_point(report.lat, report.lon):
            raise ReportError("ตำแหน่งไม่ถูกต้อง กรุณาปักหมุดใหม่อีกครั้งค่ะ")
        if not places.area.contains(report.lat, report.lon):
            raise ReportError("ตำแหน่งที่ปักอยู่นอกพื้นที่ที่หน่วยงานรับผิดชอบ กรุณาตรวจสอบหมุดอีกครั้ง "
                              "หรือแจ้งหน่วยงานในพื้นที่นั้นค่ะ")


def store(session: Session, *, report: Report, data_dir: Path, now: dt.datetime, area: Box
          ) -> tuple[Message, list[Path]]:
    """The report as a citizen message with its photos (files written, rows added) in the session's transaction;
    returns the message and the files, which the caller deletes if the transaction does not commit."""
    location = _location(report, area=area)
    text = report.text.strip()
    if report.address.strip():
        text += f"\n{ADDRESS_PREFIX} {report.address.strip()}"
    on_line = report.line_user_id is not None
    channel, sender = ("line", report.line_user_id) if on_line else ("web", f"web-{uuid.uuid4().hex}")
    if report.contact.strip():  # kept on the citizen, not in the text (the classifier and e5 read the problem only)
        contact = get_or_create_contact(session, channel=channel, external_id=str(sender),
                                        display_name=report.line_name, seen_at=now)
        contact.phone = contact.phone or report.contact.strip()
    message = Message(
        direction="in", channel=channel, kind="report", sender_id=sender, sender_name=report.line_name,
        external_id=f"web:{uuid.uuid4().hex}", text=text, location=location,
        attachments=[{"type": "image", "provider": "web"} for _ in report.photos], sent_at=now, received_at=now,
    )
    session.add(message)
    session.flush()
    written: list[Path] = []
    try:
        for position, photo in enumerate(report.photos):
            relative = Path("media") / now.strftime("%Y/%m") / f"{message.id}-{position}-web{photo.suffix}"
            target = data_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(photo.data)
            written.append(target)
            session.add(MediaFile(message_id=message.id, position=position, kind="image", source="web",
                                  status="stored", attempts=0, next_attempt_at=now, path=relative.as_posix(),
                                  content_type=photo.content_type, size=len(photo.data), created_at=now))
        audit.record(session, actor="citizen", action="report_filed", entity="message", entity_id=message.id,
                     photos=len(report.photos), place=(location or {}).get("source"), line=on_line)
        session.flush()
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return message, written


def _location(report: Report, *, area: Box) -> dict | None:
    """The pin, else the first photo's EXIF position inside the area, with the category and typed address."""
    if report.lat is not None and report.lon is not None:
        point, source = (report.lat, report.lon), "form_pin"
    else:
        point = next((p.gps for p in report.photos if p.gps is not None and area.contains(*p.gps)), None)
        source = "photo_exif"
    if point is None:
        return None
    return {"latitude": point[0], "longitude": point[1], "source": source,
            "address": report.address.strip() or None, "category": report.category or None}
