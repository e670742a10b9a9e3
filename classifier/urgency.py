"""Urgency: does a message report danger to people now? Thai danger and harm cues, each with a reason for officers.

`assess(norm_text, intent)` returns ("urgent" | "normal", reason). The cues are phrases citizens actually use
(accidents that already happened, injuries, fire, live or fallen wires, flooding happening now, a child, an
elderly, sick or disabled person at risk, threats, a venomous animal in a home); negations ("ไม่มีคนเจ็บ") and
figurative uses ("เจ็บใจ", "ไฟถนนดับ") do not count. Praise is never urgent ("ขอบคุณที่มาช่วยตอนน้ำท่วม").
Rules, not a model: an officer can read why a case was marked urgent, and the set is measured on
data/urgency/test.jsonl (`evaluation.evaluate_priority`).
"""

from __future__ import annotations

import re

URGENT = "urgent"
NORMAL = "normal"

_PEOPLE_AT_RISK = r"(?:เด็ก|ลูก|หลาน|นักเรียน|ผู้สูงอายุ|คนแก่|คนชรา|ผู้เฒ่า|ยาย|ตา(?=\s|ที่|อยู่|ข้าง)|ปู่|ย่า|ผู้ป่วย|คนป่วย|ติดเตียง|ผู้พิการ|คนพิการ|คนท้อง|หญิงตั้งครรภ์)"

# (reason shown to officers, patterns) in order of severity: the first that matches is the reason.
CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ไฟไหม้", (
        r"ไฟ\s?ไหม้", r"เพลิง\s?ไหม้", r"ไฟ\s?(?:กำลัง)?ลุก", r"ไฟ(?:ป่า)?\s?(?:กำลัง)?ลาม", r"ไฟป่า.{0,30}(?:ใกล้|ลาม|ถึง)",
        r"ควันไฟ.{0,20}(?:ลาม|ไหม้)", r"\bfire\b",
    )),
    ("มีผู้บาดเจ็บ", (
        r"บาดเจ็บ", r"คนเจ็บ", r"เจ็บหนัก", r"เจ็บสาหัส", r"หัวแตก", r"หัวฟาด", r"(?:แขน|ขา|กระดูก|ซี่โครง)\s?หัก",
        r"เลือด\s?(?:ออก|ไหล|อาบ)", r"เย็บ\s?\d*\s?เข็ม", r"หมดสติ", r"ไม่ได้สติ", r"เสียชีวิต", r"ตายคาที่",
        r"(?:ส่ง|หาม|นำส่ง|เข้า)\s?โรง\s?(?:พยาบาล|บาล)", r"(?:กัด|ต่อย)(?:เด็ก|คน|ลูก|หลาน|นักเรียน|ยาย|ตา).{0,20}(?:แล้ว|ไป)",
        r"(?:โดน|ถูก)\s?(?:หมา|สุนัข|งู|ผึ้ง|ต่อ|ลิง)\S{0,8}\s?(?:กัด|ต่อย)", r"ถลอก", r"ไฟ\s?ดูด\S{0,6}(?:คน|แล้ว)",
        r"ขาแตก|เข่าแตก|ปากแตก", r"\binjur", r"\bhurt\b",
    )),
    ("เกิดอุบัติเหตุแล้ว", (
        r"(?:รถ|มอ\s?ไซ\S*|จักรยาน\S*|กระบะ|เก๋ง)\S{0,10}\s?(?:\d+\s?คัน\s?)?(?:ชนกัน|ล้ม|คว่ำ|ตก(?:หลุม|ร่อง|ข้างทาง|คลอง)|ไถล)",
        r"เกิดอุบัติเหตุ", r"อุบัติเหตุ(?:แล้ว|บ่อย|หลายครั้ง)", r"ชนกัน", r"\d+\s?คัน(?:แล้ว|ติดกัน)",
        r"(?:ล้ม|ตก)ไป(?:แล้ว)?\s?(?:\d+|หลาย|สอง|สาม)\s?(?:คัน|คน|ราย|ครั้ง)", r"(?:คน|ยาย|ตา|เด็ก|ลุง|ป้า)(?:(?!เกือบ|จะ)\S){0,12}(?:ตก|ล้ม|สะดุด)",
        r"\baccident\b", r"\bcrash",
    )),
    ("สายไฟฟ้าขาด/ไฟรั่ว", (
        r"สายไฟ\S{0,6}\s?(?:ขาด|ห้อย|หย่อน|พาด(?:ถนน|พื้น)|ตก(?:ลง)?|อยู่บนพื้น|ระโยงระยาง|ช็อต|ลุก)", r"ไฟ\s?ช็อต",
        r"ไฟ\s?รั่ว", r"ไฟ\s?ดูด", r"ประกายไฟ", r"ไฟแลบ", r"เสาไฟ\S{0,6}\s?(?:ล้ม|หัก|โค่น)", r"หม้อแปลง\S{0,6}(?:ระเบิด|ไหม้|ลุก)",
        r"live\s?wire",
    )),
    ("น้ำท่วมขณะนี้", (
        r"น้ำ\s?(?:กำลัง)?เข้าบ้าน", r"น้ำป่า", r"น้ำ\S{0,6}\s?สูง\s?(?:ถึง)?\s?(?:เข่า|เอว|อก|หน้าอก|คอ|\d+\s?(?:ซม|เซน|เมตร))",
        r"(?:ท่วม|น้ำขึ้น)\S{0,20}(?:ตอนนี้|ขณะนี้|กำลัง|เรื่อยๆ|เรื่อย ๆ|เมื่อคืน|ตั้งแต่ตี|ตั้งแต่เมื่อคืน)",
        r"(?:ตอนนี้|ขณะนี้)\S{0,10}(?:น้ำ)?ท่วม", r"ติดอยู่ใน(?:บ้าน|รถ)", r"flood(?:ing)?\s?(?:now|again)",
        r"น้ำเข้านา\s?เข้าบ้าน", r"(?:อพยพ|ขอเรือ)",
    )),
    ("เด็กหรือผู้สูงอายุเสี่ยงอันตราย", (
        _PEOPLE_AT_RISK + r".{0,40}(?:เกือบ|เสี่ยง|อันตราย|พลัดตก|จมน้ำ|ติดอยู่|ไม่ตอบ|ไม่ออกมา|ล้ม|ไม่มีคนดูแล|ไม่มีใครดูแล)",
        r"(?:เกือบ|อาจ)\S{0,6}(?:ตก|จม|โดน(?:รถ)?ชน|ถูกชน)\S{0,10}" + _PEOPLE_AT_RISK,
        r"อยู่คนเดียว.{0,40}(?:ไม่ตอบ|ไม่ออกมา|ไม่เห็น|อาการไม่ดี|หมดสติ)",
    )),
    ("มีการข่มขู่", (
        r"ข่มขู่", r"ขู่(?:ว่า)?จะ", r"ขู่ทำร้าย", r"ทำร้ายร่างกาย", r"ถือ\s?(?:มีด|ปืน)", r"พก\s?(?:มีด|ปืน|อาวุธ)",
        r"\bthreat",
    )),
    ("สัตว์มีพิษในบ้าน/ชุมชน", (
        r"งู\s?(?:เห่า|จงอาง|เขียว|แมวเซา|กะปะ)?\s?(?:เข้า|อยู่ใน|ใน)\s?(?:บ้าน|ครัว|ห้อง|โรงเรียน)", r"งูเห่า", r"งูจงอาง",
        r"(?:รังต่อ|รังแตน|รังผึ้ง)\S{0,30}(?:ต่อย|เด็ก|โรงเรียน)",
    )),
)

