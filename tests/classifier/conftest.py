"""Shared fixtures: the real model is trained once per session; small models for variations."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import Classifier
from classifier.training import train

SMALL = 3000  # Wisesight examples for quick variant trainings
# Quick trainings for variations: a Wisesight subset, the TF-IDF intent head only, no cross-validation.
QUICK = {"max_sentiment_examples": SMALL, "use_embeddings": False, "intent_folds": 0, "router_folds": 0}
PROGRESS_CALLS: list[tuple[str, float, float | None]] = []  # what the small training reported


@pytest.fixture(scope="session")
def full_model_dir(trained_model_dir: Path) -> Path:
    """Model dir with the real, full training (tests/conftest.py: load_or_train's first-use path, cached by a
    hash of classifier/ so the whole suite trains it once)."""
    return trained_model_dir


@pytest.fixture(scope="session")
def full_model(full_model_dir: Path) -> Classifier:
    """The fully trained classifier."""
    return Classifier.load(full_model_dir)


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quick model trained on a Wisesight subset."""
    model_dir = tmp_path_factory.mktemp("small") / "models"
    PROGRESS_CALLS.clear()
    train(model_dir, seed=0, progress=lambda *call: PROGRESS_CALLS.append(call), **QUICK)
    return model_dir
