"""Proof of fix: an officer's after-photo that is a citizen's photo of another case (re-saved smaller) is flagged,
as is one taken before the report; a fresh photo is not. On SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from places import proof
from places.photos import clean_photo
from places.report import Report, store
from places.config import THAILAND
from storage.models import AuditEvent, utcnow
from tests.places.conftest import HOME, officer, seed_case


def street_photo(seed: int, *, size: tuple[int, int] = (640, 480), taken: str | None = None) -> bytes:
    """A photo with shapes that differ by seed (and an EXIF time when given)."""
    image = Image.new("RGB", size, (90 + seed * 7 % 120, 120, 140))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x = (seed * 53 + i * 97) % size[0]
        draw.rectangle([x, i * 60, x + 120, i * 60 + 90], fill=((seed * 31 + i * 40) % 255, 200 - i * 20, 60 + i * 25))
    exif = Image.Exif()
    if taken:
        exif[0x0132] = taken
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92, exif=exif)
    return out.getvalue()


def resaved(data: bytes) -> bytes:
    """The same picture saved again, smaller (what reusing a downloaded photo looks like)."""
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.resize((320, 240)).save(out, format="JPEG", quality=70)
    return out.getvalue()


def test_a_reused_or_old_after_photo_is_flagged(backend: str, places_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    citizens_photo = street_photo(1)
    with places_db.session() as session:
        reported, _ = store(session, report=Report(text="ไฟถนนดับหน้าตลาดค่ะ", lat=HOME[0], lon=HOME[1], consent=True,
                                                   photos=(clean_photo(citizens_photo, max_bytes=10**7),)),
                            data_dir=tmp_path, now=utcnow(), area=THAILAND)
        earlier = seed_case(session, text="ไฟถนนดับหน้าตลาดค่ะ", unit="public_works", at=HOME, citizen="U-1")
        reported.case_id = earlier.id
        fixed = seed_case(session, text="ถนนหน้าวัดเป็นหลุมค่ะ", unit="public_works", at=HOME, citizen="U-2")
        staff = officer(session, role="admin")
        assert proof.hash_distance(proof.difference_hash(citizens_photo),
                                   proof.difference_hash(resaved(citizens_photo))) <= proof.SAME_PICTURE_BITS

        reused = proof.add_after_photo(session, case=fixed, photo=clean_photo(resaved(citizens_photo), max_bytes=10**7),
                                       user=staff, data_dir=tmp_path, now=utcnow())
        assert reused.reused_case_id == earlier.id and not reused.taken_before_report
        assert not Image.open(tmp_path / reused.path).getexif()

        before = (fixed.created_at - dt.timedelta(days=3)).astimezone(dt.timezone(dt.timedelta(hours=7)))
        old = proof.add_after_photo(session, case=fixed, photo=clean_photo(
            street_photo(2, taken=before.strftime("%Y:%m:%d %H:%M:%S")), max_bytes=10**7),
            user=staff, data_dir=tmp_path, now=utcnow())
        assert old.taken_before_report and old.reused_case_id is None

        fresh = proof.add_after_photo(session, case=fixed, photo=clean_photo(street_photo(3), max_bytes=10**7),
                                      user=staff, data_dir=tmp_path, now=utcnow())
        assert fresh.reused_case_id is None and not fresh.taken_before_report
        flagged = session.scalars(select(AuditEvent).where(AuditEvent.action == "after_photo_flagged")).all()
        assert [e.details["photo_id"] for e in flagged] == [reused.id, old.id]
        assert flagged[0].details["reused_ticket"] == earlier.ticket and flagged[0].details["notified"] == [staff.email]
