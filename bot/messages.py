"""What the citizen is told, in polite Thai: acknowledgements, status changes, welcome and help."""
from __future__ import annotations

import datetime as dt

from pythainlp.util import thai_strftime

from storage.calendar import BANGKOK

INTENT_NAMES = {
    "complaint": "เรื่องร้องเรียน",
    "suggestion": "ข้อเสนอแนะ",
    "question": "คำถาม",
    "praise": "คำชม",
    "other": "เรื่องอื่น ๆ",
}

STATUS_NAMES = {
    "new": "รับเรื่องใหม่",
    "acknowledged": "รับทราบแล้ว",
    "in_progress": "กำลังดำเนินการ",
    "resolved": "ดำเนินการแล้วเสร็จ",
    "closed": "ปิดเรื่อง",
    "forwarded": "ส่งต่อหน่วยงานอื่น",
    "rejected": "ไม่รับเรื่อง",
}

CHANNEL_NAMES = {"line": "LINE", "facebook": "Facebook Messenger", "facebook_comment": "ความคิดเห็นบนเพจ Facebook"}


def thai_date(moment: dt.datetime, *, with_time: bool = False) -> str:
    """A date as Thai officers write it, in the Buddhist Era: 12 ธ.ค. 2569 (เวลา 16:30 น.)."""
    local = moment.astimezone(BANGKOK)
    return thai_strftime(local, "%-d %b %Y เวลา %H:%M น." if with_time else "%-d %b %Y")


def acknowledgement(
    *, ticket: str, intent: str, unit_name: str, respond_days: int, due_at: dt.datetime, agency: str, public: bool,
    phone: str = "",
) -> str:
    """The first answer to a new case: ticket number, who handles it, and when to expect an answer."""
    if public:
        # A comment on the Page is public: no details beyond the ticket, and an invitation to talk privately.
        return (
            f"ขอบคุณที่แจ้งเข้ามาค่ะ {agency} รับเรื่องแล้ว เลขที่เรื่อง {ticket} "
            f"ส่งถึง{unit_name}เรียบร้อยแล้วค่ะ หากต้องการแจ้งรายละเอียดเพิ่มเติม เช่น ที่อยู่หรือเบอร์ติดต่อ "
            f"กรุณาส่งข้อความถึงเพจทางกล่องข้อความค่ะ"
        )
    opening = {
        "complaint": "ได้รับเรื่องร้องเรียนของท่านแล้วค่ะ",
        "suggestion": "ขอบคุณสำหรับข้อเสนอแนะค่ะ เราได้รับเรื่องของท่านแล้ว",
        "question": "ได้รับคำถามของท่านแล้วค่ะ",
        "praise": "ขอบคุณสำหรับคำชมค่ะ เราจะส่งต่อกำลังใจนี้ถึงเจ้าหน้าที่ผู้เกี่ยวข้อง",
    }.get(intent, "ได้รับข้อความของท่านแล้วค่ะ")
    promise = (
        f"เจ้าหน้าที่จะติดต่อกลับภายใน {respond_days} วันทำการ "
        f"และจะแจ้งผลให้ทราบภายในวันที่ {thai_date(due_at)} ค่ะ"
    )
    if intent == "praise":
        promise = "เจ้าหน้าที่ได้รับทราบคำชมของท่านแล้วค่ะ"
    return (
        f"{opening}\n"
        f"เลขที่เรื่อง: {ticket}\n"
        f"ผู้รับผิดชอบ: {unit_name}\n"
        f"{promise}\n"
        f"หากต้องการแจ้งข้อมูลเพิ่มเติม พิมพ์ส่งมาในแชทนี้ได้เลยค่ะ โปรดเก็บเลขที่เรื่องไว้เพื่อติดตามความคืบหน้า\n"
        + (f"สอบถามทางโทรศัพท์ได้ที่ {phone} ในวันและเวลาราชการค่ะ\n" if phone else "")
        + f"— {agency}"
    )


def status_update(*, ticket: str, status: str, note: str | None, unit_name: str, agency: str) -> str | None:
    """What the citizen is told when their case changes status (None when the change does not concern them)."""
    detail = f"\nรายละเอียด: {note.strip()}" if note and note.strip() else ""
    texts = {
        "acknowledged": f"เรื่องเลขที่ {ticket} ได้รับการตรวจสอบแล้วค่ะ {unit_name}รับทราบและจะดำเนินการต่อไป",
        "in_progress": f"เรื่องเลขที่ {ticket} อยู่ระหว่างดำเนินการโดย{unit_name}ค่ะ",
        "resolved": f"เรื่องเลขที่ {ticket} ดำเนินการแล้วเสร็จค่ะ หากยังพบปัญหาอยู่ พิมพ์แจ้งกลับมาได้เลยนะคะ",
        "closed": f"เรื่องเลขที่ {ticket} ปิดเรื่องเรียบร้อยแล้วค่ะ ขอบคุณที่แจ้ง{agency}ค่ะ",
        "forwarded": f"เรื่องเลขที่ {ticket} อยู่นอกอำนาจหน้าที่ของ{agency} จึงได้ส่งต่อให้หน่วยงานที่รับผิดชอบแล้วค่ะ",
        "rejected": f"ขออภัยค่ะ เรื่องเลขที่ {ticket} ไม่สามารถรับดำเนินการได้",
    }
    text = texts.get(status)
    return None if text is None else f"{text}{detail}\n— {agency}"


def unit_changed(*, ticket: str, unit_name: str, agency: str) -> str:
    """Told to the citizen when their case moves to another unit."""
    return f"เรื่องเลขที่ {ticket} ได้ส่งต่อให้{unit_name}เป็นผู้รับผิดชอบแล้วค่ะ\n— {agency}"


def welcome(*, agency: str) -> str:
    """Sent when a citizen adds the LINE account as a friend."""
    return (
        f"ขอบคุณที่เพิ่ม {agency} เป็นเพื่อนค่ะ\n"
        "ท่านสามารถแจ้งเรื่องร้องเรียน สอบถาม หรือให้ข้อเสนอแนะ ได้ที่แชทนี้ตลอด 24 ชั่วโมง "
        "เจ้าหน้าที่จะตอบกลับในวันและเวลาราชการค่ะ\n"
        "กรุณาระบุรายละเอียดและสถานที่ (เช่น ซอย หมู่ที่ จุดสังเกต) เพื่อให้เราช่วยได้รวดเร็วขึ้นค่ะ"
    )


def help_text(*, agency: str) -> str:
    """Sent (at most once a day) when a message is not a request we can open a case for."""
    return (
        f"สวัสดีค่ะ {agency} ยินดีให้บริการค่ะ\n"
        "หากต้องการแจ้งเรื่องร้องเรียน สอบถาม หรือเสนอแนะ พิมพ์รายละเอียดพร้อมสถานที่ส่งมาได้เลยค่ะ "
        "เมื่อระบบรับเรื่องแล้ว จะแจ้งเลขที่เรื่องให้ท่านไว้ติดตามความคืบหน้าค่ะ"
    )
