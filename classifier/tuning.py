"""Choose DOMAIN_SENTIMENT_WEIGHT on validation slices of the training parts only (never held-out/test data).

`python -m classifier.tuning [--compare-plain]`: the Wisesight *training* rows are split 85/15 and the weakly labelled intent
*training* rows 80/20 (stratified, seeded); for each weight the sentiment heads are fitted on the fit parts and
scored on both validation slices. The chosen weight maximises domain validation macro-F1 among weights whose
Wisesight validation accuracy is within WISESIGHT_TOLERANCE of the Wisesight-only fit (weight 0).
"""

from __future__ import annotations

import json

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from . import data
from .features import FeatureSpace, Prepared, prepare
from .text import default_engine
from .training import SENTIMENT_C, _softmax_head

WEIGHT_GRID = (0.0, 0.25, 0.5, 1.0)
WISESIGHT_TOLERANCE = 0.003  # stricter than the 0.005 budget on the real held-out split


def tune(seed: int = 0) -> dict:
    """Validation scores per weight and the chosen weight."""
    ws_rows, _ = data.wisesight_split()  # training part only
    ws_fit, ws_val = train_test_split(ws_rows, test_size=0.15, stratify=[r["label"] for r in ws_rows],
                                      random_state=seed)
    dom = data.domain_sentiment_rows(data.intent_train_rows())
    dom_fit, dom_val = train_test_split(dom, test_size=0.2, stratify=[r["label"] for r in dom], random_state=seed)
    engine = default_engine()
    fit_rows = ws_fit + dom_fit
    prep_fit = prepare([r["text"] for r in fit_rows], engine)
    space = FeatureSpace().fit(Prepared(prep_fit.norms, prep_fit.tokens))
    X_fit = space.transform(prep_fit)
    X_ws_val = space.transform(prepare([r["text"] for r in ws_val], engine))
    X_dom_val = space.transform(prepare([r["text"] for r in dom_val], engine))
    y_fit = np.asarray([r["label"] for r in fit_rows])
    n_ws = len(ws_fit)
    results = {}
    for w in WEIGHT_GRID:
        keep = np.arange(len(fit_rows)) if w > 0 else np.arange(n_ws)
        weight = np.where(np.arange(len(fit_rows)) < n_ws, 1.0, w)[keep]
        head = _softmax_head(X_fit[keep], list(y_fit[keep]), SENTIMENT_C, sample_weight=weight)
        classes = head.classes
        pred_ws = [classes[i] for i in head.proba(X_ws_val).argmax(axis=1)]
        pred_dom = [classes[i] for i in head.proba(X_dom_val).argmax(axis=1)]
        y_dom = [r["label"] for r in dom_val]
        results[w] = {
            "wisesight_val_accuracy": round(float(accuracy_score([r["label"] for r in ws_val], pred_ws)), 4),
            "domain_val_accuracy": round(float(accuracy_score(y_dom, pred_dom)), 4),
            "domain_val_macro_f1": round(float(f1_score(y_dom, pred_dom, average="macro")), 4),
        }
        print(w, results[w], flush=True)
    base = results[0.0]["wisesight_val_accuracy"]
    ok = [w for w in WEIGHT_GRID if w > 0 and results[w]["wisesight_val_accuracy"] >= base - WISESIGHT_TOLERANCE]
    chosen = max(ok, key=lambda w: results[w]["domain_val_macro_f1"]) if ok else 0.0
    return {"results": results, "chosen": chosen}




def compare_with_plain(seed: int = 0) -> dict:
    """Wisesight held-out accuracy/macro-F1 of the shipped sentiment recipe against a plain TF-IDF + LR on
    Wisesight alone, trained in the same run (issue 12: the model must earn its place against the plain one)."""
    ws_rows, held_out = data.wisesight_split()
    dom = data.domain_sentiment_rows(data.intent_train_rows())
    engine = default_engine()
    prep = prepare([r["text"] for r in ws_rows + dom], engine)
    space = FeatureSpace()
    X = space.fit_transform(prep)
    X_held = space.transform(prepare([r["text"] for r in held_out], engine))
    y = np.asarray([r["label"] for r in ws_rows + dom])
    y_held = [r["label"] for r in held_out]
    n_ws = len(ws_rows)
    out = {}
    for name, keep, weight in (
        ("plain TF-IDF + LR, Wisesight only", np.arange(n_ws), None),
        ("shipped: + citizen rows at weight 0.5", np.arange(len(y)),
         np.where(np.arange(len(y)) < n_ws, 1.0, 0.5)),
    ):
        head = _softmax_head(X[keep], list(y[keep]), SENTIMENT_C, sample_weight=weight)
        pred = [head.classes[i] for i in head.proba(X_held).argmax(axis=1)]
        out[name] = {"accuracy": round(float(accuracy_score(y_held, pred)), 4),
                     "macro_f1": round(float(f1_score(y_held, pred, average="macro")), 4)}
        print(name, out[name], flush=True)
    return out


if __name__ == "__main__":
    import sys

    print(json.dumps(compare_with_plain() if "--compare-plain" in sys.argv else tune(), indent=2))
