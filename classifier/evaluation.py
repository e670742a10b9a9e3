"""Evaluate every head on data training never saw; evaluate routing on an agency's labelled CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from . import data
from .model import Classifier
from .prediction import DEFAULT_TARGET_PRECISION, DEFAULT_TRIAGE_UNIT, INTENTS, SENTIMENTS, Prediction
from .routing import RoutingCalibration


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


def _binary(truth: Sequence[bool], predicted: Sequence[bool]) -> dict:
    """Precision, recall and counts of a yes/no detector."""
    tp = sum(1 for t, p in zip(truth, predicted) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted) if p and not t)
    fn = sum(1 for t, p in zip(truth, predicted) if t and not p)
    return {
        "n": len(truth),
        "positives": tp + fn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "tp": tp, "fp": fp, "fn": fn,
    }


# Who wrote each evaluation set: figures on text the project's authors wrote (labelled by them) say less about real
# citizens than figures on text nobody here wrote (Wisesight posts, Traffy Fondue reports). Every section of
# `fangsiang evaluate` carries its origin.
WRITTEN = "data the project wrote"
REAL = "real data nobody here wrote"
ORIGIN: dict[str, str] = {
    "sentiment": REAL,  # Wisesight held-out posts
    "sentiment_baseline": REAL,
    "traffy_intent": REAL,
    "traffy_dissatisfaction": REAL,
    "traffy_routing": REAL,
    "traffy_names": REAL,  # real Traffy reports; the names in them were marked here
    "sentiment_domain": WRITTEN,  # intents/test.jsonl
    "intent": WRITTEN,
    "intent_reports": WRITTEN,  # test_reports.jsonl: real-style, but written here
    "unit": WRITTEN,
    "dissatisfaction": WRITTEN,
    "priority": WRITTEN,
    "variants": WRITTEN,  # privacy/variants.txt
}


def origin_tag(key: str) -> str:
    """"[real data nobody here wrote]" or "[data the project wrote]" for a report section."""
    return f"[{ORIGIN[key]}]" if key in ORIGIN else ""


SARCASM_CUES = ("ขอบคุณ", "ขอบพระคุณ", "ชื่นชม", "ชม", "เก่ง", "สุดยอด", "เยี่ยม", "ประทับใจ", "ปรบมือ", "thank")


def intent_summary(rows: Sequence[dict], preds: Sequence[Prediction], split: str) -> dict:
    """Intent report plus complaint recall and accuracy on the other intents."""
    report = head_report([r["intent"] for r in rows], [p.intent for p in preds], INTENTS)
    report["split"] = split
    others = [(r, p) for r, p in zip(rows, preds) if r["intent"] != "complaint"]
    report["complaint_recall"] = report["per_class"]["complaint"]["recall"] if rows else None
    report["other_intents_accuracy"] = (
        sum(r["intent"] == p.intent for r, p in others) / len(others) if others else None
    )
    return report


def dissatisfaction_report(rows: Sequence[dict], preds: Sequence[Prediction]) -> dict:
    """Does sentiment 'neg' find the dissatisfied citizens (complaints), sarcastic thanks included?"""
    truth = [r["intent"] == "complaint" for r in rows]
    report = _binary(truth, [p.sentiment == "neg" for p in preds])
    sarcastic = [(r, p) for r, p in zip(rows, preds)
                 if r["intent"] == "complaint" and any(cue in r["text"].lower() for cue in SARCASM_CUES)]
    report["sarcastic_thanks_n"] = len(sarcastic)
    report["sarcastic_thanks_recall"] = (
        sum(p.sentiment == "neg" for _, p in sarcastic) / len(sarcastic) if sarcastic else None
    )
    report["split"] = "test_reports.jsonl: dissatisfied = labelled complaint, detected = sentiment neg"
    return report


def priority_report(rows: Sequence[dict], preds: Sequence[Prediction]) -> dict:
    """Precision/recall of priority 'urgent' on the urgency test set, with the misses listed."""
    report = _binary([r["priority"] == "urgent" for r in rows], [p.priority == "urgent" for p in preds])
    report["missed"] = [r["text"] for r, p in zip(rows, preds) if r["priority"] == "urgent" and p.priority != "urgent"]
    report["false_alarms"] = [
        r["text"] for r, p in zip(rows, preds) if r["priority"] != "urgent" and p.priority == "urgent"
    ]
    report["split"] = "classifier/data/urgency/test.jsonl"
    return report


def plain_sentiment_baseline(train_rows: Sequence[dict]) -> "Callable[[Sequence[str]], list[str]]":
    """A plain TF-IDF (newmm word 1-2-grams) + logistic regression fitted on Wisesight rows, in this run: the
    baseline the shipped sentiment must beat. Returns a function labelling texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from .features import prepare, word_ngrams

    vectorizer = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, min_df=2)
    X = vectorizer.fit_transform(prepare([r["text"] for r in train_rows]).tokens)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(X, [r["label"] for r in train_rows])
    return lambda texts: [str(c) for c in model.predict(vectorizer.transform(prepare(list(texts)).tokens))]


