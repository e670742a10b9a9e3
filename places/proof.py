"""Proof of fix: an officer's after-photo for a case, checked against every photo already on other cases (perceptual
hash) and against the report's time (EXIF), flagged to the unit's heads and shown on the case page."""
from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.config import AgencyConfig
from agency.vocabulary import AuditAction, Status
from cases.alerts import unit_staff
from cases.errors import CaseError
from cases.service import allowed_statuses, change_status
from conversation.models import MediaFile
from places.config import PlacesConfig
from places.models import AfterPhoto, CasePlace, PhotoHash
from places.photos import CleanPhoto
from places.service import category_of
from storage import audit
from storage.models import AuditEvent, Case, Message, User

SAME_PICTURE_BITS = 8  # of 64: a re-saved, resized or lightly cropped copy stays within this many differing bits
HASH_BATCH = 500  # citizens' photos hashed per check (the rest on the next)
NO_PHOTO_REASON_LIMIT = 500
PHOTO_NEEDED = ("เรื่องประเภทนี้เป็นปัญหาทางกายภาพ กรุณาแนบภาพหลังแก้ไขก่อนแจ้งว่าดำเนินการแล้วเสร็จ "
                "หรือระบุเหตุผลที่ไม่สามารถถ่ายภาพหลังแก้ไขได้")


def difference_hash(data: bytes) -> str:
    """A 64-bit difference hash (dHash) of a picture: the brightness gradient of a 9×8 grey thumbnail, as hex."""
    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(small.getdata())
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] < pixels[row * 9 + col + 1])
    return f"{bits:016x}"


def hash_distance(a: str, b: str) -> int:
    """How many of the 64 bits differ."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def needs_after_photo(case: Case, *, session: Session, agency: AgencyConfig, places: PlacesConfig) -> bool:
    """Whether the case's category is a physical problem the agency wants proof of fix for."""
    return category_of(case, session.get(CasePlace, case.id), agency) in places.physical_categories


def has_after_photo(session: Session, *, case: Case) -> bool:
    """Whether the case has an after-photo taken since it was last reopened (an older one did not fix it)."""
    reopened = session.scalar(select(func.max(AuditEvent.at)).where(AuditEvent.case_id == case.id,
                                                                    AuditEvent.action == AuditAction.REOPENED))
    query = select(AfterPhoto.id).where(AfterPhoto.case_id == case.id)
    if reopened is not None:
        query = query.where(AfterPhoto.uploaded_at >= reopened)
    return session.scalar(query.limit(1)) is not None


def change_status_with_proof(session: Session, *, case: Case, user: User, status: str, note: str | None,
                             no_photo_reason: str | None, agency: AgencyConfig, places: PlacesConfig,
                             now: dt.datetime) -> AuditEvent:
    """Move the case along the workflow; resolving a physical problem asks for an after-photo, or the officer's
    reason why none is possible (kept in the audit event). Thai CaseError otherwise."""
    reason = (no_photo_reason or "").strip()
    if len(reason) > NO_PHOTO_REASON_LIMIT:
        raise CaseError(f"เหตุผลที่ไม่มีภาพหลังแก้ไขยาวเกินไป ระบุได้ไม่เกิน {NO_PHOTO_REASON_LIMIT:,} ตัวอักษร")
    without_photo = (status == Status.RESOLVED and status in allowed_statuses(case)
                     and needs_after_photo(case, session=session, agency=agency, places=places)
                     and not has_after_photo(session, case=case))
    if without_photo and not reason:
        raise CaseError(PHOTO_NEEDED)
    event = change_status(session, case=case, user=user, status=status, note=note, agency=agency, now=now)
    if without_photo:
        event.details = {**event.details, "no_after_photo_reason": reason}
    return event


