"""Evaluate every head on data training never saw: Wisesight held-out split and intents/test.jsonl."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from . import data
from .model import Classifier
from .prediction import INTENTS, SENTIMENTS


def head_report(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix."""
    labels = list(labels)
    if not y_true:
        return {"n": 0, "accuracy": None, "macro_f1": None, "per_class": {}, "labels": labels, "confusion": []}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = [lab for lab in labels if lab in set(y_true)]
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "per_class": {
            lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
        "labels": labels,
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def evaluate(model_dir: Path, *, classifier: Classifier | None = None) -> dict:
    """Per-head evaluation report for the model in model_dir (sentiment, intent, unit)."""
    clf = classifier or Classifier.load(Path(model_dir))
    _, held_out = data.wisesight_split()
    sent_pred = clf.classify_many([r["text"] for r in held_out])
    report: dict = {"model_version": clf.version}
    report["sentiment"] = head_report(
        [r["label"] for r in held_out], [p.sentiment for p in sent_pred], SENTIMENTS
    )
    report["sentiment"]["split"] = "wisesight held-out (15%, stratified, fixed seed)"

    test = data.intent_test_rows()
    preds = clf.classify_many([r["text"] for r in test])
    domain = [(data.DOMAIN_SENTIMENT[r["intent"]], p.sentiment) for r, p in zip(test, preds)
              if r["intent"] in data.DOMAIN_SENTIMENT]
    report["sentiment_domain"] = head_report([t for t, _ in domain], [p for _, p in domain], SENTIMENTS)
    report["sentiment_domain"]["split"] = (
        "sentiment on citizens' messages (intents/test.jsonl, weak labels from intent; 'other' left out)"
    )
    report["intent"] = head_report([r["intent"] for r in test], [p.intent for p in preds], INTENTS)
    report["intent"]["split"] = "classifier/data/intents/test.jsonl"
    unit_rows = [(r, p) for r, p in zip(test, preds) if r.get("unit")]
    unit_labels = sorted({r["unit"] for r, _ in unit_rows} | set(clf.units) | {clf.triage_unit})
    report["unit"] = head_report([r["unit"] for r, _ in unit_rows], [p.unit for _, p in unit_rows], unit_labels)
    report["unit"]["split"] = "intents/test.jsonl rows with a unit (triage counts as wrong)"
    report["unit"]["triage_rate"] = (
        sum(p.unit == clf.triage_unit for _, p in unit_rows) / len(unit_rows) if unit_rows else None
    )
    routed = [(r, p) for r, p in unit_rows if p.unit != clf.triage_unit]
    report["unit"]["accuracy_when_routed"] = (
        sum(r["unit"] == p.unit for r, p in routed) / len(routed) if routed else None
    )
    return report


def _fmt(value: float | None) -> str:
    """Format a metric."""
    return "n/a" if value is None else f"{value:.4f}"


def format_report(report: dict) -> str:
    """Human-readable tables for an evaluate() report."""
    lines = [f"model {report.get('model_version', '?')}"]
    for head in ("sentiment", "sentiment_domain", "intent", "unit"):
        rep = report.get(head)
        if not rep:
            continue
        lines.append("")
        lines.append(f"== {head} — {rep.get('split', '')} — n={rep['n']}")
        lines.append(f"accuracy {_fmt(rep['accuracy'])}   macro-F1 {_fmt(rep['macro_f1'])}")
        if head == "unit":
            lines.append(
                f"triage rate {_fmt(rep.get('triage_rate'))}   accuracy when routed {_fmt(rep.get('accuracy_when_routed'))}"
            )
        labels = rep["labels"]
        width = max([len(lab) for lab in labels] + [9])
        lines.append(f"{'class':<{width}}  precision  recall     f1  support")
        for lab in labels:
            c = rep["per_class"].get(lab)
            if c and c["support"] + c["precision"] > 0:
                lines.append(
                    f"{lab:<{width}}  {c['precision']:9.4f}  {c['recall']:6.4f}  {c['f1']:5.4f}  {c['support']:7d}"
                )
        if rep["confusion"]:
            short = [lab[:6] for lab in labels]
            lines.append("confusion (rows = true, columns = predicted)")
            lines.append(" " * (width + 1) + " ".join(f"{s:>6}" for s in short))
            for lab, row in zip(labels, rep["confusion"]):
                lines.append(f"{lab:<{width}} " + " ".join(f"{v:6d}" for v in row))
    return "\n".join(lines)
