"""One classifier path (issue 19): `fangsiang classify`, `fangsiang evaluate`, the worker, imports and demo data
give the same answer for the same text; text that is no language opens no case."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

import classifier
from classifier import Classifier, data, embedding
from classifier.commands import classify_stream
from classifier.text import mask_personal_data

NOT_LANGUAGE = ["asdkjh qweoiu ฟหกด่าสว", "5555555", "ฮ่าๆๆๆๆ", "😂😂😂", "12345", "ถถถถถถ", "ๆไำพะัีร", "sdfsdf",
                "!!!", "🙏"]


def two_hundred_texts() -> list[str]:
    """Real and project texts: citizens' messages, real Traffy reports, social-media posts and non-language."""
    _, traffy = data.traffy_split()
    _, wisesight = data.wisesight_split()
    texts = ([r["text"] for r in data.intent_test_rows()[:90]] + [r["text"] for r in traffy[:60]]
             + [r["text"] for r in wisesight[:40]] + NOT_LANGUAGE)
    return [" ".join(t.split()) for t in texts]  # one message per line for `fangsiang classify`


def test_the_same_200_texts_give_identical_json_through_every_entry(full_model: Classifier,
                                                                   full_model_dir: Path) -> None:
    texts = two_hundred_texts()
    assert len(texts) == 200

    out = io.StringIO()  # `fangsiang classify`
    classify_stream(full_model, (t + "\n" for t in texts), out)
    via_command = [{k: v for k, v in json.loads(line).items() if k != "text"} for line in out.getvalue().splitlines()]

    via_evaluate = [p.as_dict() for p in full_model.classify_many(texts)]  # `fangsiang evaluate`
    try:
        classifier.configure(full_model)  # the worker: one message at a time through the configured instance
        via_worker = [classifier.classify(t).as_dict() for t in texts]
        via_import = [p.as_dict() for p in classifier.classify_many(texts, only_where_unsure=True)]  # imports, demo
    finally:
        classifier.configure(None)
    vectors = embedding.embed([mask_personal_data(t) for t in texts])  # the worker with stored vectors
    via_stored = [p.as_dict() for p in full_model.classify_many(texts, embeddings=vectors)]
    fresh = Classifier.load(full_model_dir)  # another process loading the same model
    via_fresh = [p.as_dict() for p in fresh.classify_many(texts[::-1])][::-1]

    expected = json.dumps(via_command, ensure_ascii=False, sort_keys=True)
    for name, answers in (("evaluate", via_evaluate), ("worker", via_worker), ("import", via_import),
                          ("stored vectors", via_stored), ("fresh load, other order", via_fresh)):
        assert json.dumps(answers, ensure_ascii=False, sort_keys=True) == expected, name


def test_only_unsure_messages_are_embedded(full_model: Classifier) -> None:
    texts = two_hundred_texts()
    predictions = full_model.classify_many(texts)
    embedded = [p.embedding is not None for p in predictions]
    assert 0 < sum(embedded) < len(texts) * 0.8
    stored = full_model.classify_many(texts, embeddings=np.zeros((len(texts), embedding.DIM), np.float32) + 0.05)
    assert all(p.embedding is not None for p in stored)  # stored vectors are handed back for every message


def test_no_language_is_other_and_opens_no_case(full_model: Classifier) -> None:
    # "other" is the intent that opens no case (the conversation's rule); no unit is suggested either.
    for prediction, text in zip(full_model.classify_many(NOT_LANGUAGE), NOT_LANGUAGE):
        assert prediction.intent == "other", text
        assert prediction.unit == full_model.triage_unit, text


def test_short_real_reports_stay_complaints(full_model: Classifier) -> None:
    # Real Traffy reports this short exist ("ขยะ", "ฝาท่อชำรุด"); they are language, not noise.
    short = ["ขยะ", "ไฟดับ ครับ", "ฝาท่อชำรุด", "น้ำขัง", "ต้นไม้ล้ม", "ไฟถนนเสีย", "ท่อระบายน้ำตัน", "ฝาท่อพังค่ะ"]
    assert [p.intent for p in full_model.classify_many(short)] == ["complaint"] * len(short)