def evaluate(model_dir: Path, *, classifier: Classifier | None = None, baselines: bool = True) -> dict:
    """Per-head evaluation report for the model in model_dir on data training never saw.

    Every figure comes from `classify_many`, the path `fangsiang classify`, the worker and imports ship; with
    baselines, a plain TF-IDF + LR is retrained on the same Wisesight training part and measured beside it.
    """
    clf = classifier or Classifier.load(Path(model_dir))
    ws_train, held_out = data.wisesight_split()
    report: dict = {"model_version": clf.version, "embeddings": clf.uses_embeddings, "origins": dict(ORIGIN)}
    labels = [r["label"] for r in held_out]
    ws_preds = clf.classify_many([r["text"] for r in held_out])
    report["sentiment"] = head_report(labels, [p.sentiment for p in ws_preds], SENTIMENTS)
    report["sentiment"]["split"] = "wisesight held-out (15%, stratified, fixed seed), as `fangsiang classify` answers"
    report["sentiment"]["head_alone_accuracy"] = float(accuracy_score(labels, clf.sentiment_labels(
        [r["text"] for r in held_out])))
    traffy_train, traffy_held = data.traffy_split()
    traffy_preds = clf.classify_many([r["text"] for r in traffy_held])
    if baselines:
        plain = plain_sentiment_baseline(ws_train)
        base = head_report(labels, plain([r["text"] for r in held_out]), SENTIMENTS)
        report["sentiment_baseline"] = {
            "split": "plain TF-IDF (newmm word 1-2-grams) + LR, fitted in this run on the same Wisesight training part",
            "accuracy": base["accuracy"], "macro_f1": base["macro_f1"],
            "traffy_dissatisfied_recall": (sum(lab == "neg" for lab in plain([r["text"] for r in traffy_held]))
                                           / len(traffy_held)) if traffy_held else None,
        }
    report["traffy_intent"] = intent_summary(
        traffy_held, traffy_preds,
        f"classifier/data/traffy/reports.jsonl held-out 30% ({len(traffy_held)} real reports; "
        f"{len(traffy_train)} others trained on)")
    report["traffy_dissatisfaction"] = {
        "split": "Traffy held-out reports (every filed complaint is dissatisfied): share answered sentiment neg",
        "n": len(traffy_held),
        "recall": (sum(p.sentiment == "neg" for p in traffy_preds) / len(traffy_held)) if traffy_held else None,
        "missed": [r["text"][:120] for r, p in zip(traffy_held, traffy_preds) if p.sentiment != "neg"][:10],
    }
    from .traffy import routing_report

    report["masking"] = masking_report()

    report["traffy_routing"] = routing_report(target_precisions=tuple(sorted({0.90, 0.92, 0.93, clf.target_precision})))
    report["traffy_missed_complaints"] = [
        {"text": r["text"][:160], "intent": p.intent, "confidence": round(p.intent_confidence, 3)}
        for r, p in zip(traffy_held, traffy_preds) if r["intent"] == "complaint" and p.intent != "complaint"]

    test = data.intent_test_rows()
    preds = clf.classify_many([r["text"] for r in test])
    domain = [(data.DOMAIN_SENTIMENT[r["intent"]], p.sentiment) for r, p in zip(test, preds)
              if r["intent"] in data.DOMAIN_SENTIMENT]
    report["sentiment_domain"] = head_report([t for t, _ in domain], [p for _, p in domain], SENTIMENTS)
    report["sentiment_domain"]["split"] = (
        "sentiment on citizens' messages (intents/test.jsonl, weak labels from intent; 'other' left out)"
    )
    report["intent"] = intent_summary(test, preds, "classifier/data/intents/test.jsonl")
    reports_test = data.intent_test_rows(data.REPORTS_TEST_FILE)
    report_preds = clf.classify_many([r["text"] for r in reports_test])
    report["intent_reports"] = intent_summary(
        reports_test, report_preds, "classifier/data/intents/test_reports.jsonl (real-style citizen reports)"
    )
    report["dissatisfaction"] = dissatisfaction_report(reports_test, report_preds)
    urgency_rows = data.urgency_test_rows()
    report["priority"] = priority_report(urgency_rows, clf.classify_many([r["text"] for r in urgency_rows]))

    unit_rows = [(r, p) for r, p in zip(list(test) + list(reports_test), list(preds) + list(report_preds))
                 if r.get("unit")]
    unit_labels = sorted({r["unit"] for r, _ in unit_rows} | set(clf.units) | {clf.triage_unit})
    report["unit"] = head_report([r["unit"] for r, _ in unit_rows], [p.unit for _, p in unit_rows], unit_labels)
    report["unit"]["split"] = "test.jsonl + test_reports.jsonl rows with a unit (triage counts as wrong)"
    report["unit"]["routing_threshold"] = clf.routing_threshold
    report["unit"]["triage_rate"] = (
        sum(p.unit == clf.triage_unit for _, p in unit_rows) / len(unit_rows) if unit_rows else None
    )
    routed = [(r, p) for r, p in unit_rows if p.unit != clf.triage_unit]
    report["unit"]["accuracy_when_routed"] = (
        sum(r["unit"] == p.unit for r, p in routed) / len(routed) if routed else None
    )
    report["unit"]["top1_accuracy"] = (
        sum(bool(p.unit_candidates) and p.unit_candidates[0][0] == r["unit"] for r, p in unit_rows) / len(unit_rows)
        if unit_rows else None
    )
    report["unit"]["top3_accuracy"] = (
        sum(r["unit"] in [u for u, _ in p.unit_candidates] for r, p in unit_rows) / len(unit_rows)
        if unit_rows else None
    )
    return report


