"""Keyword-rules classifier and the module-level fallback."""

from __future__ import annotations

import classifier
from classifier import INTENTS, SENTIMENTS, KeywordClassifier, Prediction

RULES = KeywordClassifier()


def test_intents() -> None:
    assert RULES.classify("ขอร้องเรียนเรื่องถนนพัง เป็นหลุมใหญ่").intent == "complaint"
    assert RULES.classify("อยากทราบว่าต่อบัตรประชาชนต้องใช้เอกสารอะไรบ้างคะ").intent == "question"
    assert RULES.classify("ขอชื่นชมเจ้าหน้าที่ บริการดีมาก ประทับใจ").intent == "praise"
    assert RULES.classify("ขอเสนอแนะว่าควรเพิ่มถังขยะในตลาด").intent == "suggestion"
    assert RULES.classify("สวัสดีครับ").intent == "other"


def test_sarcasm_is_a_complaint() -> None:
    pred = RULES.classify("ขอบคุณมากที่ปล่อยให้ถนนพังมาสามเดือน")
    assert pred.intent == "complaint"
    assert pred.sentiment == "neg"


def test_units() -> None:
    assert RULES.classify("ขยะไม่มาเก็บหลายวันแล้ว เหม็นมาก").unit == "environment"
    assert RULES.classify("น้ำท่วมหนักมาก ต้องการถุงทราย").unit == "disaster"
    assert RULES.classify("ไฟถนนดับทั้งซอย").unit == "public_works"
    assert RULES.classify("เบี้ยยังชีพผู้สูงอายุยังไม่ได้รับเลย").unit == "social_welfare"
    assert RULES.classify("จ่ายภาษีที่ดินได้ที่ไหน").unit == "revenue"
    assert RULES.classify("แจ้งเกิดลูกต้องใช้อะไรบ้าง").unit == "civil_registration"


def test_unknown_goes_to_triage() -> None:
    pred = RULES.classify("สวัสดีค่ะ")
    assert pred.unit == "triage"
    assert KeywordClassifier(triage_unit="desk").classify("abc").unit == "desk"


def test_agency_units_extend_keywords() -> None:
    rules = KeywordClassifier({"parks": ["สวนสาธารณะ", "สนามเด็กเล่น"], "triage": []})
    assert rules.classify("สนามเด็กเล่นชำรุด ร้องเรียนครับ").unit == "parks"


def test_rules_topics_and_masking() -> None:
    pred = RULES.classify("ขยะล้นถัง โทร 081-234-5678")
    assert any("ขยะ" in topic for topic in pred.topics)
    assert "[เบอร์โทร]" in pred.masked_text


def test_bad_input_never_raises() -> None:
    for text in ("", "😀😀😀", "ถนนพัง" * 3000, "The road is broken", "\x00\x01\x02\u200b", "   ", None):
        pred = RULES.classify(text)  # type: ignore[arg-type]
        assert isinstance(pred, Prediction)
        assert pred.intent in INTENTS and pred.sentiment in SENTIMENTS
        assert 0.0 <= pred.intent_confidence <= 1.0


def test_empty_is_low_confidence_other() -> None:
    pred = RULES.classify("")
    assert pred.intent == "other" and pred.intent_confidence < 0.5 and pred.unit == "triage"


def test_module_level_fallback_and_configure() -> None:
    classifier.configure(None)
    assert isinstance(classifier.current(), KeywordClassifier)
    assert classifier.classify("ถนนพัง ร้องเรียน").intent == "complaint"
    assert [p.intent for p in classifier.classify_many(["สวัสดี", "สอบถามค่ะ เปิดกี่โมง"])] == ["other", "question"]
    custom = KeywordClassifier(triage_unit="desk")
    classifier.configure(custom)
    try:
        assert classifier.current() is custom
    finally:
        classifier.configure(None)


def test_as_dict_is_json_ready() -> None:
    import json

    d = RULES.classify("ถนนพัง").as_dict()
    assert set(d) >= {"intent", "intent_confidence", "sentiment", "unit", "unit_confidence", "unit_candidates",
                      "priority", "topics", "masked_text"}
    assert "embedding" not in d
    json.dumps(d, ensure_ascii=False)
