"""Build every model (sentiment, intent, unit router) from bundled data, deterministically."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Iterable, Sequence

import joblib
from joblib import Parallel, delayed
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from . import data
from .features import FeatureSpace, Prepared, prepare
from .model import (
    METADATA_FILE,
    MODEL_FILE,
    MODEL_FORMAT,
    LinearHead,
    ModelBundle,
    intent_inputs,
    sentiment_proba,
)
from .prediction import INTENTS
from .text import default_engine

CODE_VERSION = "4"  # bump when training code changes what a model predicts
SENTIMENT_C = 1.0
NB_C = 4.0
INTENT_C = 10.0
ROUTER_C = 10.0
INTENT_EXTRA_SCALE = 1.0
COMPLAINT_RECALL_TARGET = 0.95
COMPLAINT_BIAS_GRID = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
# Sample weight of the weakly labelled citizen messages (data.DOMAIN_SENTIMENT) in the sentiment training set,
# relative to 1.0 for a Wisesight row. Chosen with `python -m classifier.tuning` on validation slices of the
# training parts only (see README).
DOMAIN_SENTIMENT_WEIGHT = 0.5
# The intent head takes sentiment probabilities as features. Its training rows are now also sentiment training
# rows, so their in-sample probabilities would leak the label; they come from this many cross-fitted sentiment
# models, each trained without the fold it predicts.
SENTIMENT_OOF_FOLDS = 3


def _subset(prepared: Prepared, idx: Sequence[int]) -> Prepared:
    """Rows idx of a Prepared."""
    return Prepared([prepared.norms[i] for i in idx], [prepared.tokens[i] for i in idx])


def _softmax_head(
    X: sp.csr_matrix, y: Sequence[str], C: float, *, balanced: bool = False, sample_weight: np.ndarray | None = None
) -> LinearHead:
    """Fit a multinomial logistic regression and keep only its arrays.

    Columns that are zero for every training row get zero weight under L2 anyway, so the fit runs on the used
    columns only (same solution, far faster for the small intent/router sets) and the weights are scattered back.
    """
    used = np.unique(X.indices)
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(X[:, used], list(y), sample_weight=sample_weight)
    classes = tuple(str(c) for c in model.classes_)
    if len(classes) == 2:  # sklearn stores one row for binary problems
        coef = np.vstack([-model.coef_[0], model.coef_[0]]) / 2.0
        intercept = np.array([-model.intercept_[0], model.intercept_[0]]) / 2.0
    else:
        coef, intercept = model.coef_, model.intercept_
    full = np.zeros((X.shape[1], len(classes)), dtype=np.float32)
    full[used] = coef.T
    return LinearHead(classes, full, intercept.astype(np.float32))


def _single_class_head(label: str, n_features: int) -> LinearHead:
    """A head that always answers the one label it was trained on."""
    return LinearHead((label,), np.zeros((n_features, 1), np.float32), np.zeros(1, np.float32))


def _fit_head(X: sp.csr_matrix, y: Sequence[str], C: float, *, balanced: bool = False) -> LinearHead:
    """Softmax head, or a constant head when y has a single class."""
    if len(set(y)) < 2:
        return _single_class_head(y[0], X.shape[1])
    return _softmax_head(X, y, C, balanced=balanced)


def _nb_member(
    X: sp.csr_matrix, pos: np.ndarray, C: float, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """One NB-LR binary member (Wang & Manning): LR on log-count-ratio-scaled features, folded back to X space.

    With sample weights, the count ratios are weighted sums too.
    """
    w = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    Xw = sp.diags(w) @ X
    p = np.asarray(Xw[pos].sum(axis=0)).ravel() + 1.0
    q = np.asarray(Xw[~pos].sum(axis=0)).ravel() + 1.0
    r = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
    model = LogisticRegression(C=C, max_iter=3000)
    model.fit(X.multiply(r).tocsr(), pos, sample_weight=sample_weight)
    return (model.coef_[0] * r).astype(np.float32), float(model.intercept_[0])


def _nb_head(classes: tuple[str, ...], members: Sequence[tuple[np.ndarray, float]]) -> LinearHead:
    """Assemble one-vs-rest NB-LR members into a single head."""
    coef = np.ascontiguousarray(np.vstack([m[0] for m in members]).T, dtype=np.float32)
    return LinearHead(classes, coef, np.asarray([m[1] for m in members], np.float32), kind="ovr")


def _sentiment_jobs(X: sp.csr_matrix, y: Sequence[str], sample_weight: np.ndarray | None) -> list:
    """Delayed fits for one sentiment ensemble: the softmax head, then one NB-LR member per class."""
    y_arr = np.asarray(y)
    classes = sorted(set(y_arr.tolist()))  # same order as the softmax head's classes
    jobs = [delayed(_softmax_head)(X, list(y), SENTIMENT_C, sample_weight=sample_weight)]
    return jobs + [delayed(_nb_member)(X, y_arr == label, NB_C, sample_weight) for label in classes]


def _assemble_sentiment(results: Sequence) -> list[LinearHead]:
    """Sentiment ensemble from the results of _sentiment_jobs."""
    return [results[0], _nb_head(results[0].classes, results[1:])]


def _sentiment_heads(
    X: sp.csr_matrix, y: Sequence[str], n_jobs: int, sample_weight: np.ndarray | None = None
) -> list[LinearHead]:
    """Multinomial LR and NB-LR one-vs-rest, fitted in parallel processes."""
    return _assemble_sentiment(Parallel(n_jobs=n_jobs)(_sentiment_jobs(X, y, sample_weight)))


def _cv_folds(y: Sequence[str], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds for tuning the complaint bias (empty when classes are too small)."""
    y_arr = np.asarray(y)
    counts = {c: int((y_arr == c).sum()) for c in set(y_arr)}
    if "complaint" not in counts or len(counts) < 2 or min(counts.values()) < 3:
        return []
    folds = StratifiedKFold(n_splits=min(5, min(counts.values())), shuffle=True, random_state=seed)
    return list(folds.split(np.zeros(len(y_arr)), y_arr))


