"""Photos as phones make them: JPEG with EXIF (maker, GPS position)."""
from __future__ import annotations

import io

from PIL import Image


def phone_photo(*, gps: tuple[float, float] | None = None, size: tuple[int, int] = (120, 90)) -> bytes:
    """A JPEG with a camera maker and, when given, the GPS position in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps is not None:
        def dms(value: float) -> tuple[float, float, float]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)
        exif[0x8825] = {1: "N", 2: dms(gps[0]), 3: "E", 4: dms(gps[1])}
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 90)).save(out, format="JPEG", exif=exif)
    return out.getvalue()
