"""Same matter or a new one: realistic pairs of an open case and a citizen's next message."""
from __future__ import annotations

import pytest

from conversation.same_matter import NewMessage, OpenCase, same_matter

ROAD = ("ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถล้มไปสองคันแล้ว ซอย 5 หมู่ 3", "complaint", "public_works", ("ถนนหลุม", "รถล้ม", "ซอย 5"))
LIGHT = ("ไฟถนนดับทั้งซอย 8 มืดมาก กลัวขโมย", "complaint", "public_works", ("ไฟถนน", "ดับ"))
WASTE = ("ขยะไม่มีคนมาเก็บหน้าบ้านสามวันแล้ว", "complaint", "environment", ("ขยะ",))
NOISE = ("ร้านคาราโอเกะเปิดเพลงเสียงดังทุกคืนถึงตีสอง", "complaint", "environment", ("เสียงดัง", "คาราโอเกะ"))
DRAIN = ("ท่อระบายน้ำหน้าบ้านอุดตัน น้ำเน่าส่งกลิ่นเหม็น", "complaint", "public_works", ("ท่อระบายน้ำ", "กลิ่น"))
PERMIT = ("อยากทราบว่าขออนุญาตต่อเติมบ้านต้องใช้เอกสารอะไร", "question", "public_works", ("ขออนุญาต", "ต่อเติม"))

PAIRS = [
    # (case, message text, message intent, unit, unit confidence, topics, expected, why)
    (ROAD, "หลุมตรงนั้นลึกมากนะคะ เมื่อคืนมีคนขี่มอไซค์ตกอีกแล้ว", "complaint", "public_works", 0.8, ("หลุม", "มอไซค์"), "attach", "same pothole"),
    (ROAD, "ถนนพังตรงหน้าร้านขายของชำ ใกล้ศาลาหมู่บ้าน", "complaint", "public_works", 0.7, ("ถนนพัง", "ร้านขายของชำ"), "attach", "where it is"),
    (LIGHT, "ไฟดับตั้งแต่เสาต้นที่สามถึงท้ายซอยค่ะ", "complaint", "public_works", 0.7, ("ไฟดับ", "เสา"), "attach", "which poles"),
    (WASTE, "ถุงขยะกองเต็มหน้าบ้าน หมาคุ้ยกระจายไปทั่ว", "complaint", "environment", 0.8, ("ถุงขยะ", "หมา"), "attach", "more on the waste"),
    (DRAIN, "น้ำในท่อเอ่อขึ้นมาบนถนนแล้วค่ะ เหม็นมาก", "complaint", "public_works", 0.6, ("ท่อ", "เหม็น"), "attach", "it got worse"),
    (PERMIT, "ต้องใช้แบบแปลนที่วิศวกรเซ็นด้วยไหมคะ", "question", "public_works", 0.6, ("แบบแปลน", "วิศวกร"), "attach", "a follow-up question"),
    (NOISE, "เมื่อคืนก็ดังอีก ลูกนอนไม่ได้เลยค่ะ", "complaint", "environment", 0.5, ("นอน",), "attach", "same unit, close wording"),
    (ROAD, "ร้านคาราโอเกะข้างบ้านเปิดเพลงเสียงดังทุกคืนจนตีสอง", "complaint", "environment", 0.85, ("เสียงดัง", "คาราโอเกะ"), "new", "the issue's swallowed noise complaint"),
    (ROAD, "สุนัขจรจัดหน้าตลาดไล่กัดเด็กนักเรียน", "complaint", "environment", 0.8, ("สุนัขจรจัด", "ตลาด"), "new", "another unit"),
    (WASTE, "ถนนเข้าหมู่บ้านเป็นหลุมเป็นบ่อ", "complaint", "public_works", 0.75, ("ถนน", "หลุม"), "new", "another unit"),
    (NOISE, "ไฟถนนหน้าวัดดับมาหนึ่งอาทิตย์แล้ว", "complaint", "public_works", 0.8, ("ไฟถนน", "ดับ"), "new", "another unit"),
    (LIGHT, "อยากทราบว่าลงทะเบียนเบี้ยผู้สูงอายุต้องใช้อะไรบ้าง", "question", "social_welfare", 0.4, ("เบี้ยยังชีพ", "ผู้สูงอายุ"), "ask", "unsure unit: ask"),
    (DRAIN, "ขอชมเจ้าหน้าที่งานทะเบียนที่บริการดีมากค่ะ", "praise", "civil_registration", 0.7, ("งานทะเบียน",), "new", "praise for another unit"),
    (ROAD, "ถนนซอยนี้พังมาหลายเดือนแล้ว", "complaint", "triage", 0.3, ("ถนนพัง",), "attach", "shared topic word"),
    (WASTE, "ขยะกองเต็มหน้าบ้านแล้ว หมาคุ้ยกระจาย", "complaint", "triage", 0.3, ("ขยะกองเต็ม",), "attach", "shared topic word"),
    (PERMIT, "เปิดร้านอาหารต้องขอใบอนุญาตอะไรบ้าง", "question", "environment", 0.7, ("ร้านอาหาร",), "new", "another unit's question"),
    (ROAD, "รบกวนช่วยดูให้ด้วยนะคะ", "other", None, 0.0, (), "attach", "no request of its own"),
    (WASTE, "อยู่บ้านเลขที่ 45/2 ค่ะ", "other", "triage", 0.2, (), "attach", "an address"),
]