def _complaint_bias(y: Sequence[str], folds: Sequence[tuple[np.ndarray, np.ndarray]], fold_heads: Sequence[LinearHead],
                    X: sp.csr_matrix) -> float:
    """Smallest complaint-probability multiplier giving out-of-fold complaint recall >= target on training data."""
    if not folds:
        return 1.0
    y_arr = np.asarray(y)
    classes = fold_heads[0].classes
    oof = np.zeros((len(y_arr), len(classes)))
    for (_fit_idx, val_idx), head in zip(folds, fold_heads):
        oof[val_idx] = head.proba(X[val_idx])[:, [head.classes.index(c) for c in classes]]
    c_idx = classes.index("complaint")
    is_complaint = y_arr == "complaint"
    for bias in COMPLAINT_BIAS_GRID:
        p = oof.copy()
        p[:, c_idx] *= bias
        recall = float((p.argmax(axis=1)[is_complaint] == c_idx).mean())
        if recall >= COMPLAINT_RECALL_TARGET:
            return bias
    return COMPLAINT_BIAS_GRID[-1]


def _version(fingerprint: dict) -> str:
    """Deterministic model version from data hashes, seed and parameters."""
    blob = json.dumps(fingerprint, sort_keys=True, ensure_ascii=False).encode()
    return "fs-" + hashlib.sha256(blob).hexdigest()[:12]


def _clean_extra(extra_examples: Iterable[dict]) -> list[dict]:
    """Officers' corrections with usable text (intent/unit may be None)."""
    cleaned = []
    for ex in extra_examples:
        text = ex.get("text") if isinstance(ex, dict) else None
        if isinstance(text, str) and text.strip():
            cleaned.append({"text": text, "intent": ex.get("intent"), "unit": ex.get("unit")})
    return cleaned