def evaluate_router_csv(
    path: Path,
    *,
    text_column: str = "text",
    label_column: str = "unit",
    target_precision: float = DEFAULT_TARGET_PRECISION,
    folds: int = 5,
    seed: int = 0,
    model_dir: Path | None = None,
    triage_unit: str = DEFAULT_TRIAGE_UNIT,
) -> dict:
    """Routing quality on an agency's labelled CSV: top-1/top-3 accuracy and the coverage–precision curve.

    Without model_dir: k-fold cross-validation of a router trained on the CSV itself (what `train --router-csv`
    would give, measured on reports it did not see). With model_dir: the trained model's router on the CSV as
    held-out data (use a CSV that model was not trained on). The calibrated threshold is the one for
    target_precision; rows labelled with the triage unit are left out.
    """
    from .features import FeatureSpace, prepare
    from .training import fit_router

    pairs = [(t, u) for t, u in data.read_router_csv(Path(path), text_column, label_column) if u != triage_unit]
    if len(pairs) < 2:
        raise ValueError(f"CSV {path} has fewer than 2 labelled rows")
    texts, labels = [t for t, _ in pairs], [u for _, u in pairs]
    if model_dir is not None:
        clf = Classifier.load(Path(model_dir))
        if clf.bundle.router_head is None:
            raise ValueError(f"model in {model_dir} has no router")
        prepared = prepare(texts, clf.tokenizer)
        proba = clf.bundle.router_head.proba(clf.bundle.space.transform(prepared))
        classes = list(clf.bundle.router_head.classes)
        method = f"held-out evaluation of model {clf.version}"
        calibration = RoutingCalibration.from_oof(proba, classes, [data.split_units(u) for u in labels])
    else:
        X = FeatureSpace().fit_transform(prepare(texts))
        _, fitted = fit_router(X, labels, seed=seed, folds=folds)
        if fitted is None:
            raise ValueError("every unit needs at least 2 labelled rows for cross-validation")
        calibration = fitted
        method = f"{folds}-fold cross-validation on the CSV"
    report = calibration.summary(target_precision)
    units = {u for label in labels for u in data.split_units(label)}
    report.update({"csv": str(path), "method": method, "units": len(units),
                   "at_precision_0.93": calibration.at_threshold(calibration.threshold(0.93))})
    return report


