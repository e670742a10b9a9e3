"""Fang Siang Thai message classifier: intent, sentiment, unit routing, urgency, topic phrases, embeddings and
masking (pure library)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Sequence

from .prediction import (
    DEFAULT_ROUTING_THRESHOLD,
    DEFAULT_TARGET_PRECISION,
    DEFAULT_TRIAGE_UNIT,
    INTENTS,
    PRIORITIES,
    SENTIMENTS,
    ModelMissing,
    Prediction,
)

if TYPE_CHECKING:
    from .model import Classifier, load_or_train
    from .rules import KeywordClassifier

_LAZY = {"Classifier": "model", "load_or_train": "model", "KeywordClassifier": "rules"}

__all__ = [
    "INTENTS",
    "SENTIMENTS",
    "PRIORITIES",
    "Prediction",
    "Classifier",
    "KeywordClassifier",
    "ModelMissing",
    "load_or_train",
    "classify",
    "classify_many",
    "configure",
    "current",
    "DEFAULT_ROUTING_THRESHOLD",
    "DEFAULT_TRIAGE_UNIT",
    "DEFAULT_TARGET_PRECISION",
]


def __getattr__(name: str) -> Any:
    """The models and rules load scikit-learn and PyThaiNLP: imported on first use, so light commands stay light."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Classifies(Protocol):
    """Anything with classify/classify_many."""

    def classify(self, text: str) -> Prediction: ...

    def classify_many(self, texts: Sequence[str], *, only_where_unsure: bool = False) -> list[Prediction]: ...


_default: list[_Classifies] = []


def configure(classifier_instance: _Classifies | None) -> None:
    """Set the instance used by module-level classify()/classify_many(); None resets to the keyword rules."""
    _default.clear()
    if classifier_instance is not None:
        _default.append(classifier_instance)


def current() -> _Classifies:
    """Return the configured classifier, or a keyword-rules classifier when none was configured."""
    if not _default:
        from .rules import KeywordClassifier

        _default.append(KeywordClassifier())
    return _default[0]


def classify(text: str) -> Prediction:
    """Classify one message with the configured classifier (keyword rules until configure() is called)."""
    return current().classify(text)


def classify_many(texts: Sequence[str], *, only_where_unsure: bool = False) -> list[Prediction]:
    """Classify several messages with the configured classifier (only_where_unsure: see Classifier.classify_many)."""
    return current().classify_many(list(texts), only_where_unsure=only_where_unsure)
