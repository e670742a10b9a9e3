"""The trained classifier: loads model_dir/model.joblib and labels messages in batches."""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import joblib
import numpy as np
import scipy.sparse as sp

from . import embedding, urgency
from .features import FeatureSpace, Prepared, has_content, hstack_csr, has_language, prepare, rule_features
from .prediction import (
    DEFAULT_ROUTING_THRESHOLD,
    DEFAULT_TARGET_PRECISION,
    DEFAULT_TRIAGE_UNIT,
    INTENTS,
    MODEL_FILE,
    ModelMissing,
    Prediction,
)
from .routing import RoutingCalibration, top_candidates
from .text import default_engine, engine_available, mask_personal_data
from .topics import prepare_tokens, topics_from_tokens

METADATA_FILE = "metadata.json"
MODEL_FORMAT = 3
CHUNK = 2048  # rows per matrix product, bounds memory on huge batches
# Messages the word model is at least this sure of keep its intent, unembedded (the e5 head decides the others).
# A trained model carries its own value (ModelBundle.unsure_below, chosen out of fold at training); this is the
# value of models trained before that.
UNSURE_BELOW = 0.9
# A complaint makes the sentiment `neg` when the sentiment head gives `neg` at least this much (README "Sentiment").
NEG_WITH_COMPLAINT_AT = 0.25


@dataclass
class LinearHead:
    """A linear classifier stored as plain arrays: softmax (multinomial) or one-vs-rest sigmoid."""

    classes: tuple[str, ...]
    coef: np.ndarray  # (n_features, n_classes)
    intercept: np.ndarray  # (n_classes,)
    kind: str = "softmax"

    def decision(self, X: sp.csr_matrix | np.ndarray) -> np.ndarray:
        """Raw scores (n_samples, n_classes)."""
        return np.asarray(X @ self.coef) + self.intercept

    def proba(self, X: sp.csr_matrix | np.ndarray) -> np.ndarray:
        """Class probabilities, rows summing to one ("multilabel": each class's own probability, no sum)."""
        z = self.decision(X)
        if self.kind == "multilabel":
            return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        if self.kind == "ovr":
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        else:
            p = np.exp(z - z.max(axis=1, keepdims=True))
        return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)


@dataclass
class ModelBundle:
    """Everything `train` fits, saved as one pickle file (MODEL_FILE: joblib wrote it before; both are read)."""

    format: int
    version: str
    space: FeatureSpace
    sentiment_head: LinearHead
    intent_head: LinearHead  # TF-IDF + keyword rules: used when no embedding is available
    complaint_bias: float
    intent_head_embedding: LinearHead | None  # TF-IDF + keyword rules + e5 vector
    complaint_bias_embedding: float
    embedding_scale: float
    router_head: LinearHead | None
    routing_calibration: RoutingCalibration | None
    tokenizer: str = "newmm"
    unsure_below: float = UNSURE_BELOW  # word-model probability below which a message is embedded (e5 head)
    unsure_below_other: float | None = None  # the same where the word model says `other` (None: unsure_below)


def intent_inputs(
    X: sp.csr_matrix, norms: Sequence[str], vectors: np.ndarray | None = None, scale: float = 1.0
) -> sp.csr_matrix:
    """Intent features: shared TF-IDF, keyword-rule scores and (when given) the scaled sentence embeddings."""
    parts = [X, sp.csr_matrix(rule_features(norms))]
    if vectors is not None:
        parts.append(sp.csr_matrix(np.asarray(vectors, dtype=np.float32) * scale))
    return hstack_csr(parts)


def unsure_rows(p: np.ndarray, classes: Sequence[str], unsure_below: float,
                unsure_below_other: float | None) -> np.ndarray:
    """Which rows the word model is unsure of (biased probabilities p): below unsure_below, or below
    unsure_below_other (when set) where its answer is `other`. `Classifier` and training both decide with this."""
    bar = np.full(len(p), unsure_below)
    if unsure_below_other is not None and "other" in classes:
        bar[p.argmax(axis=1) == list(classes).index("other")] = min(unsure_below, unsure_below_other)
    return p.max(axis=1) < bar


