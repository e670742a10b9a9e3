"""The agency's vocabulary, defined once: intents, statuses, channels, roles and their Thai names."""
from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from classifier.prediction import INTENTS, SENTIMENTS

# The one name of the agency's privacy policy (PDPA), wherever a citizen or an officer reads it: the first-contact
# notice, the report form and its error, the audit history, the README.
PRIVACY_POLICY_NAME = "นโยบายคุ้มครองข้อมูลส่วนบุคคล"

if TYPE_CHECKING:
    from agency.config import AgencyConfig

__all__ = [
    "Intent", "Status", "Channel", "Role", "AuditAction",
    "INTENTS", "SENTIMENTS", "CASE_INTENTS", "INTENT_NAMES", "CASE_STATUSES", "OPEN_STATUSES",
    "STATUS_NAMES", "CHANNELS", "CHANNEL_NAMES", "channel_names", "ROLES", "ROLE_NAMES", "SENTIMENT_NAMES", "DELIVERY_NAMES",
    "ACTION_NAMES",
]


class Term(StrEnum):
    """A code of the agency's vocabulary: compares equal to its stored string, and knows its Thai name."""

    thai: str

    def __new__(cls, code: str, thai: str) -> "Term":
        member = str.__new__(cls, code)
        member._value_ = code
        member.thai = thai
        return member

    @classmethod
    def names(cls) -> dict[str, str]:
        """{code: Thai name} for every member, in order."""
        return {member.value: member.thai for member in cls}


class Intent(Term):
    """What a citizen's message is (the classifier's labels); the first four open a case."""

    COMPLAINT = "complaint", "เรื่องร้องเรียน"
    SUGGESTION = "suggestion", "ข้อเสนอแนะ"
    QUESTION = "question", "คำถาม"
    PRAISE = "praise", "คำชม"
    OTHER = "other", "เรื่องอื่น ๆ"


class Status(Term):
    """A case's status (the transitions themselves live in cases.service)."""

    NEW = "new", "รับเรื่องใหม่"
    ACKNOWLEDGED = "acknowledged", "รับทราบแล้ว"
    IN_PROGRESS = "in_progress", "กำลังดำเนินการ"
    RESOLVED = "resolved", "ดำเนินการแล้วเสร็จ"
    CLOSED = "closed", "ปิดเรื่อง"
    FORWARDED = "forwarded", "ส่งต่อหน่วยงานอื่น"
    REJECTED = "rejected", "ไม่รับเรื่อง"


class Channel(Term):
    """The online channels citizens write on (the off-line ones are the agency's own, from its config)."""

    LINE = "line", "LINE"
    FACEBOOK = "facebook", "Facebook Messenger"
    FACEBOOK_COMMENT = "facebook_comment", "ความคิดเห็นบนเพจ Facebook"
    WEB = "web", "แบบฟอร์มแจ้งเรื่องบนเว็บไซต์"


class Role(Term):
    """What a staff account may do."""

    ADMIN = "admin", "ผู้ดูแลระบบ"
    OFFICER = "officer", "เจ้าหน้าที่"
    ANALYST = "analyst", "นักวิเคราะห์"


