"""Keyword-rules classifier: the fallback before a model exists, and a sanity baseline."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from . import urgency
from .prediction import DEFAULT_TRIAGE_UNIT, INTENTS, Prediction
from .text import mask_personal_data, normalize
from .topics import message_topics

# Weighted cue phrases per intent, matched as substrings of the normalised text.
INTENT_KEYWORDS: dict[str, dict[str, float]] = {
    "complaint": {
        "ร้องเรียน": 3, "ร้องทุกข์": 3, "แจ้งปัญหา": 3, "เดือดร้อน": 2.5, "พัง": 2, "ชำรุด": 2, "เสียหาย": 2,
        "ไม่ทำงาน": 2, "ไม่มาเก็บ": 2.5, "ไม่เก็บ": 2, "เหม็น": 2, "เสียงดัง": 2, "ดับ": 1.5, "รั่ว": 2,
        "อุดตัน": 2, "ท่วม": 1.5, "หลุม": 1.5, "ล้น": 1.5, "แย่": 2, "ห่วย": 2.5, "ช้ามาก": 2, "ไม่ได้รับ": 2,
        "ทนไม่ไหว": 2.5, "รำคาญ": 2, "ไม่สนใจ": 2, "ไม่มีใครมา": 2.5, "ปล่อยให้": 1.5, "ปล่อยปละ": 2,
        "ไม่ซ่อม": 2.5, "ไม่แก้": 2, "อันตราย": 1.5, "ผิดหวัง": 2, "ไม่พอใจ": 2.5, "ขวางทาง": 2, "ไม่ได้ผล": 1.5,
        "ทุจริต": 2.5, "เรียกเงิน": 2.5, "พูดจาไม่ดี": 2.5, "ไม่สุภาพ": 2.5, "ไม่ยอม": 1.5, "ยังไม่": 1,
        "น้ำไม่ไหล": 2.5, "ไฟไม่ติด": 2.5, "มืด": 1, "ยุงเยอะ": 2, "เน่า": 1.5, "เสีย": 1, "ปัญหา": 1,
        "ไม่ไหว": 1.5, "จรจัด": 1.5, "ลักลอบ": 2, "เผา": 1.5, "ควัน": 1, "ร้าว": 1.5, "ทรุด": 1.5, "โกง": 2.5,
    },
    "suggestion": {
        "ข้อเสนอแนะ": 3, "เสนอแนะ": 3, "ขอเสนอ": 3, "อยากเสนอ": 3, "เสนอให้": 2.5, "อยากให้": 2, "ควรจะ": 2,
        "ควร": 1.5, "น่าจะ": 1.5, "แนะนำให้": 2, "จะดีมาก": 2, "จะดีกว่า": 2, "น่าจะดี": 2, "ถ้ามี": 1.5,
        "ถ้าเพิ่ม": 2, "ปรับปรุง": 1, "เพิ่มเติม": 0.5, "ฝากพิจารณา": 2.5, "ลองพิจารณา": 2.5, "ขอให้ติดตั้ง": 1.5,
        "อยากได้": 1.5, "ความคิดเห็น": 1.5,
    },
    "question": {
        "สอบถาม": 3, "ขอทราบ": 2.5, "อยากทราบ": 2.5, "อยากรู้": 2, "ไหม": 1.5, "มั้ย": 1.5, "หรือไม่": 1.5,
        "หรือเปล่า": 1.5, "รึเปล่า": 1.5, "อย่างไร": 1.5, "ยังไง": 1.5, "ที่ไหน": 1.5, "เมื่อไร": 1.5,
        "เมื่อไหร่": 1.5, "กี่": 1, "อะไรบ้าง": 1.5, "ได้ไหม": 1, "ต้องใช้": 1.5, "เอกสาร": 1, "?": 1.5,
        "ขั้นตอน": 1, "เปิดกี่โมง": 2.5, "ปิดกี่โมง": 2.5, "ช่องทาง": 1, "หรือยัง": 1.5, "ไหน": 0.5, "คะ": 0.5,
    },
    "praise": {
        "ชื่นชม": 3, "ขอชม": 3, "ประทับใจ": 3, "ดีมาก": 2, "รวดเร็ว": 2, "เยี่ยม": 2.5, "สุดยอด": 2.5,
        "บริการดี": 3, "ยอดเยี่ยม": 3, "เป็นกันเอง": 2, "ใส่ใจ": 2, "ขอบคุณเจ้าหน้าที่": 2.5, "เก่งมาก": 2.5,
        "ขอบคุณที่": 1.5, "ชม": 1, "สะอาดขึ้น": 2, "ดีขึ้น": 1.5, "ทันใจ": 2, "เอาใจใส่": 2.5, "ปลื้ม": 2.5,
        "ขอบคุณมาก": 1, "น่ารัก": 1.5, "ดีใจ": 1.5, "รวดเร็วทันใจ": 1,
    },
    "other": {
        "สวัสดี": 2, "ขอบคุณ": 1, "ขอบใจ": 1, "ทดสอบ": 2, "test": 2, "hello": 2, "hi": 1.5, "โปรโมชั่น": 2.5,
        "รายได้เสริม": 3, "สมัครเลย": 2.5, "คลิก": 2, "url": 1.5, "ขายด่วน": 2.5, "ลดราคา": 2, "ฟรี": 1,
        "กู้เงิน": 2, "ไลค์": 1.5, "แชร์": 1, "อรุณสวัสดิ์": 2.5, "ราตรีสวัสดิ์": 2.5, "โอเค": 1, "ok": 1,
        "รับทราบ": 1.5, "ครับ": 0.2, "ค่ะ": 0.2, "สุขสันต์": 2,
    },
}

# Default routing keywords per unit: the agency's topics plus common variants.
UNIT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "public_works": (
        "ถนน", "ไฟฟ้าส่องสว่าง", "ไฟถนน", "เสาไฟ", "ไฟทาง", "หลอดไฟ", "ท่อระบายน้ำ", "ท่อ", "ทางเท้า", "ฟุตบาท",
        "สะพาน", "ก่อสร้าง", "ประปา", "น้ำไม่ไหล", "หลุม", "ลาดยาง", "คอนกรีต", "ฝาท่อ", "รางระบายน้ำ", "ซ่อม",
        "ป้ายจราจร", "ลูกระนาด", "คูระบายน้ำ", "ขุด",
    ),
    "environment": (
        "ขยะ", "ความสะอาด", "เสียงดัง", "กลิ่น", "เหม็น", "ควัน", "น้ำเสีย", "สัตว์จรจัด", "หมาจรจัด", "สุนัขจรจัด",
        "แมวจรจัด", "ยุง", "ไข้เลือดออก", "ฉีดพ่น", "เผา", "ฝุ่น", "pm2.5", "มลพิษ", "สิ่งปฏิกูล", "หนู",
        "พ่นยา", "ถังขยะ", "รถขยะ", "ตลาดสด",
    ),
    "disaster": (
        "น้ำท่วม", "ท่วม", "ไฟไหม้", "อัคคีภัย", "ต้นไม้ล้ม", "กิ่งไม้", "พายุ", "รถดับเพลิง", "กู้ภัย", "ดับเพลิง",
        "ภัยแล้ง", "แผ่นดินไหว", "อุทกภัย", "วาตภัย", "ดินสไลด์", "งู", "รังผึ้ง", "รังต่อ", "อพยพ", "ถุงทราย",
        "สูบน้ำ", "ไฟป่า", "หลังคาปลิว",
    ),
    "civil_registration": (
        "ทะเบียนบ้าน", "บัตรประชาชน", "บัตรประจำตัวประชาชน", "แจ้งเกิด", "แจ้งตาย", "ย้ายที่อยู่", "ย้ายเข้า",
        "ย้ายออก", "เปลี่ยนชื่อ", "เปลี่ยนนามสกุล", "สูติบัตร", "มรณบัตร", "ทำบัตร", "บัตรหาย", "สำเนาทะเบียน",
        "เลขที่บ้าน", "บ้านเลขที่", "งานทะเบียน",
    ),
    "revenue": (
        "ภาษีที่ดิน", "ภาษีป้าย", "ค่าธรรมเนียม", "ค่าขยะ", "ชำระภาษี", "ใบเสร็จ", "ภาษี", "จ่ายภาษี", "ค่าปรับ",
        "ใบแจ้งหนี้", "ประเมินภาษี", "ที่ดินและสิ่งปลูกสร้าง", "ค้างชำระ", "ชำระเงิน", "ค่าเก็บขยะ",
    ),
    "social_welfare": (
        "เบี้ยยังชีพ", "ผู้สูงอายุ", "ผู้พิการ", "คนพิการ", "เด็กแรกเกิด", "ผู้ป่วยติดเตียง", "ผู้ยากไร้", "คนชรา",
        "เบี้ยคนพิการ", "เงินอุดหนุน", "สวัสดิการ", "คนไร้บ้าน", "บ้านผู้ยากไร้", "ถุงยังชีพ", "ผู้ด้อยโอกาส",
        "เบี้ย", "รถเข็น",
    ),
    "general_affairs": (
        "เจ้าหน้าที่", "บริการ", "เวลาทำการ", "ติดต่อสำนักงาน", "ข่าวสาร", "จัดซื้อจัดจ้าง", "สำนักงาน", "นายก",
        "ปลัด", "ประชาสัมพันธ์", "เว็บไซต์", "ประชุม", "สมัครงาน", "รับสมัคร", "พนักงาน", "ที่จอดรถ", "เบอร์ติดต่อ",
        "เปิดทำการ", "กี่โมง", "ไลน์", "เพจ",
    ),
}

_SENTIMENT_OF_INTENT = {"complaint": "neg", "question": "q", "praise": "pos", "suggestion": "neu", "other": "neu"}
_SARCASM_CUES = ("ขอบคุณ", "ชื่นชม", "เก่งมาก", "ขอชม", "ดีมาก", "สุดยอด")


def _softmax(scores: Sequence[float], temperature: float = 1.0) -> list[float]:
    """Numerically stable softmax."""
    top = max(scores)
    exps = [math.exp((s - top) / temperature) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


class KeywordClassifier:
    """Thai keyword rules for intent, sentiment and unit; urgency, topics and masking as in the trained model."""

    version = "rules-1"

    def __init__(
        self,
        units: Mapping[str, Sequence[str]] | None = None,
        *,
        triage_unit: str = DEFAULT_TRIAGE_UNIT,
        routing_threshold: float = 0.45,
    ) -> None:
        """Build rules; units maps unit code -> extra topic keywords (e.g. from the agency config)."""
        merged: dict[str, list[str]] = {code: list(words) for code, words in UNIT_KEYWORDS.items()}
        for code, words in (units or {}).items():
            if code == triage_unit:
                continue
            merged.setdefault(code, [])
            merged[code].extend(w.lower() for w in words if w and w.lower() not in merged[code])
        self.unit_keywords = {code: tuple(words) for code, words in merged.items()}
        self.triage_unit = triage_unit
        self.routing_threshold = routing_threshold

    def intent_scores(self, norm: str) -> dict[str, float]:
        """Raw keyword scores per intent for normalised text."""
        scores = {intent: sum(w for kw, w in INTENT_KEYWORDS[intent].items() if kw in norm) for intent in INTENTS}
        if scores["complaint"] >= 2 and any(cue in norm for cue in _SARCASM_CUES):
            # "ขอบคุณมากที่ปล่อยให้ถนนพังมาสามเดือน": thanks plus a problem is a complaint.
            scores["complaint"] += scores["praise"] + 1
            scores["praise"] *= 0.3
        return scores

    def _intent(self, norm: str) -> tuple[str, float]:
        """Best intent and a confidence in [0, 1]."""
        scores = self.intent_scores(norm)
        if max(scores.values()) <= 0.5:
            return "other", 0.3
        probs = _softmax([scores[i] for i in INTENTS], temperature=1.5)
        best = max(range(len(INTENTS)), key=lambda i: probs[i])
        return INTENTS[best], probs[best]

    def _unit(self, norm: str, intent: str) -> tuple[str, float, tuple[tuple[str, float], ...]]:
        """Responsible unit (triage below threshold), its confidence and the best 3 candidates."""
        scores = {code: float(sum(len(kw) for kw in kws if kw in norm)) for code, kws in self.unit_keywords.items()}
        total = sum(scores.values()) + 2.0
        ranked = sorted((c for c in scores if scores[c] > 0), key=lambda c: -scores[c])[:3]
        candidates = tuple((c, scores[c] / total) for c in ranked)
        if intent == "other" or not candidates:
            return self.triage_unit, 0.0, candidates
        best_code, confidence = candidates[0]
        if confidence < self.routing_threshold:
            return self.triage_unit, confidence, candidates
        return best_code, confidence, candidates

    def classify(self, text: str) -> Prediction:
        """Classify one message with keyword rules; never raises on any str input."""
        text = "" if text is None else str(text)
        norm = normalize(text)
        intent, intent_conf = self._intent(norm)
        if intent == "question" or "?" in norm and intent != "complaint":
            sentiment = "q"
        else:
            sentiment = _SENTIMENT_OF_INTENT[intent]
        unit, unit_conf, candidates = self._unit(norm, intent)
        priority, reason = urgency.assess(norm, intent)
        masked = mask_personal_data(text)
        return Prediction(
            intent=intent,
            intent_confidence=float(intent_conf),
            sentiment=sentiment,
            sentiment_confidence=float(min(intent_conf, 0.9)) if norm else 0.25,
            unit=unit,
            unit_confidence=float(unit_conf),
            topics=message_topics(masked, masked=True),
            masked_text=masked,
            unit_candidates=candidates,
            priority=priority,
            priority_reason=reason,
        )

    def classify_many(self, texts: Sequence[str], *, only_where_unsure: bool = False) -> list[Prediction]:
        """Classify several messages (keyword rules use no embedding: only_where_unsure changes nothing)."""
        return [self.classify(t) for t in texts]
