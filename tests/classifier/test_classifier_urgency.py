"""Urgency rules: danger cues with a reason, negations and figurative uses ignored, praise never urgent."""

from __future__ import annotations

from classifier.text import normalize
from classifier.urgency import NORMAL, URGENT, assess


def _assess(text: str, intent: str = "complaint") -> tuple[str, str]:
    return assess(normalize(text), intent)


def test_danger_cues_with_reasons() -> None:
    cases = {
        "ถนนหน้าวัดเป็นหลุม เมื่อคืนมอไซค์ 2 คันชนกัน คนขี่ส่งโรงพยาบาล": "มีผู้บาดเจ็บ",
        "สายไฟฟ้าขาดห้อยลงมาถึงพื้น มีประกายไฟ": "สายไฟฟ้าขาด/ไฟรั่ว",
        "ไฟไหม้บ้านไม้หลังตลาด กำลังลาม": "ไฟไหม้",
        "น้ำเข้าบ้านแล้ว ตอนนี้สูงถึงเข่า": "น้ำท่วมขณะนี้",
        "ฝาท่อหายหน้าโรงเรียน เด็กเกือบตกลงไป": "เด็กหรือผู้สูงอายุเสี่ยงอันตราย",
        "เพื่อนบ้านขู่ว่าจะทำร้ายเพราะแจ้งเรื่องเสียงดัง": "มีการข่มขู่",
        "รถกระบะตกหลุมพลิกคว่ำเมื่อคืน": "เกิดอุบัติเหตุแล้ว",
    }
    for text, reason in cases.items():
        assert _assess(text) == (URGENT, reason), text


def test_not_urgent() -> None:
    for text in (
        "ไฟถนนดับทั้งซอยมาสองอาทิตย์", "น้ำท่วมขังทุกครั้งที่ฝนตก อยากให้ขยายท่อ", "โชคดีที่ไม่มีใครบาดเจ็บ แต่รั้วพัง",
        "อยากให้มีถังดับเพลิงในชุมชน เผื่อเกิดไฟไหม้", "เจ็บใจมากที่แจ้งแล้วไม่มีใครมา", "บ้านเคยโดนไฟไหม้เมื่อปีก่อน",
        "", "ค่าไฟแพง",
    ):
        assert _assess(text)[0] == NORMAL, text
    assert _assess("ขอบคุณพี่ๆ ที่มาช่วยตอนน้ำเข้าบ้านเมื่อคืน", intent="praise") == (NORMAL, "")
