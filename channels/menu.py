"""The service menu every channel offers (its own way: LINE's rich menu, Messenger's persistent menu), in one place:
แจ้งเรื่อง / ติดตามเรื่อง / คำถามที่พบบ่อย / ติดต่อเจ้าหน้าที่, each a signed postback of its item."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MenuItem:
    """One menu button: its postback item, Thai label and a short hint under it."""

    item: str
    label: str
    hint: str
    colour: tuple[int, int, int]


MENU: tuple[MenuItem, ...] = (
    MenuItem("report", "แจ้งเรื่อง", "ร้องเรียน เสนอแนะ", (30, 78, 140)),
    MenuItem("status", "ติดตามเรื่อง", "ดูสถานะเรื่องที่แจ้ง", (21, 128, 104)),
    MenuItem("faq", "คำถามที่พบบ่อย", "คำตอบได้ทันที", (196, 120, 20)),
    MenuItem("contact", "ติดต่อเจ้าหน้าที่", "โทร / เวลาทำการ", (150, 52, 94)),
)
