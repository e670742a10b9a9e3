"""Shared fixtures: the real model is trained once per session; small models for variations."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import Classifier, load_or_train
from classifier.training import train

SMALL = 3000  # Wisesight examples for quick variant trainings


@pytest.fixture(scope="session")
def full_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Model dir with the real, full training (done through load_or_train's first-use path)."""
    model_dir = tmp_path_factory.mktemp("full") / "models"
    load_or_train(model_dir)
    return model_dir


@pytest.fixture(scope="session")
def full_model(full_model_dir: Path) -> Classifier:
    """The fully trained classifier."""
    return Classifier.load(full_model_dir)


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quick model trained on a Wisesight subset."""
    model_dir = tmp_path_factory.mktemp("small") / "models"
    train(model_dir, max_sentiment_examples=SMALL, seed=0)
    return model_dir
