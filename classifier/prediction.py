"""The Prediction value object and label sets shared by every classifier."""

from __future__ import annotations

from dataclasses import dataclass

INTENTS: tuple[str, ...] = ("complaint", "suggestion", "question", "praise", "other")
SENTIMENTS: tuple[str, ...] = ("pos", "neu", "neg", "q")
DEFAULT_TRIAGE_UNIT = "triage"
DEFAULT_ROUTING_THRESHOLD = 0.45


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

    def as_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return {
            "intent": self.intent,
            "intent_confidence": round(float(self.intent_confidence), 4),
            "sentiment": self.sentiment,
            "sentiment_confidence": round(float(self.sentiment_confidence), 4),
            "unit": self.unit,
            "unit_confidence": round(float(self.unit_confidence), 4),
            "topics": list(self.topics),
            "masked_text": self.masked_text,
        }