def biased_proba(head: LinearHead, X: sp.csr_matrix, complaint_bias: float) -> np.ndarray:
    """Class probabilities with the complaint probability multiplied by its bias (renormalised)."""
    p = head.proba(X)
    if "complaint" in head.classes and complaint_bias != 1.0:
        p = p.copy()
        p[:, head.classes.index("complaint")] *= complaint_bias
        p /= p.sum(axis=1, keepdims=True)
    return p


class Classifier:
    """Trained intent + sentiment + unit classifier with urgency, topic phrases, masking and embeddings."""

    def __init__(
        self,
        bundle: ModelBundle,
        *,
        triage_unit: str,
        routing_threshold: float | None,
        metadata: dict,
        target_precision: float = DEFAULT_TARGET_PRECISION,
        use_embeddings: bool = True,
    ) -> None:
        """Wrap a loaded bundle; use Classifier.load().

        routing_threshold=None uses the threshold calibrated at training time for target_precision.
        """
        self.bundle = bundle
        self.triage_unit = triage_unit
        self.target_precision = target_precision
        if routing_threshold is not None:
            self.routing_threshold = float(routing_threshold)
        elif bundle.routing_calibration is not None:
            self.routing_threshold = bundle.routing_calibration.threshold(target_precision)
        else:
            self.routing_threshold = DEFAULT_ROUTING_THRESHOLD
        self.metadata = metadata
        self.version: str = bundle.version
        # Tokenise as in training; if that engine is not installed here, newmm's pure-Python twin is close.
        self.tokenizer = bundle.tokenizer if engine_available(bundle.tokenizer) else default_engine()
        self.uses_embeddings = bool(use_embeddings and bundle.intent_head_embedding is not None and embedding.available())
        vocab, idf = bundle.space.word.vocabulary_, bundle.space.word.idf_
        top_idf = float(idf.max()) if len(idf) else 1.0
        self._topic_weight = lambda tok: float(idf[vocab[tok]]) if tok in vocab else top_idf

    @classmethod
    def load(
        cls,
        model_dir: Path,
        *,
        triage_unit: str = DEFAULT_TRIAGE_UNIT,
        routing_threshold: float | None = None,
        target_precision: float = DEFAULT_TARGET_PRECISION,
        use_embeddings: bool = True,
    ) -> "Classifier":
        """Load a trained model from model_dir; raise ModelMissing when there is none (or it is unreadable)."""
        path = Path(model_dir) / MODEL_FILE
        if not path.is_file():
            raise ModelMissing(f"no trained model in {model_dir} (run `fangsiang train`)")
        try:
            bundle = _read_bundle(path)
        except Exception as exc:  # any unreadable file means: no usable model
            raise ModelMissing(f"model in {model_dir} cannot be loaded: {exc}") from exc
        if not isinstance(bundle, ModelBundle) or getattr(bundle, "format", None) != MODEL_FORMAT:
            raise ModelMissing(f"model in {model_dir} has an old or unknown format; retrain")
        meta_path = Path(model_dir) / METADATA_FILE
        metadata = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return cls(bundle, triage_unit=triage_unit, routing_threshold=routing_threshold, metadata=metadata,
                   target_precision=target_precision, use_embeddings=use_embeddings)

    @property
    def units(self) -> tuple[str, ...]:
        """Unit codes the router can predict."""
        return self.bundle.router_head.classes if self.bundle.router_head else ()

    def classify(self, text: str, *, embedding_vector: Sequence[float] | None = None) -> Prediction:
        """Classify one message; never raises on any input."""
        vectors = None if embedding_vector is None else np.asarray([embedding_vector], dtype=np.float32)
        return self.classify_many([text], embeddings=vectors)[0]

    def classify_many(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None,
                      only_where_unsure: bool = True) -> list[Prediction]:
        """Classify a batch of messages (embeddings: their vectors when already computed, e.g. stored).

        There is one way to decide, whoever calls: the word model's intent stands where it is sure
        (probability >= the model's unsure_below, or unsure_below_other where it says `other`); only the other
        messages are embedded and decided by the e5 head. Given vectors are used for those and returned in `embedding`; the same text gets the same answer in
        a batch of one or of thousands, with or without stored vectors. (only_where_unsure is kept for old callers: ignored.)
        """
        texts = ["" if t is None else str(t) for t in texts]
        if embeddings is not None and len(embeddings) != len(texts):
            raise ValueError("embeddings must have one row per text")
        out: list[Prediction] = []
        for start in range(0, len(texts), CHUNK):
            chunk_vectors = None if embeddings is None else np.asarray(embeddings[start : start + CHUNK])
            out.extend(self._classify_chunk(texts[start : start + CHUNK], chunk_vectors))
        return out

    def sentiment_labels(self, texts: Sequence[str]) -> list[str]:
        """The sentiment head's label for each text alone (no intent): for comparing heads, not what ships."""
        X = self.bundle.space.transform(prepare(["" if t is None else str(t) for t in texts], self.tokenizer))
        head = self.bundle.sentiment_head
        return [head.classes[i] for i in head.proba(X).argmax(axis=1)]

    def intent_proba(self, norms: Sequence[str], X: sp.csr_matrix, vectors: np.ndarray | None) -> tuple[tuple[str, ...], np.ndarray]:
        """(classes, probabilities) of the intent head that fits the inputs at hand."""
        b = self.bundle
        if vectors is not None and b.intent_head_embedding is not None:
            inputs = intent_inputs(X, norms, vectors, b.embedding_scale)
            return b.intent_head_embedding.classes, biased_proba(b.intent_head_embedding, inputs, b.complaint_bias_embedding)
        return b.intent_head.classes, biased_proba(b.intent_head, intent_inputs(X, norms), b.complaint_bias)

    def _known_latin(self, word: str) -> bool:
        """True for a Latin word the model saw in its training texts (ok, thank, line), not keyboard mash."""
        return word in self.bundle.space.word.vocabulary_

    def _intents(self, prepared: Prepared, X: sp.csr_matrix, masked: list[str],
                 vectors: np.ndarray | None) -> tuple[tuple[str, ...], np.ndarray, np.ndarray | None, np.ndarray]:
        """Intent probabilities: the word model's where it is sure, the e5 head's (embedding only those) elsewhere.

        Returns (classes, probabilities, vectors or None, which rows have a vector).
        """
        classes, intents = self.intent_proba(prepared.norms, X, None)
        has_vector = np.zeros(len(masked), dtype=bool) if vectors is None else np.ones(len(masked), dtype=bool)
        if not self.uses_embeddings:
            return classes, intents, vectors, has_vector
        rows = np.flatnonzero(unsure_rows(intents, classes, self.bundle.unsure_below,
                                          self.bundle.unsure_below_other))
        if rows.size == 0:
            return classes, intents, vectors, has_vector
        if vectors is None:
            vectors = np.zeros((len(masked), embedding.DIM), dtype=np.float32)
            # A text repeated in the batch (a report filed again, a copied message) is embedded once.
            unique = list(dict.fromkeys(masked[i] for i in rows))
            fresh = dict(zip(unique, embedding.embed(unique)))
            vectors[rows] = [fresh[masked[i]] for i in rows]
            has_vector[rows] = True
        e5_classes, sure = self.intent_proba([prepared.norms[i] for i in rows], X[rows], vectors[rows])
        assert e5_classes == classes, "both intent heads know the same intents"
        intents[rows] = sure
        return classes, intents, vectors, has_vector

    def _classify_chunk(self, texts: list[str], vectors: np.ndarray | None) -> list[Prediction]:
        """Classify at most CHUNK messages with matrix products."""
        if not texts:
            return []
        b = self.bundle
        masked = [mask_personal_data(t) for t in texts]
        prepared = prepare(texts, self.tokenizer)
        X = b.space.transform(prepared)
        sent = b.sentiment_head.proba(X)
        intent_classes, intents, vectors, has_vector = self._intents(prepared, X, masked, vectors)
        units = b.router_head.proba(X) if b.router_head else None
        neg = b.sentiment_head.classes.index("neg") if "neg" in b.sentiment_head.classes else None
        results = []
        for i, text in enumerate(texts):
            norm = prepared.norms[i]
            s_idx = int(sent[i].argmax())
            i_idx = int(intents[i].argmax())
            intent, intent_conf = intent_classes[i_idx], float(intents[i, i_idx])
            unit, unit_conf, candidates = self.triage_unit, 0.0, ()
            if units is not None:
                candidates = top_candidates(units[i], b.router_head.classes)
                unit_conf = candidates[0][1]
                if unit_conf >= self.routing_threshold and intent != "other":
                    unit = candidates[0][0]
            sentiment, sentiment_conf = b.sentiment_head.classes[s_idx], float(sent[i, s_idx])
            if intent == "complaint" and sentiment != "neg" and neg is not None and float(sent[i, neg]) >= NEG_WITH_COMPLAINT_AT:
                # A complaint the sentiment head finds at least somewhat negative is dissatisfaction, however it is
                # phrased: sarcastic thanks ("ขอบคุณมากที่ปล่อยให้ถนนพัง…"), a polite request, a question ("เมื่อไหร่
                # จะมาซ่อม"). Without that (social-media chatter the intent head reads as a complaint) the sentiment
                # head's reading stands: overriding every complaint cost 7 points of accuracy on Wisesight.
                sentiment, sentiment_conf = "neg", max(intent_conf, float(sent[i, neg]))
            if not has_content(norm) or not has_language(prepared.tokens[i], self._known_latin):
                # Empty, emoji only, laughter, a lone number or keyboard mash: nothing to act on, no ticket.
                intent, intent_conf = "other", min(intent_conf, 0.3) if norm else 0.2
                unit, unit_conf = self.triage_unit, 0.0
                if not norm:
                    sentiment, sentiment_conf = "neu", 0.25
            intent = intent if intent in INTENTS else "other"
            priority, reason = urgency.assess(norm, intent)
            results.append(
                Prediction(
                    intent=intent,
                    intent_confidence=intent_conf,
                    sentiment=sentiment,
                    sentiment_confidence=sentiment_conf,
                    unit=unit,
                    unit_confidence=unit_conf,
                    topics=topics_from_tokens(prepare_tokens(masked[i], masked=True, engine=self.tokenizer),
                                              weight=self._topic_weight),
                    masked_text=masked[i],
                    unit_candidates=candidates,
                    priority=priority,
                    priority_reason=reason,
                    embedding=None if vectors is None or not has_vector[i] else tuple(float(v) for v in vectors[i]),
                )
            )
        return results


