"""The agency's vocabulary, defined once: intents, statuses, channels, roles and their Thai names."""
from __future__ import annotations

from typing import TYPE_CHECKING

from classifier.prediction import INTENTS, SENTIMENTS

if TYPE_CHECKING:
    from agency.config import AgencyConfig

__all__ = [
    "INTENTS", "SENTIMENTS", "CASE_INTENTS", "INTENT_NAMES", "CASE_STATUSES", "OPEN_STATUSES",
    "STATUS_NAMES", "CHANNELS", "CHANNEL_NAMES", "channel_names", "ROLES", "ROLE_NAMES", "SENTIMENT_NAMES", "DELIVERY_NAMES",
]

# What a citizen's message can be (the classifier's labels); the first four open a case.
CASE_INTENTS: tuple[str, ...] = ("complaint", "suggestion", "question", "praise")
INTENT_NAMES = {
    "complaint": "เรื่องร้องเรียน",
    "suggestion": "ข้อเสนอแนะ",
    "question": "คำถาม",
    "praise": "คำชม",
    "other": "เรื่องอื่น ๆ",
}

# A case's status workflow (the transitions themselves live in cases.service).
CASE_STATUSES: tuple[str, ...] = ("new", "acknowledged", "in_progress", "resolved", "closed", "forwarded", "rejected")
OPEN_STATUSES: tuple[str, ...] = ("new", "acknowledged", "in_progress")
STATUS_NAMES = {
    "new": "รับเรื่องใหม่",
    "acknowledged": "รับทราบแล้ว",
    "in_progress": "กำลังดำเนินการ",
    "resolved": "ดำเนินการแล้วเสร็จ",
    "closed": "ปิดเรื่อง",
    "forwarded": "ส่งต่อหน่วยงานอื่น",
    "rejected": "ไม่รับเรื่อง",
}

# The online channels citizens write on (webhooks).
CHANNELS: tuple[str, ...] = ("line", "facebook", "facebook_comment")
CHANNEL_NAMES = {"line": "LINE", "facebook": "Facebook Messenger", "facebook_comment": "ความคิดเห็นบนเพจ Facebook"}


def channel_names(agency: "AgencyConfig") -> dict[str, str]:
    """Every channel's Thai name: the online ones, then the off-line ones the agency configures (walk-in, phone…)."""
    return {**CHANNEL_NAMES, **{c.code: c.name for c in agency.offline_channels}}

ROLES: tuple[str, ...] = ("admin", "officer", "analyst")
ROLE_NAMES = {"admin": "ผู้ดูแลระบบ", "officer": "เจ้าหน้าที่", "analyst": "นักวิเคราะห์"}

SENTIMENT_NAMES = {"pos": "เชิงบวก", "neg": "เชิงลบ", "neu": "เป็นกลาง", "q": "คำถาม"}
DELIVERY_NAMES = {"queued": "รอส่ง", "sent": "ส่งถึงแล้ว", "failed": "ส่งไม่สำเร็จ"}

# The satisfaction survey (PMQA 3.2) as Thai agencies word it: 5 = most satisfied, offered from best to worst.
SURVEY_LABELS = {
    5: "พึงพอใจมากที่สุด",
    4: "พึงพอใจมาก",
    3: "พึงพอใจปานกลาง",
    2: "พึงพอใจน้อย",
    1: "พึงพอใจน้อยที่สุด",
}
SURVEY_REASON_LABELS = {
    "slow": "ดำเนินการล่าช้า",
    "unresolved": "ยังไม่ได้รับการแก้ไข",
    "communication": "การสื่อสาร/มารยาท",
    "other": "อื่น ๆ",
}