# Phrases that cancel a cue: negation of harm and figurative or unrelated uses of the same words.
_NEGATIONS = re.compile(
    r"ไม่มี(?:ใคร|คน|ผู้)?\s?(?:ได้รับ)?\s?(?:บาดเจ็บ|เจ็บ)|ยังไม่มี(?:ใคร|คน)?\s?(?:บาดเจ็บ|เจ็บ)|โชคดีที่ไม่มี\S*|"
    r"เจ็บใจ|เจ็บแค้น|เจ็บปวดใจ|ไฟไหม้ฟาง|ไฟลนก้น|ไฟถนน|ไฟทาง|ไฟกิ่ง|ไฟส่องสว่าง|ไฟจราจร|ไฟแดง|ไฟฉาย|น้ำไฟ|ค่าไฟ|"
    r"ป้องกันไฟไหม้|ดับเพลิง(?:ชุมชน)?ประจำ|ซ้อม\S{0,10}|เคยไฟไหม้|ปีก่อน\S{0,10}|ปีที่แล้ว\S{0,10}|"
    r"ยางรถเก่า|ลูกระนาด|ค่าน้ำ|กระแสไฟ(?:ฟ้า)?ดับ"
)
_NEGATED_CUE = re.compile(r"(?:ไม่มี|ยังไม่มี|ไม่ได้|ไม่เคย|เคย|เคยโดน|ป้องกัน|ก่อนจะ|ก่อนที่จะ|กลัว|เกรงว่า|ถ้า|ถ้ามี|ถ้าเกิด|หาก|หากมี|หากเกิด|"
    r"เผื่อ|เผื่อมี|เผื่อเกิด|อาจจะ?|อาจมี)\s?$")


def _compiled() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """CUES compiled once."""
    return tuple((reason, tuple(re.compile(p, re.IGNORECASE) for p in patterns)) for reason, patterns in CUES)


_CUES = _compiled()


def _live_match(pattern: re.Pattern[str], text: str) -> bool:
    """True when the pattern matches somewhere not preceded by a negation or a hypothetical ("กลัว", "ถ้า")."""
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        if not _NEGATED_CUE.search(before):
            return True
    return False


def assess(norm: str, intent: str | None = None) -> tuple[str, str]:
    """(priority, reason) for normalised text: ("urgent", Thai reason) on a danger cue, else ("normal", "")."""
    if not norm or intent == "praise":
        return NORMAL, ""
    text = _NEGATIONS.sub(" ", norm)
    for reason, patterns in _CUES:
        if any(_live_match(p, text) for p in patterns):
            return URGENT, reason
    return NORMAL, ""
