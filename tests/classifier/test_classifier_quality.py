"""Measured quality of the fully trained model on data training never saw (floors a little below measured)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import Classifier
from classifier.evaluation import evaluate, format_report


@pytest.fixture(scope="module")
def report(full_model_dir: Path, full_model: Classifier) -> dict:
    """One evaluation of the full model (Wisesight held-out, test.jsonl, test_reports.jsonl, urgency set)."""
    return evaluate(full_model_dir, classifier=full_model)


def test_complaints_in_real_style_reports(report: dict) -> None:
    reports = report["intent_reports"]
    assert reports["n"] >= 180
    assert reports["complaint_recall"] >= 0.95
    assert reports["other_intents_accuracy"] >= 0.80
    assert reports["accuracy"] >= 0.90


def test_other_intents_hold_on_project_test_split(report: dict) -> None:
    """Measured: accuracy 0.932, 0.9085 on the non-complaint intents, complaint recall 0.977 (issue 19 goal: the
    other intents >= 0.90)."""
    intent = report["intent"]
    assert intent["accuracy"] >= 0.92
    assert intent["other_intents_accuracy"] >= 0.90
    assert intent["complaint_recall"] >= 0.95


def test_sentiment_and_dissatisfaction(report: dict) -> None:
    assert report["sentiment"]["n"] > 3000 and report["sentiment"]["accuracy"] >= 0.70
    assert report["sentiment_domain"]["accuracy"] >= 0.75
    dissatisfied = report["dissatisfaction"]
    assert dissatisfied["recall"] >= 0.85 and dissatisfied["precision"] >= 0.85
    assert dissatisfied["sarcastic_thanks_n"] >= 8 and dissatisfied["sarcastic_thanks_recall"] >= 0.85


def test_priority_on_fixed_set(report: dict) -> None:
    priority = report["priority"]
    assert priority["positives"] >= 30
    assert priority["recall"] >= 0.90 and priority["precision"] >= 0.90


def test_report_structure(report: dict) -> None:
    for head in ("sentiment", "sentiment_domain", "intent", "intent_reports", "unit"):
        rep = report[head]
        assert rep["n"] > 0 and 0 <= rep["accuracy"] <= 1 and 0 <= rep["macro_f1"] <= 1
        assert len(rep["confusion"]) == len(rep["labels"])
    assert report["embeddings"] is True
    domain = report["sentiment_domain"]
    assert domain["n"] > 500 and domain["per_class"]["q"]["support"] > 0


def test_units_and_report_text(report: dict) -> None:
    unit = report["unit"]
    assert unit["top3_accuracy"] >= unit["top1_accuracy"] >= 0.80
    text = format_report(report)
    for needle in ("macro-F1", "confusion", "complaint recall", "priority urgent", "dissatisfaction", "top-3"):
        assert needle in text


def test_bulk_mode_embeds_only_where_the_word_model_is_unsure(full_model: Classifier) -> None:
    """Every caller embeds only where the word model is unsure (old callers' `only_where_unsure` changes nothing):
    far fewer embeddings, the complaints still found."""
    from classifier.data import REPORTS_TEST_FILE, intent_test_rows

    rows = intent_test_rows(REPORTS_TEST_FILE) + intent_test_rows()
    texts = [r["text"] for r in rows]
    every = full_model.classify_many(texts)
    bulk = full_model.classify_many(texts, only_where_unsure=True)
    embedded = [p.embedding is not None for p in bulk]
    assert 0 < sum(embedded) <= 0.5 * len(texts)  # measured: 30% of the held-out citizen messages
    complaints = [i for i, r in enumerate(rows) if r["intent"] == "complaint"]
    recall = sum(bulk[i].intent == "complaint" for i in complaints) / len(complaints)
    assert recall >= 0.95
    agree = sum(a.intent == b.intent for a, b in zip(every, bulk)) / len(rows)
    assert agree >= 0.97  # measured: 0.99
    for prediction, full in zip(bulk, every):
        assert (prediction.unit, prediction.topics, prediction.priority) == (full.unit, full.topics, full.priority)


# ---------------------------------------------------------------- real citizen language (issue 19)


def test_shipped_sentiment_beats_a_plain_baseline_retrained_in_the_same_run(report: dict) -> None:
    # Measured: shipped 0.714 accuracy / 0.569 macro-F1; plain TF-IDF + LR 0.711 / 0.533 (Wisesight held-out).
    shipped, plain = report["sentiment"], report["sentiment_baseline"]
    assert shipped["accuracy"] >= plain["accuracy"] and shipped["macro_f1"] >= plain["macro_f1"]
    assert shipped["accuracy"] >= 0.71
    # The shipped answer is the sentiment head's, except where a complaint carries some dissatisfaction.
    assert shipped["head_alone_accuracy"] - shipped["accuracy"] < 0.01


def test_real_traffy_reports_are_complaints_and_dissatisfied(report: dict) -> None:
    # Measured (fs-7932a5834e33): complaint recall 0.9768 on the 259 held-out real complaints (6 missed);
    # dissatisfied 0.965.
    traffy = report["traffy_intent"]
    assert traffy["n"] >= 250
    assert traffy["complaint_recall"] >= 0.97  # measured 0.9768 (6 of 259 missed)
    assert report["traffy_dissatisfaction"]["recall"] >= 0.94
    assert report["sentiment_baseline"]["traffy_dissatisfied_recall"] < report["traffy_dissatisfaction"]["recall"]


def test_routing_on_real_reports_is_measured_on_a_held_out_part(report: dict) -> None:
    # Measured (fs-1e6ceb23fc77, per-unit regressions at C 3,000): top-1 0.893 (any of the report's types), top-3
    # 0.976; threshold calibrated out of fold on the 70 % (5 real folds) for precision 0.93 → on the held-out 30 %:
    # 13.1 % to triage, precision of routed reports 0.954; for 0.92: 10.7 % at 0.947.
    routing = report["traffy_routing"]
    assert routing["n_held_out"] >= 240 and routing["units"] >= 15
    assert routing["held_out_top1"] >= 0.87 and routing["held_out_top3"] >= 0.95
    at_93 = next(t for t in routing["targets"] if t["target_precision"] == 0.93)
    assert at_93["held_out_30"]["precision"] >= 0.93
    assert at_93["held_out_30"]["triage_rate"] <= 0.17
    at_92 = next(t for t in routing["targets"] if t["target_precision"] == 0.92)
    assert at_92["held_out_30"]["precision"] >= 0.93 and at_92["held_out_30"]["triage_rate"] <= 0.15


def test_masking_recall_is_reported_on_variants_and_traffy_names(report: dict) -> None:
    masking = report["masking"]
    assert masking["variants"]["n_messages"] >= 100 and masking["variants"]["recall"] >= 0.96
    names = masking["traffy_names"]
    assert names["n_spans"] + names["keep"] >= 50 and names["per_kind"]["name"]["recall"] >= 0.8
    assert names["kept"] >= 0.9 * names["keep"]


def test_evaluation_prints_every_figure_with_its_data(report: dict) -> None:
    text = format_report(report)
    for needle in ("plain TF-IDF", "traffy/reports.jsonl held-out", "routing on real reports", "held-out curve",
                   "masking, written variants", "masking, names in Traffy reports", "dissatisfaction on real reports",
                   "out-of-fold 70 %: to triage"):
        assert needle in text, needle


def test_evaluation_says_whose_text_each_figure_is_on(report: dict) -> None:
    """Figures on text the project wrote are told apart from figures on real text nobody here wrote."""
    from classifier.evaluation import REAL, WRITTEN

    text = format_report(report)
    headers = [line for line in text.splitlines() if line.startswith("== ")]
    assert headers and all(f"[{REAL}]" in line or f"[{WRITTEN}]" in line for line in headers), headers
    for real in ("== traffy_intent", "== routing on real reports", "== dissatisfaction on real reports",
                 "== sentiment —", "== sentiment against a plain baseline"):
        assert any(line.startswith(real.rstrip(" —")) and f"[{REAL}]" in line for line in headers), real
    for written in ("== intent ", "== intent_reports", "== unit", "== priority urgent"):
        assert any(line.startswith(written) and f"[{WRITTEN}]" in line for line in headers), written