@pytest.mark.parametrize("case, text, intent, unit, confidence, topics, expected, why", PAIRS,
                         ids=[p[-1] + ":" + p[1][:12] for p in PAIRS])
def test_realistic_pairs(cached_embed, case, text, intent, unit, confidence, topics, expected, why) -> None:
    case_text, case_intent, case_unit, case_topics = case
    case_vector, message_vector = cached_embed([case_text, text])
    decision = same_matter(
        case=OpenCase(intent=case_intent, unit=case_unit, topics=case_topics, embedding=case_vector),
        message=NewMessage(kind="text", text=text, intent=intent, unit=unit, unit_confidence=confidence,
                           topics=topics, embedding=message_vector),
    )
    assert decision.decision == expected, (why, decision)
    assert decision.reason


def _case() -> OpenCase:
    return OpenCase(intent="complaint", unit="public_works", topics=("ถนน",))


@pytest.mark.parametrize("kind", ["image", "video", "file", "location", "audio"])
def test_photos_and_locations_always_attach(kind: str) -> None:
    assert same_matter(case=_case(), message=NewMessage(kind=kind)).decision == "attach"


@pytest.mark.parametrize("text, expected", [
    ("อีกเรื่องนะคะ ไฟถนนหน้าวัดดับ", "ask"),
    ("ขอแจ้งเรื่องใหม่ค่ะ", "ask"),
    ("เรื่องเดิมนะคะ ตอนนี้หลุมใหญ่ขึ้นอีก", "attach"),
    ("ยังไม่ได้แก้เลยค่ะ", "attach"),
    ("ขอบคุณค่ะ", "attach"),
    ("👍", "attach"),
    ("FS-2569-000001 ถึงไหนแล้วคะ", "attach"),
])
def test_text_markers_decide_before_the_classifier(text: str, expected: str) -> None:
    message = NewMessage(kind="text", text=text, intent="complaint", unit="environment", unit_confidence=0.9,
                         topics=("ไฟถนน",))
    assert same_matter(case=_case(), message=message).decision == expected


def test_stickers_attach_and_missing_embeddings_fall_back_to_units_and_topics() -> None:
    assert same_matter(case=_case(), message=NewMessage(kind="sticker")).decision == "attach"
    other = NewMessage(kind="text", text="หมาเห่าทั้งคืน", intent="complaint", unit="environment",
                       unit_confidence=0.9, topics=("สุนัข",))
    assert same_matter(case=_case(), message=other).decision == "new"
    same = NewMessage(kind="text", text="ถนนตรงนั้นแตกเพิ่มอีก", intent="complaint", unit="public_works",
                      unit_confidence=0.9, topics=("ถนน",))
    assert same_matter(case=_case(), message=same).decision == "attach"
    mismatched = OpenCase(intent="complaint", unit="public_works", embedding=[1.0, 0.0])
    assert same_matter(case=mismatched, message=NewMessage(kind="text", text="ไฟดับ", intent="complaint",
                                                           unit="public_works", embedding=[1.0, 0.0, 0.0])
                       ).similarity is None
