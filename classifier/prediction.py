"""The Prediction value object and label sets shared by every classifier."""

from __future__ import annotations

from dataclasses import dataclass, field

INTENTS: tuple[str, ...] = ("complaint", "suggestion", "question", "praise", "other")
SENTIMENTS: tuple[str, ...] = ("pos", "neu", "neg", "q")
PRIORITIES: tuple[str, ...] = ("urgent", "normal")
DEFAULT_TRIAGE_UNIT = "triage"
DEFAULT_ROUTING_THRESHOLD = 0.45  # the keyword rules' threshold; trained models calibrate their own
DEFAULT_TARGET_PRECISION = 0.95  # share of automatically routed cases that must reach the right unit
MODEL_FILE = "model.joblib"  # the trained model in its directory (here, light: a start looks for it before importing)


class ModelMissing(Exception):
    """Raised when a model directory has no trained model."""


@dataclass(frozen=True)
class Prediction:
    """Everything the classifier says about one message."""

    intent: str
    intent_confidence: float
    sentiment: str
    sentiment_confidence: float
    unit: str
    unit_confidence: float
    topics: tuple[str, ...]
    masked_text: str
    unit_candidates: tuple[tuple[str, float], ...] = ()  # best 3 units, ranked, whatever the threshold
    priority: str = "normal"  # "urgent" when the message reports danger to people now
    priority_reason: str = ""  # short Thai reason for officers, e.g. "มีผู้บาดเจ็บ"
    # The message's sentence embedding (classifier.embedding, L2-normalised, of the masked text); None without one.
    embedding: tuple[float, ...] | None = field(default=None, compare=False, repr=False)

    def as_dict(self, *, with_embedding: bool = False) -> dict:
        """Return a JSON-ready dict (the `fangsiang classify` contract); the embedding only when asked for."""
        record = {
            "intent": self.intent,
            "intent_confidence": round(float(self.intent_confidence), 4),
            "sentiment": self.sentiment,
            "sentiment_confidence": round(float(self.sentiment_confidence), 4),
            "unit": self.unit,
            "unit_confidence": round(float(self.unit_confidence), 4),
            "unit_candidates": [{"unit": u, "confidence": round(float(c), 4)} for u, c in self.unit_candidates],
            "priority": self.priority,
            "priority_reason": self.priority_reason,
            "topics": list(self.topics),
            "masked_text": self.masked_text,
        }
        if with_embedding:
            record["embedding"] = None if self.embedding is None else [round(float(v), 6) for v in self.embedding]
        return record