def resolved_without_photo(session: Session, *, case_id: int) -> AuditEvent | None:
    """The last time the case was resolved without an after-photo (its reason in `no_after_photo_reason`), if ever."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                      AuditEvent.action == AuditAction.STATUS_CHANGED)
                             .order_by(AuditEvent.id.desc()))
    return next((e for e in events if e.details.get("no_after_photo_reason")), None)


@dataclass(frozen=True)
class Flags:
    """What was found odd about an after-photo."""

    reused_case_id: int | None
    taken_before_report: bool


def add_after_photo(session: Session, *, case: Case, photo: CleanPhoto, user: User, data_dir: Path,
                    now: dt.datetime) -> AfterPhoto:
    """Keep the officer's after-photo (EXIF stripped), flag a picture already on another case or taken before the
    report, and tell the unit's heads of a flag (audited)."""
    phash = difference_hash(photo.data)  # upright and re-encoded, as citizens' form photos are stored
    flags = Flags(reused_case_id=_reused_on(session, phash=phash, case_id=case.id, data_dir=data_dir),
                  taken_before_report=photo.taken_at is not None and photo.taken_at < case.created_at)
    relative = Path("media") / "after" / now.strftime("%Y/%m") / f"{case.id}-{uuid.uuid4().hex}{photo.suffix}"
    target = data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(photo.data)
    after = AfterPhoto(case_id=case.id, path=relative.as_posix(), content_type=photo.content_type, phash=phash,
                       taken_at=photo.taken_at, uploaded_by=user.email, uploaded_at=now,
                       reused_case_id=flags.reused_case_id, taken_before_report=flags.taken_before_report)
    session.add(after)
    session.flush()
    audit.record(session, actor=user.email, action="after_photo_added", entity="case", entity_id=case.id,
                 case_id=case.id, photo_id=after.id)
    if flags.reused_case_id is not None or flags.taken_before_report:
        reused = session.get(Case, flags.reused_case_id) if flags.reused_case_id else None
        audit.record(session, actor="system", action="after_photo_flagged", entity="case", entity_id=case.id,
                     case_id=case.id, photo_id=after.id, reused_ticket=reused.ticket if reused else None,
                     taken_before_report=flags.taken_before_report,
                     notified=[e for e in unit_staff(session, unit_code=case.unit_code)
                               if _is_head(session, email=e)])
    return after


def _is_head(session: Session, *, email: str) -> bool:
    """Whether the account heads its unit (an admin of the unit)."""
    return session.scalar(select(User.role).where(User.email == email)) == "admin"


def _reused_on(session: Session, *, phash: str, case_id: int, data_dir: Path) -> int | None:
    """Another case that already has this picture (an after-photo or a citizen's photo), or None."""
    for other_case, other_hash in session.execute(select(AfterPhoto.case_id, AfterPhoto.phash)
                                                  .where(AfterPhoto.case_id != case_id)):
        if hash_distance(phash, other_hash) <= SAME_PICTURE_BITS:
            return other_case
    _hash_citizen_photos(session, data_dir=data_dir)
    rows = session.execute(select(Message.case_id, PhotoHash.phash).join(MediaFile, MediaFile.id == PhotoHash.media_id)
                           .join(Message, Message.id == MediaFile.message_id)
                           .where(Message.case_id.is_not(None), Message.case_id != case_id))
    for other_case, other_hash in rows:
        if hash_distance(phash, other_hash) <= SAME_PICTURE_BITS:
            return other_case
    return None


def _hash_citizen_photos(session: Session, *, data_dir: Path) -> None:
    """Hash the stored citizen photos not hashed yet (a batch per call)."""
    pending = session.scalars(select(MediaFile).outerjoin(PhotoHash, PhotoHash.media_id == MediaFile.id)
                              .where(PhotoHash.media_id.is_(None), MediaFile.kind == "image",
                                     MediaFile.status == "stored").order_by(MediaFile.id.desc()).limit(HASH_BATCH))
    for media in list(pending):
        path = (data_dir / media.path) if media.path else None
        try:
            phash = difference_hash(path.read_bytes()) if path and path.is_file() else None
        except OSError:
            phash = None
        if phash is not None:
            session.add(PhotoHash(media_id=media.id, phash=phash))
    session.flush()


def after_photos(session: Session, *, case_id: int) -> list[AfterPhoto]:
    """The case's after-photos, oldest first."""
    return list(session.scalars(select(AfterPhoto).where(AfterPhoto.case_id == case_id).order_by(AfterPhoto.id)))