class AuditAction(Term):
    """Every kind of state change the audit trail records, with the words the case history shows officers."""

    CASE_OPENED = "case_opened", "รับเรื่องเข้าระบบ"
    MESSAGE_ADDED = "message_added", "ประชาชนส่งข้อความเพิ่ม"
    REPLIED = "replied", "ตอบกลับประชาชน"
    STATUS_CHANGED = "status_changed", "เปลี่ยนสถานะ"
    STATUS_REFUSED = "status_refused", "ปฏิเสธการแจ้งสถานะเรื่องแก่ผู้ที่ไม่ใช่ผู้แจ้ง"
    REASSIGNED = "reassigned", "ส่งต่อหน่วยงาน"
    RELABELLED = "relabelled", "แก้ไขประเภทเรื่อง"
    NOTE_ADDED = "note_added", "เพิ่มบันทึกภายใน"
    ESCALATED = "escalated", "เกินกำหนด — แจ้งผู้ดูแลหน่วยงานแล้ว"
    URGENT_NOTIFIED = "urgent_notified", "เรื่องเร่งด่วน — แจ้งเจ้าหน้าที่ของหน่วยงานทันที"
    ALERT_ACKNOWLEDGED = "alert_acknowledged", "เจ้าหน้าที่รับทราบการแจ้งเตือนเรื่องเร่งด่วน"
    RECORDED_OFFLINE = "recorded_offline", "เจ้าหน้าที่บันทึกเรื่องที่รับทางช่องทางอื่น"
    GROUP_SET = "group_set", "ระบุกลุ่มผู้รับบริการ"
    REOPENED = "reopened", "เปิดเรื่องอีกครั้ง"
    ASKED_NEW_OR_FOLLOW_UP = "asked_new_or_follow_up", "ถามประชาชนว่าเป็นเรื่องใหม่หรือข้อมูลเพิ่มเติม"
    PRAISE_RECORDED = "praise_recorded", "บันทึกคำชม"
    FAQ_ANSWERED = "faq_answered", "ตอบคำถามที่พบบ่อยโดยอัตโนมัติ"
    SURVEY_ASKED = "survey_asked", "ส่งแบบประเมินความพึงพอใจ"
    SURVEY_ANSWERED = "survey_answered", "ประชาชนประเมินความพึงพอใจ"
    SURVEY_REASON = "survey_reason", "ประชาชนระบุเหตุผลที่ไม่พึงพอใจ"
    SURVEY_COMMENT = "survey_comment", "ประชาชนแสดงความคิดเห็นเพิ่มเติม"
    SURVEY_REFUSED = "survey_refused", "ไม่รับคำตอบแบบประเมินที่หมดเวลาหรือไม่ใช่ของผู้แจ้ง"
    POSTBACK_REFUSED = "postback_refused", "ไม่รับการกดปุ่มที่หมดอายุหรือไม่ถูกต้อง"
    PRIVACY_NOTICE_SENT = "privacy_notice_sent", f"แจ้ง{PRIVACY_POLICY_NAME}"
    FOLLOWED = "followed", "ประชาชนเพิ่มเพื่อน"
    UNFOLLOWED = "unfollowed", "ประชาชนเลิกติดตาม"
    CITIZEN_ERASED = "citizen_erased", "ลบข้อมูลส่วนบุคคลตามคำขอ"
    TEXTS_MASKED_FOR_RETENTION = "texts_masked_for_retention", "ปกปิดข้อความเมื่อครบระยะเวลาเก็บรักษา"
    SPIKE_ALERT = "spike_alert", "แจ้งเตือนเรื่องที่เพิ่มขึ้นผิดปกติ"
    SIGNED_IN = "signed_in", "เข้าสู่ระบบ"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "ออกจากระบบทุกเครื่องและยกเลิกโทเคน API"
    PASSWORD_CHANGED = "password_changed", "เปลี่ยนรหัสผ่าน"
    USER_CREATED = "user_created", "เพิ่มบัญชีผู้ใช้"
    USER_UPDATED = "user_updated", "แก้ไขบัญชีผู้ใช้"
    UNIT_ADDED = "unit_added", "เพิ่มหน่วยงาน"
    UNIT_UPDATED = "unit_updated", "แก้ไขหน่วยงาน"
    TEMPLATE_SAVED = "template_saved", "บันทึกข้อความตอบกลับสำเร็จรูป"
    TEMPLATE_DELETED = "template_deleted", "ลบข้อความตอบกลับสำเร็จรูป"
    HOLIDAY_ADDED = "holiday_added", "เพิ่มวันหยุด"
    HOLIDAY_REMOVED = "holiday_removed", "ลบวันหยุด"
    FAQ_ADDED = "faq_added", "เพิ่มคำถามที่พบบ่อย"
    FAQ_EDITED = "faq_edited", "แก้ไขคำถามที่พบบ่อย"
    FAQ_DELETED = "faq_deleted", "ลบคำถามที่พบบ่อย"
    IMPROVEMENT_ADDED = "improvement_added", "เพิ่มรายการในทะเบียนการปรับปรุง"
    IMPROVEMENT_CHANGED = "improvement_changed", "แก้ไขรายการในทะเบียนการปรับปรุง"
    PLACE_SET = "place_set", "บันทึกตำแหน่งที่เกิดเหตุ"
    CASE_MERGED = "case_merged", "รวมกับเรื่องที่มีผู้แจ้งไว้แล้ว (ปัญหาเดียวกัน)"
    MERGE_RECEIVED = "merge_received", "มีเรื่องปัญหาเดียวกันรวมเข้ามา"
    MERGE_RELAYED = "merge_relayed", "ส่งต่อความคืบหน้าจากเรื่องที่รวมไว้"
    MERGE_UNDONE = "merge_undone", "ยกเลิกการรวมเรื่อง (ไม่ใช่ปัญหาเดียวกัน) — ผู้แจ้งติดตามเรื่องของตนเอง"
    MERGE_WITHDRAWN = "merge_withdrawn", "เรื่องที่รวมเข้ามาถูกแยกออกแล้ว"
    REPORT_FILED = "report_filed", "ประชาชนแจ้งเรื่องผ่านแบบฟอร์มบนเว็บไซต์"
    AFTER_PHOTO_ADDED = "after_photo_added", "แนบภาพหลังแก้ไข"
    AFTER_PHOTO_FLAGGED = "after_photo_flagged", "ภาพหลังแก้ไขน่าสงสัย — แจ้งหัวหน้าหน่วยงานแล้ว"


assert tuple(Intent) == INTENTS, "the classifier's labels and the agency's intents must be the same codes"

CASE_INTENTS: tuple[str, ...] = (Intent.COMPLAINT, Intent.SUGGESTION, Intent.QUESTION, Intent.PRAISE)
INTENT_NAMES = Intent.names()
CASE_STATUSES: tuple[str, ...] = tuple(Status)
OPEN_STATUSES: tuple[str, ...] = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
STATUS_NAMES = Status.names()
CHANNELS: tuple[str, ...] = tuple(Channel)
CHANNEL_NAMES = Channel.names()
ROLES: tuple[str, ...] = tuple(Role)
ROLE_NAMES = Role.names()
ACTION_NAMES = AuditAction.names()


def channel_names(agency: "AgencyConfig") -> dict[str, str]:
    """Every channel's Thai name: the online ones, then the off-line ones the agency configures (walk-in, phone…)."""
    return {**CHANNEL_NAMES, **{c.code: c.name for c in agency.offline_channels}}


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
