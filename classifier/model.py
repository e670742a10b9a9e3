"""The trained classifier: loads model_dir/model.joblib and labels messages fast in batches."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import joblib
import numpy as np
import scipy.sparse as sp

from .features import FeatureSpace, has_content, prepare, rule_features
from .prediction import DEFAULT_ROUTING_THRESHOLD, DEFAULT_TRIAGE_UNIT, INTENTS, ModelMissing, Prediction
from .text import default_engine, engine_available, extract_topics, mask_personal_data

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
MODEL_FORMAT = 2
CHUNK = 2048  # rows per matrix product, bounds memory on huge batches


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
        """Class probabilities, rows summing to one."""
        z = self.decision(X)
        if self.kind == "ovr":
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        else:
            p = np.exp(z - z.max(axis=1, keepdims=True))
        return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)


@dataclass
class ModelBundle:
    """Everything `train` fits, saved as one joblib file."""

    format: int
    version: str
    space: FeatureSpace
    sentiment_heads: list[LinearHead]
    intent_head: LinearHead
    intent_extra_scale: float
    complaint_bias: float
    router_head: LinearHead | None
    tokenizer: str = "newmm"


def sentiment_proba(bundle: ModelBundle, X: sp.csr_matrix) -> np.ndarray:
    """Average of the sentiment ensemble members' probabilities (columns in the first head's class order)."""
    order = bundle.sentiment_heads[0].classes
    total = np.zeros((X.shape[0], len(order)))
    for head in bundle.sentiment_heads:
        p = head.proba(X)
        total += p[:, [head.classes.index(c) for c in order]]
    return total / len(bundle.sentiment_heads)


def intent_inputs(bundle_scale: float, X: sp.csr_matrix, norms: Sequence[str], sent: np.ndarray) -> sp.csr_matrix:
    """Intent features: shared TF-IDF plus keyword-rule scores and sentiment probabilities."""
    extra = np.hstack([rule_features(norms), sent.astype(np.float32)]) * bundle_scale
    return sp.hstack([X, sp.csr_matrix(extra)], format="csr")


def intent_proba(bundle: ModelBundle, X: sp.csr_matrix, norms: Sequence[str], sent: np.ndarray) -> np.ndarray:
    """Intent probabilities with the complaint bias applied (renormalised)."""
    p = bundle.intent_head.proba(intent_inputs(bundle.intent_extra_scale, X, norms, sent))
    idx = bundle.intent_head.classes.index("complaint") if "complaint" in bundle.intent_head.classes else None
    if idx is not None:
        p = p.copy()
        p[:, idx] *= bundle.complaint_bias
        p /= p.sum(axis=1, keepdims=True)
    return p


class Classifier:
    """Trained intent + sentiment + unit classifier with topics and masking."""

    def __init__(self, bundle: ModelBundle, *, triage_unit: str, routing_threshold: float, metadata: dict) -> None:
        """Wrap a loaded bundle; use Classifier.load()."""
        self.bundle = bundle
        self.triage_unit = triage_unit
        self.routing_threshold = routing_threshold
        self.metadata = metadata
        self.version: str = bundle.version
        # Tokenise as in training; if that engine is not installed here, newmm's pure-Python twin is close.
        self.tokenizer = bundle.tokenizer if engine_available(bundle.tokenizer) else default_engine()

    @classmethod
    def load(
        cls,
        model_dir: Path,
        *,
        triage_unit: str = DEFAULT_TRIAGE_UNIT,
        routing_threshold: float = DEFAULT_ROUTING_THRESHOLD,
    ) -> "Classifier":
        """Load a trained model from model_dir; raise ModelMissing when there is none (or it is unreadable)."""
        path = Path(model_dir) / MODEL_FILE
        if not path.is_file():
            raise ModelMissing(f"no trained model in {model_dir} (run `fangsiang train`)")
        try:
            bundle = joblib.load(path)
        except Exception as exc:  # any unreadable file means: no usable model
            raise ModelMissing(f"model in {model_dir} cannot be loaded: {exc}") from exc
        if not isinstance(bundle, ModelBundle) or bundle.format != MODEL_FORMAT:
            raise ModelMissing(f"model in {model_dir} has an old or unknown format; retrain")
        meta_path = Path(model_dir) / METADATA_FILE
        metadata = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return cls(bundle, triage_unit=triage_unit, routing_threshold=routing_threshold, metadata=metadata)

    @property
    def units(self) -> tuple[str, ...]:
        """Unit codes the router can predict."""
        return self.bundle.router_head.classes if self.bundle.router_head else ()

    def classify(self, text: str) -> Prediction:
        """Classify one message; never raises on any input."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        """Classify a batch of messages."""
        texts = ["" if t is None else str(t) for t in texts]
        out: list[Prediction] = []
        for start in range(0, len(texts), CHUNK):
            out.extend(self._classify_chunk(texts[start : start + CHUNK]))
        return out

    def _classify_chunk(self, texts: list[str]) -> list[Prediction]:
        """Classify at most CHUNK messages with matrix products."""
        if not texts:
            return []
        b = self.bundle
        prepared = prepare(texts, self.tokenizer)
        X = b.space.transform(prepared)
        sent = sentiment_proba(b, X)
        intents = intent_proba(b, X, prepared.norms, sent)
        units = b.router_head.proba(X) if b.router_head else None
        results = []
        for i, text in enumerate(texts):
            norm = prepared.norms[i]
            s_idx = int(sent[i].argmax())
            i_idx = int(intents[i].argmax())
            intent, intent_conf = b.intent_head.classes[i_idx], float(intents[i, i_idx])
            unit, unit_conf = self.triage_unit, 0.0
            if units is not None:
                u_idx = int(units[i].argmax())
                unit_conf = float(units[i, u_idx])
                if unit_conf >= self.routing_threshold and intent != "other":
                    unit = b.router_head.classes[u_idx]
            sentiment, sentiment_conf = b.sentiment_heads[0].classes[s_idx], float(sent[i, s_idx])
            if not has_content(norm):
                # Empty, emoji-only or control characters: nothing to act on.
                intent, intent_conf = "other", min(intent_conf, 0.3) if norm else 0.2
                unit, unit_conf = self.triage_unit, 0.0
                if not norm:
                    sentiment, sentiment_conf = "neu", 0.25
            results.append(
                Prediction(
                    intent=intent if intent in INTENTS else "other",
                    intent_confidence=intent_conf,
                    sentiment=sentiment,
                    sentiment_confidence=sentiment_conf,
                    unit=unit,
                    unit_confidence=unit_conf,
                    topics=extract_topics(prepared.tokens[i]),
                    masked_text=mask_personal_data(text),
                )
            )
        return results


def load_or_train(
    model_dir: Path,
    *,
    triage_unit: str = DEFAULT_TRIAGE_UNIT,
    routing_threshold: float = DEFAULT_ROUTING_THRESHOLD,
) -> Classifier:
    """Load the model in model_dir, training it from bundled data first when none exists."""
    try:
        return Classifier.load(model_dir, triage_unit=triage_unit, routing_threshold=routing_threshold)
    except ModelMissing:
        from .training import train

        train(Path(model_dir))
        return Classifier.load(model_dir, triage_unit=triage_unit, routing_threshold=routing_threshold)
