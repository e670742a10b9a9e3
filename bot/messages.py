"""What the citizen is told when an officer acts on their case, in polite Thai (conversation.replies has the rest)."""
from __future__ import annotations


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