def train(
    model_dir: Path,
    *,
    extra_examples: Iterable[dict] = (),
    router_csv: Path | None = None,
    text_column: str = "text",
    label_column: str = "unit",
    seed: int = 0,
    max_sentiment_examples: int | None = None,
    triage_unit: str = "triage",
    n_jobs: int = 2,
) -> dict:
    """Train sentiment, intent and router heads into model_dir; return a small report dict.

    triage_unit is never learnt as a routing label (it is where low-confidence routing goes).
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(seed)

    sent_rows, _held_out = data.wisesight_split()
    if max_sentiment_examples is not None and max_sentiment_examples < len(sent_rows):
        keep = np.sort(rng.choice(len(sent_rows), size=max_sentiment_examples, replace=False))
        sent_rows = [sent_rows[i] for i in keep]
    intent_rows = data.intent_train_rows()
    n_bundled = len(intent_rows)
    extra = _clean_extra(extra_examples)
    intent_rows = intent_rows + [e for e in extra if e["intent"] in INTENTS]
    if router_csv is not None:
        router_pairs = data.read_router_csv(Path(router_csv), text_column, label_column)
        router_source = f"csv:{Path(router_csv).name}"
    else:
        router_pairs = [(r["text"], r["unit"]) for r in data.intent_train_rows() if r.get("unit")]
        router_source = "bundled"
    router_pairs += [(e["text"], str(e["unit"])) for e in extra if e.get("unit")]
    router_pairs = [(text, unit) for text, unit in router_pairs if unit != triage_unit]
    if not intent_rows:
        raise ValueError("no intent training data found in classifier/data/intents/train_*.jsonl")
    if not router_pairs:
        raise ValueError("no unit-labelled training examples for the router")
    timings["load_s"] = time.perf_counter() - started

    t = time.perf_counter()
    engine = default_engine()
    sent_prep = prepare([r["text"] for r in sent_rows], engine)
    intent_prep = prepare([r["text"] for r in intent_rows], engine)
    router_prep = prepare([p[0] for p in router_pairs], engine)
    all_prep = Prepared(
        sent_prep.norms + intent_prep.norms + router_prep.norms,
        sent_prep.tokens + intent_prep.tokens + router_prep.tokens,
    )
    space = FeatureSpace().fit(all_prep)
    X_all = space.transform(all_prep)
    n_s, n_i = len(sent_rows), len(intent_rows)
    X_sent, X_int, X_router = X_all[:n_s], X_all[n_s : n_s + n_i], X_all[n_s + n_i :]
    timings["features_s"] = time.perf_counter() - t

    t = time.perf_counter()
    # Domain adaptation: the bundled intent rows (not officers' corrections) with weak sentiment labels.
    domain_idx = [i for i in range(n_bundled) if intent_rows[i]["intent"] in data.DOMAIN_SENTIMENT]
    y_sent = np.asarray(
        [r["label"] for r in sent_rows] + [data.DOMAIN_SENTIMENT[intent_rows[i]["intent"]] for i in domain_idx]
    )
    X_sent_fit = sp.vstack([X_sent, X_int[domain_idx]], format="csr")
    sent_weight = np.concatenate([np.ones(n_s), np.full(len(domain_idx), DOMAIN_SENTIMENT_WEIGHT)])
    # Cross-fitting: every intent row gets a fold; fold model k is trained without the domain rows of fold k.
    intent_fold = np.random.RandomState(seed).permutation(n_i) % SENTIMENT_OOF_FOLDS
    domain_fold = intent_fold[domain_idx]
    keeps = [np.arange(len(y_sent))] + [
        np.concatenate([np.arange(n_s), n_s + np.flatnonzero(domain_fold != k)]) for k in range(SENTIMENT_OOF_FOLDS)
    ]
    jobs = [_sentiment_jobs(X_sent_fit[keep], y_sent[keep], sent_weight[keep]) for keep in keeps]
    results = Parallel(n_jobs=n_jobs)([job for group in jobs for job in group])
    sizes = np.cumsum([0] + [len(group) for group in jobs])
    ensembles = [_assemble_sentiment(results[a:b]) for a, b in zip(sizes[:-1], sizes[1:])]
    sentiment_heads = ensembles[0]
    timings["sentiment_s"] = time.perf_counter() - t

    t = time.perf_counter()
    sent_int = np.zeros((n_i, len(sentiment_heads[0].classes)))
    for k, heads in enumerate(ensembles[1:]):
        probe = ModelBundle(MODEL_FORMAT, "", space, heads, _single_class_head("other", 1), 1.0, 1.0, None)
        rows = np.flatnonzero(intent_fold == k)
        sent_int[rows] = sentiment_proba(probe, X_int[rows])
    X_intent = intent_inputs(INTENT_EXTRA_SCALE, X_int, intent_prep.norms, sent_int)
    y_intent = [r["intent"] for r in intent_rows]
    y_router = [p[1] for p in router_pairs]
    folds = _cv_folds(y_intent, seed)
    y_intent_arr = np.asarray(y_intent)
    jobs = [
        delayed(_fit_head)(X_intent, y_intent, INTENT_C, balanced=True),
        delayed(_fit_head)(X_router, y_router, ROUTER_C, balanced=True),
    ]
    jobs += [delayed(_softmax_head)(X_intent[f], y_intent_arr[f], INTENT_C, balanced=True) for f, _ in folds]
    intent_head, router_head, *fold_heads = Parallel(n_jobs=n_jobs)(jobs)
    bias = _complaint_bias(y_intent, folds, fold_heads, X_intent)
    timings["intent_and_router_s"] = time.perf_counter() - t

    intent_files = data.intent_train_files()
    fingerprint = {
        "format": MODEL_FORMAT,
        "code": CODE_VERSION,
        "seed": seed,
        "wisesight_sha256": data.file_sha256([data.WISESIGHT_FILE]),
        "intents_sha256": data.file_sha256(intent_files),
        "router_source": router_source,
        "router_csv_sha256": data.file_sha256([Path(router_csv)]) if router_csv else None,
        "extra_sha256": hashlib.sha256(json.dumps(extra, ensure_ascii=False, sort_keys=True).encode()).hexdigest(),
        "max_sentiment_examples": max_sentiment_examples,
        "tokenizer": engine,
        "params": [SENTIMENT_C, NB_C, INTENT_C, ROUTER_C, INTENT_EXTRA_SCALE, COMPLAINT_RECALL_TARGET],
        "domain_sentiment": [data.DOMAIN_SENTIMENT, DOMAIN_SENTIMENT_WEIGHT, SENTIMENT_OOF_FOLDS],
    }
    version = _version(fingerprint)
    bundle = ModelBundle(
        MODEL_FORMAT, version, space, sentiment_heads, intent_head, INTENT_EXTRA_SCALE, bias, router_head, engine
    )
    _atomic_dump(bundle, model_dir / MODEL_FILE)
    timings["total_s"] = time.perf_counter() - started

    import pythainlp

    metadata = {
        "version": version,
        "trained_at_unix": int(time.time()),
        "fingerprint": fingerprint,
        "intent_files": [p.name for p in intent_files],
        "sizes": {
            "sentiment_examples": n_s,
            "domain_sentiment_examples": len(domain_idx),
            "intent_examples": n_i,
            "router_examples": len(router_pairs),
            "extra_examples": len(extra),
            "features": space.size,
            "model_bytes": (model_dir / MODEL_FILE).stat().st_size,
        },
        "labels": {
            "sentiment": list(sentiment_heads[0].classes),
            "intent": list(intent_head.classes),
            "unit": list(router_head.classes),
        },
        "complaint_bias": bias,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pythainlp": pythainlp.__version__,
            "nlpo3": _package_version("nlpo3"),
        },
    }
    (model_dir / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return {
        "version": version,
        "model_dir": str(model_dir),
        "seconds": round(timings["total_s"], 1),
        "sizes": metadata["sizes"],
        "units": list(router_head.classes),
        "router_source": router_source,
    }


def _package_version(name: str) -> str | None:
    """Installed version of a distribution, or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _atomic_dump(obj: object, path: Path) -> None:
    """Write a joblib file atomically so a concurrent load never sees half a model."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".model-", suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump(obj, tmp, compress=3)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
