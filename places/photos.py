"""Citizens' photos from the report form: type and size checked with Pillow, the EXIF place and time read, and the
EXIF stripped from what is stored (a photo is re-encoded from its pixels, turned upright first)."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is the largest phone camera; more is a decompression bomb
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003


class PhotoError(ValueError):
    """The upload is not a photo we accept; the message is Thai and shown to the citizen."""


@dataclass(frozen=True)
class CleanPhoto:
    """A checked photo without its metadata, and what its EXIF said."""

    data: bytes
    content_type: str
    suffix: str
    gps: tuple[float, float] | None
    taken_at: dt.datetime | None


def clean_photo(raw: bytes, *, max_bytes: int) -> CleanPhoto:
    """Check a photo and strip its EXIF; PhotoError (Thai) for too large, not an image, or an unknown type."""
    if len(raw) > max_bytes:
        raise PhotoError(f"รูปภาพใหญ่เกินไป (ไม่เกิน {max_bytes // 1_000_000} MB ต่อรูป)")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        if image.format not in FORMATS:
            raise PhotoError("รองรับเฉพาะรูปภาพ JPEG, PNG หรือ WebP ค่ะ")
        if image.width * image.height > MAX_PIXELS:
            raise PhotoError("รูปภาพมีขนาดพิกเซลใหญ่เกินไป กรุณาย่อรูปก่อนส่งค่ะ")
        exif = image.getexif()
        gps, taken_at = _gps(exif), _taken_at(exif)
        upright = ImageOps.exif_transpose(image)
        upright.load()
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoError("ไฟล์นี้ไม่ใช่รูปภาพ หรือไฟล์เสียหาย กรุณาเลือกรูปภาพใหม่ค่ะ") from exc
    content_type, suffix = FORMATS[image.format]
    pixels = Image.new(upright.mode, upright.size)  # a fresh image: none of the upload's metadata comes along
    if upright.mode == "P" and upright.getpalette():
        pixels.putpalette(upright.getpalette())
    pixels.paste(upright)
    out = io.BytesIO()
    if image.format == "JPEG":
        pixels.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    else:
        pixels.save(out, format=image.format)
    return CleanPhoto(data=out.getvalue(), content_type=content_type, suffix=suffix, gps=gps, taken_at=taken_at)


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    """The EXIF GPS position in decimal degrees, or None."""
    try:
        gps = exif.get_ifd(GPS_IFD)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat, lon = _degrees(gps[2]), _degrees(gps[4])
        if str(gps.get(1, "N")).upper().startswith("S"):
            lat = -lat
        if str(gps.get(3, "E")).upper().startswith("W"):
            lon = -lon
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0.0, 0.0):
        return None
    return lat, lon


def _degrees(dms: tuple) -> float:
    """Degrees, minutes, seconds (EXIF rationals) as decimal degrees."""
    degrees, minutes, seconds = (float(v) for v in dms)
    return degrees + minutes / 60 + seconds / 3600


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    """When the photo was taken (EXIF DateTimeOriginal, camera local time read as Asia/Bangkok), or None."""
    from zoneinfo import ZoneInfo

    try:
        value = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(0x0132)
        if not value:
            return None
        return dt.datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(
            tzinfo=ZoneInfo("Asia/Bangkok"))
    except (TypeError, ValueError):
        return None