def format_router_report(report: dict) -> str:
    """Human-readable router evaluation (evaluate_router_csv)."""
    cal = report["calibrated"]
    lines = [
        f"router on {report['csv']} — {report['method']}",
        f"reports {report['n']}   units {report['units']}",
        f"top-1 accuracy {_fmt(report['top1_accuracy'])}   top-3 accuracy {_fmt(report['top3_accuracy'])}",
        f"target precision {report['target_precision']:.2f}: threshold {cal['threshold']:.4f}, "
        f"routed automatically {cal['coverage']:.1%}, to triage {cal['triage_rate']:.1%}, "
        f"precision of routed {_fmt(cal['precision'])}",
        "coverage  threshold  precision",
    ]
    for row in report["curve"]:
        lines.append(f"{row['coverage']:8.0%}  {row['threshold']:9.4f}  {row['precision']:9.4f}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    """Format a metric."""
    return "n/a" if value is None else f"{value:.4f}"


def format_report(report: dict) -> str:
    """Human-readable tables for an evaluate() report."""
    lines = [f"model {report.get('model_version', '?')}",
             f"each section says whose text it measures: [{REAL}] (Wisesight posts, Traffy Fondue reports) or "
             f"[{WRITTEN}] (classifier/data/intents, urgency, privacy)"]
    for head in ("sentiment", "sentiment_domain", "intent", "intent_reports", "traffy_intent", "unit"):
        rep = report.get(head)
        if not rep:
            continue
        lines.append("")
        lines.append(f"== {head} {origin_tag(head)} — {rep.get('split', '')} — n={rep['n']}")
        lines.append(f"accuracy {_fmt(rep['accuracy'])}   macro-F1 {_fmt(rep['macro_f1'])}")
        if head.startswith("intent"):
            lines.append(f"complaint recall {_fmt(rep.get('complaint_recall'))}   "
                         f"accuracy on the other intents {_fmt(rep.get('other_intents_accuracy'))}")
        if head == "unit":
            lines.append(f"top-1 {_fmt(rep.get('top1_accuracy'))}   top-3 {_fmt(rep.get('top3_accuracy'))}   "
                         f"routing threshold {_fmt(rep.get('routing_threshold'))}")
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
    lines.extend(_real_data_lines(report))
    for key, title in (("dissatisfaction", "dissatisfaction (sentiment neg)"), ("priority", "priority urgent")):
        rep = report.get(key)
        if rep:
            lines.append("")
            lines.append(f"== {title} {origin_tag(key)} — {rep.get('split', '')} — n={rep['n']}, "
                         f"positives {rep['positives']}")
            lines.append(f"precision {_fmt(rep['precision'])}   recall {_fmt(rep['recall'])}")
            if key == "dissatisfaction":
                lines.append(f"sarcastic thanks recall {_fmt(rep.get('sarcastic_thanks_recall'))} "
                             f"(n={rep.get('sarcastic_thanks_n')})")
    return "\n".join(lines)


def _real_data_lines(report: dict) -> list[str]:
    """The figures on real citizen language: sentiment against the plain baseline, Traffy reports, routing."""
    lines: list[str] = []
    sent, base = report.get("sentiment"), report.get("sentiment_baseline")
    if sent and base:
        lines += ["", f"== sentiment against a plain baseline {origin_tag('sentiment')} (Wisesight held-out, same split)",
                  f"shipped (`classify`): accuracy {_fmt(sent['accuracy'])}   macro-F1 {_fmt(sent['macro_f1'])}   "
                  f"(sentiment head alone {_fmt(sent.get('head_alone_accuracy'))})",
                  f"{base['split']}: accuracy {_fmt(base['accuracy'])}   macro-F1 {_fmt(base['macro_f1'])}"]
    dis = report.get("traffy_dissatisfaction")
    if dis:
        lines += ["", f"== dissatisfaction on real reports {origin_tag('traffy_dissatisfaction')} — {dis['split']} — "
                  f"n={dis['n']}",
                  f"shipped: recall {_fmt(dis['recall'])}"
                  + (f"   plain baseline: {_fmt(base['traffy_dissatisfied_recall'])}" if base else "")]
    missed = report.get("traffy_missed_complaints")
    if missed is not None:
        lines.append(f"complaints missed on the Traffy held-out part: {len(missed)}")
        lines += [f"  {m['intent']} {m['confidence']:.3f}  {m['text'][:100]!r}" for m in missed[:10]]
    routing = report.get("traffy_routing")
    if routing:
        from .traffy import format_routing_report

        lines += ["", format_routing_report(routing)]
    if report.get("masking"):
        lines += format_masking_report(report["masking"])
    return lines


PRIVACY_VARIANTS_FILE = data.DATA_DIR / "privacy" / "variants.txt"
TRAFFY_NAMES_FILE = data.DATA_DIR / "traffy" / "names.jsonl"
_MARKUP_RE = __import__("re").compile(r"\{(\w+):([^{}]+)\}|\[\[([^\[\]]+)\]\]")


def read_marked_up(path: Path) -> list[dict]:
    """Messages written with {kind:value} (must be masked) and [[value]] (must stay) marks, '#' lines skipped:
    [{"text", "pii": [{start, end, kind, value}], "keep": [{start, end, value}]}]."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, pii, keep, last = "", [], [], 0
        for m in _MARKUP_RE.finditer(line):
            text += line[last : m.start()]
            value = m.group(2) if m.group(1) else m.group(3)
            span = {"start": len(text), "end": len(text) + len(value), "value": value}
            (pii if m.group(1) else keep).append({**span, "kind": m.group(1)} if m.group(1) else span)
            text += value
            last = m.end()
        rows.append({"text": text + line[last:], "pii": pii, "keep": keep})
    return rows


def masking_recall(rows: Sequence[dict]) -> dict:
    """Share of personal-data spans fully masked (per kind) and of spans to keep left untouched."""
    from .privacy import find_personal_data

    per_kind: dict[str, list[int]] = {}
    keep = kept = 0
    missed = []
    for row in rows:
        covered = {i for s, e, _ in find_personal_data(row["text"]) for i in range(s, e)}
        for span in row["pii"]:
            hit = all(i in covered for i in range(span["start"], span["end"]))
            counts = per_kind.setdefault(span["kind"], [0, 0])
            counts[0] += 1
            counts[1] += hit
            if not hit:
                missed.append(f"{span['kind']}: {span['value']} in {row['text'][:80]!r}")
        keep += len(row["keep"])
        kept += sum(not any(i in covered for i in range(k["start"], k["end"])) for k in row["keep"])
    total = sum(c[0] for c in per_kind.values())
    return {
        "n_messages": len(rows), "n_spans": total,
        "recall": sum(c[1] for c in per_kind.values()) / total if total else None,
        "per_kind": {k: {"n": c[0], "recall": c[1] / c[0]} for k, c in sorted(per_kind.items())},
        "kept": kept, "keep": keep, "missed": missed,
    }


def masking_report() -> dict:
    """Masking recall on the written variants (issue 21) and on the names annotated in the Traffy reports."""
    report = {"variants": masking_recall(read_marked_up(PRIVACY_VARIANTS_FILE))}
    report["variants"]["split"] = str(PRIVACY_VARIANTS_FILE.relative_to(data.DATA_DIR.parent.parent))
    if TRAFFY_NAMES_FILE.exists():
        report["traffy_names"] = masking_recall(data.read_jsonl(TRAFFY_NAMES_FILE))
        report["traffy_names"]["split"] = str(TRAFFY_NAMES_FILE.relative_to(data.DATA_DIR.parent.parent))
    return report


def format_masking_report(report: dict) -> list[str]:
    """Human-readable lines for masking_report()."""
    lines = []
    for key, title in (("variants", "masking, written variants"), ("traffy_names", "masking, names in Traffy reports")):
        rep = report.get(key)
        if not rep:
            continue
        kinds = "   ".join(f"{k} {v['recall']:.3f} (n={v['n']})" for k, v in rep["per_kind"].items())
        lines += ["", f"== {title} {origin_tag(key)} — {rep['split']} — {rep['n_messages']} messages, "
                  f"{rep['n_spans']} spans",
                  f"recall {_fmt(rep['recall'])}   kept untouched {rep['kept']}/{rep['keep']}", kinds]
        lines += [f"  missed {m}" for m in rep["missed"][:10]]
    return lines
