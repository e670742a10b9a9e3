"""Training, loading and classifying with the real model; router CSV; corrections; determinism."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from classifier import INTENTS, SENTIMENTS, Classifier, ModelMissing, Prediction, load_or_train
from classifier.commands import classify_stream
from classifier.training import train

from tests.classifier.conftest import QUICK

BAD_INPUTS = ["", "😀😀😀🙏", "ถนนพัง" * 2000, "x" * 12_000, "The street light is broken", "\x00\x01\x1b[31m\u200b", "   \n"]


def test_missing_model_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing):
        Classifier.load(tmp_path / "nothing")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.joblib").write_bytes(b"not a model")
    with pytest.raises(ModelMissing):
        Classifier.load(tmp_path / "broken")


def test_round_trip(full_model_dir: Path, full_model: Classifier) -> None:
    meta = json.loads((full_model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert meta["version"] == full_model.version and full_model.version.startswith("fs-")
    assert meta["sizes"]["sentiment_examples"] > 20_000
    assert {"scikit-learn", "pythainlp", "numpy"} <= set(meta["versions"])
    assert set(full_model.units) >= {"public_works", "environment", "disaster"}
    assert "triage" not in full_model.units
    assert load_or_train(full_model_dir).version == full_model.version  # loads, does not retrain
    pred = full_model.classify("ถนนหน้าบ้านเป็นหลุมใหญ่มาก ร้องเรียนหลายรอบแล้วไม่มีใครมาซ่อม")
    assert pred.intent == "complaint" and pred.unit == "public_works" and pred.sentiment == "neg"
    assert full_model.classify("ขยะไม่มีใครมาเก็บหนึ่งสัปดาห์แล้ว เหม็นมาก").unit == "environment"
    assert full_model.classify("อยากทราบว่าต้องใช้เอกสารอะไรบ้างในการแจ้งเกิดคะ").intent == "question"


def test_batch_equals_single(full_model: Classifier) -> None:
    texts = ["ไฟถนนดับทั้งซอย", "ขอบคุณเจ้าหน้าที่มากครับ บริการดีมาก", "อยากให้มีรถเก็บขยะมาบ่อยขึ้น"]
    assert full_model.classify_many(texts) == [full_model.classify(t) for t in texts]
    assert full_model.classify_many([]) == []


def test_prediction_fields(full_model: Classifier) -> None:
    """unit_candidates, priority, phrase topics and the message's embedding, as the worker stores them."""
    text = "ถนนหน้าวัดเป็นหลุมใหญ่ เมื่อคืนมอไซค์ 2 คันล้ม คนขี่ส่งโรงพยาบาล ซอยสุขใจ 5 โทร 081-234-5678"
    pred = full_model.classify(text)
    assert pred.intent == "complaint" and pred.priority == "urgent" and pred.priority_reason
    assert len(pred.unit_candidates) == 3 and pred.unit_candidates[0][0] == "public_works"
    assert [c for _, c in pred.unit_candidates] == sorted((c for _, c in pred.unit_candidates), reverse=True)
    assert 1 <= len(pred.topics) <= 3 and "ซอยสุขใจ 5" in pred.topics
    assert all("081" not in topic for topic in pred.topics)
    # One path: the word model is sure of this complaint, so no e5 vector is computed (the worker embeds it itself
    # for same-matter and FAQ decisions); a stored vector is handed back with the same answer.
    assert full_model.uses_embeddings and pred.embedding is None
    from classifier.embedding import embed

    stored = full_model.classify(text, embedding_vector=embed([pred.masked_text])[0])
    assert stored.as_dict() == pred.as_dict() and len(stored.embedding) == 384
    assert abs(sum(v * v for v in stored.embedding) - 1.0) < 1e-3
    record = pred.as_dict()
    assert {"intent", "intent_confidence", "sentiment", "unit", "unit_confidence", "unit_candidates", "priority",
            "priority_reason", "topics", "masked_text"} <= set(record)
    assert record["unit_candidates"][0] == {"unit": "public_works", "confidence": round(pred.unit_candidates[0][1], 4)}
    assert "embedding" not in record and len(stored.as_dict(with_embedding=True)["embedding"]) == 384
    assert full_model.classify("ขอบคุณเจ้าหน้าที่ที่มาช่วยตอนน้ำเข้าบ้านเมื่อคืนค่ะ").priority == "normal"


def test_stored_embeddings_are_reused(full_model: Classifier) -> None:
    texts = ["ขยะไม่มีคนมาเก็บหนึ่งสัปดาห์แล้ว", "อยากทราบวันจ่ายภาษีป้ายค่ะ"]
    first = full_model.classify_many(texts)
    from classifier.embedding import embed

    vectors = embed([p.masked_text for p in first])  # what the worker stores (sure messages carry none of their own)
    assert full_model.classify_many(texts, embeddings=vectors) == first
    assert full_model.classify(texts[0], embedding_vector=vectors[0]) == first[0]
    with pytest.raises(ValueError):
        full_model.classify_many(texts, embeddings=vectors[:1])


def test_without_embeddings_falls_back_to_tfidf_head(full_model_dir: Path) -> None:
    plain = Classifier.load(full_model_dir, use_embeddings=False)
    pred = plain.classify("ถนนหน้าบ้านเป็นหลุมใหญ่มาก ร้องเรียนหลายรอบแล้วไม่มีใครมาซ่อม")
    assert not plain.uses_embeddings and pred.embedding is None
    assert pred.intent == "complaint" and pred.unit_candidates[0][0] == "public_works"


