"""Trained classifier (placeholder until the ML lands)."""
from __future__ import annotations
from pathlib import Path
from .prediction import ModelMissing


class Classifier:
    """Trained classifier."""

    @classmethod
    def load(cls, model_dir: Path, *, triage_unit: str = "triage", routing_threshold: float = 0.45) -> "Classifier":
        """Load a trained model."""
        raise ModelMissing(str(model_dir))


def load_or_train(model_dir: Path, *, triage_unit: str = "triage", routing_threshold: float = 0.45) -> Classifier:
    """Load, training first when needed."""
    return Classifier.load(model_dir, triage_unit=triage_unit, routing_threshold=routing_threshold)