def _read_bundle(path: Path) -> object:
    """The pickled bundle: written as a plain pickle (the C unpickler reads it in a fifth of joblib's time: 0.35 s
    against 1.7 s, most of a restart's model loading), or by joblib (models trained before)."""
    with path.open("rb") as stream:
        try:
            return pickle.load(stream)
        except pickle.UnpicklingError:  # joblib's compressed format
            pass
    return joblib.load(path)


def load_or_train(
    model_dir: Path,
    *,
    triage_unit: str = DEFAULT_TRIAGE_UNIT,
    routing_threshold: float | None = None,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    progress: "Callable[[str, float, float | None], None] | None" = None,
) -> Classifier:
    """Load the model in model_dir, training it from bundled data first when none exists.

    progress is passed to training (stage, fraction done, seconds left); routing_threshold=None uses the
    threshold calibrated for target_precision.
    """
    options = dict(triage_unit=triage_unit, routing_threshold=routing_threshold, target_precision=target_precision)
    try:
        return Classifier.load(model_dir, **options)
    except ModelMissing:
        train_once(Path(model_dir), triage_unit=triage_unit, progress=progress)
        return Classifier.load(model_dir, **options)


def train_once(
    model_dir: Path, *, triage_unit: str = DEFAULT_TRIAGE_UNIT,
    progress: "Callable[[str, float, float | None], None] | None" = None,
) -> None:
    """Train into model_dir unless it holds a usable model once its training lock is ours: services started
    together on an empty model directory (two `fangsiang worker`s, say) train once, the others wait and find the
    first one's model."""
    from .apart import training_lock
    from .training import train

    with training_lock(model_dir):
        try:
            Classifier.load(model_dir, triage_unit=triage_unit)
        except ModelMissing:
            train(Path(model_dir), triage_unit=triage_unit, progress=progress)