def test_sarcasm_complaint(full_model: Classifier) -> None:
    assert full_model.classify("ขอบคุณมากที่ปล่อยให้ถนนพังมาสามเดือน").intent == "complaint"


def test_domain_sentiment(full_model: Classifier) -> None:
    """Sentiment is domain-adapted with weak labels from intent (complaint→neg, question→q, praise→pos)."""
    assert full_model.classify("แจ้งเรื่องไฟถนนดับไปสองอาทิตย์แล้ว ยังไม่มีใครมาดูเลย").sentiment == "neg"
    assert full_model.classify("อยากทราบว่าต้องใช้เอกสารอะไรบ้างในการแจ้งเกิดคะ").sentiment == "q"
    assert full_model.classify("ขอบคุณเจ้าหน้าที่กองช่างที่มาซ่อมไฟถนนให้ภายในวันเดียวครับ").sentiment == "pos"


def test_bad_input_trained(full_model: Classifier) -> None:
    preds = full_model.classify_many(BAD_INPUTS)
    for text, pred in zip(BAD_INPUTS, preds):
        assert isinstance(pred, Prediction)
        assert pred.intent in INTENTS and pred.sentiment in SENTIMENTS
        assert 0.0 <= pred.intent_confidence <= 1.0 and 0.0 <= pred.unit_confidence <= 1.0
        json.dumps(pred.as_dict(), ensure_ascii=False)
    for pred in (preds[0], preds[1], preds[5], preds[6]):  # nothing but emoji, controls or blanks
        assert pred.intent == "other" and pred.intent_confidence <= 0.3 and pred.unit == "triage"
    assert full_model.classify(None).intent == "other"  # type: ignore[arg-type]


def test_masking_in_prediction(full_model: Classifier) -> None:
    pred = full_model.classify("ไฟดับ ติดต่อกลับ 081-234-5678 หรือ a@b.com")
    assert "[เบอร์โทร]" in pred.masked_text and "[อีเมล]" in pred.masked_text
    assert "081" not in pred.masked_text


def test_routing_threshold(full_model_dir: Path, full_model: Classifier) -> None:
    strict = Classifier.load(full_model_dir, triage_unit="desk", routing_threshold=1.01)
    pred = strict.classify("ไฟถนนดับทั้งซอย")
    assert pred.unit == "desk" and pred.unit_confidence > 0 and pred.unit_candidates[0][0] == "public_works"
    calibration = full_model.bundle.routing_calibration
    assert calibration is not None and full_model.routing_threshold == calibration.threshold(0.95)


def test_classify_stream(full_model: Classifier) -> None:
    out = io.StringIO()
    n = classify_stream(full_model, io.StringIO("ถนนพัง\n\nสวัสดีครับ\n"), out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == 3 and len(lines) == 3
    for rec in lines:
        assert {"text", "intent", "intent_confidence", "sentiment", "unit", "unit_confidence", "unit_candidates",
                "priority", "topics", "masked_text"} <= set(rec)
    assert lines[0]["text"] == "ถนนพัง" and lines[1]["text"] == ""
    assert "ถนนพัง" in out.getvalue()  # ensure_ascii=False


def test_router_csv_needs_its_columns(tmp_path: Path) -> None:
    """A CSV without the named columns is refused before any training (routing by CSV: test_classifier_routing)."""
    csv_path = tmp_path / "register.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["เรื่อง", "หน่วยงาน"])
        writer.writerow(["ถนนพังเป็นหลุม", "roads_team"])
    with pytest.raises(ValueError):
        train(tmp_path / "bad", router_csv=csv_path, text_column="nope", **QUICK)
    assert not (tmp_path / "bad" / "model.joblib").exists()


def test_corrections_are_included(tmp_path: Path, small_model_dir: Path) -> None:
    corrections = [{"text": f"สนามเด็กเล่นในสวนสาธารณะชำรุด เครื่องเล่นพัง จุดที่ {i}", "intent": "complaint", "unit": "parks"}
                   for i in range(12)]
    corrections += [{"text": "ข้อความทดสอบที่ไม่มีป้าย", "intent": None, "unit": None}, {"text": "", "intent": "other"},
                    {"text": "เรื่องนี้ไม่รู้ว่ากองไหน", "intent": "complaint", "unit": "triage"}]
    report = train(tmp_path / "m", extra_examples=corrections, **QUICK)
    assert "parks" in report["units"] and report["sizes"]["extra_examples"] == 14
    assert "triage" not in report["units"]  # the triage unit is never a routing label
    clf = Classifier.load(tmp_path / "m")
    assert clf.classify("เครื่องเล่นในสนามเด็กเล่นสวนสาธารณะพัง").unit == "parks"
    assert clf.version != Classifier.load(small_model_dir).version


def test_determinism(tmp_path: Path, small_model_dir: Path) -> None:
    again = train(tmp_path / "again", seed=0, **QUICK)
    a, b = Classifier.load(small_model_dir), Classifier.load(tmp_path / "again")
    assert a.version == b.version == again["version"]
    texts = ["ถนนพังมาก", "ขอบคุณครับ", "สอบถามเรื่องภาษีป้ายค่ะ", "อยากให้ติดไฟเพิ่ม", "น้ำท่วมซอย 3"]
    assert a.classify_many(texts) == b.classify_many(texts)


def test_pure_python_tokenizer_fallback(full_model_dir: Path) -> None:
    """Without nlpo3 the model still classifies with PyThaiNLP's pure-Python newmm."""
    clf = Classifier.load(full_model_dir)
    clf.tokenizer = "newmm"
    pred = clf.classify("ไฟถนนดับทั้งซอย ร้องเรียนครับ")
    assert pred.intent == "complaint" and pred.unit == "public_works"
