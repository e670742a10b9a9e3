"""What the citizen is told about an officer's action, checked without a server: polite Thai and the ticket."""
from __future__ import annotations

from bot import replies


def test_every_status_the_citizen_hears_about_has_polite_thai() -> None:
    for status in ("acknowledged", "in_progress", "resolved", "closed", "forwarded", "rejected"):
        text = replies.status_update(ticket="FS-2569-000001", status=status, note=None, unit_name="กองคลัง",
                                     agency="เทศบาลตัวอย่าง")
        assert text and "FS-2569-000001" in text and "ค่ะ" in text
    assert replies.status_update(ticket="FS-2569-000001", status="new", note=None, unit_name="กองคลัง",
                                 agency="x") is None
