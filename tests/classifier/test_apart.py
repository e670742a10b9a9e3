"""The training process a first start begins before the service has imported its app (classifier.apart): begun only
without a model file, once, and followed by the worker instead of a second training."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from classifier import apart
from classifier.prediction import MODEL_FILE


class _Finished:
    """A training process that already ended well."""

    exitcode = 0

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        return None


class _Reports:
    """Its queue: the reports it sent, then "done"."""

    def __init__(self, reports: list[tuple[str, float, float | None]]) -> None:
        self.items = [*reports, ("done", 1.0, 0.0)]

    def get(self, timeout: float | None = None) -> tuple[str, float, float | None]:
        return self.items.pop(0)

    def close(self) -> None:
        return None


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every training process started (none really: each one has already finished)."""
    started: list[tuple[str, str]] = []

    def spawn(model_dir: Path, triage_unit: str) -> tuple[Any, Any]:
        started.append((str(model_dir), triage_unit))
        return _Finished(), _Reports([("data", 0.0, None), ("features", 0.2, 30.0)])

    monkeypatch.setattr(apart, "_spawn", spawn)
    monkeypatch.setattr(apart, "_begun", {})
    return started


def test_a_first_start_begins_training_once_and_the_worker_follows_it(
        tmp_path: Path, spawned: list[tuple[str, str]]) -> None:
    assert apart.begin_training(tmp_path, triage_unit="triage")
    assert not apart.begin_training(tmp_path, triage_unit="triage")  # already under way
    shown: list[tuple[str, float, float | None]] = []
    apart.train_apart(tmp_path, triage_unit="triage", progress=lambda *report: shown.append(report))
    assert spawned == [(str(tmp_path), "triage")]  # followed, not started again
    assert shown == [("data", 0.0, None), ("features", 0.2, 30.0)]  # what it reported before it was followed
    apart.train_apart(tmp_path, triage_unit="triage")  # a later training (no model after all) starts its own
    assert len(spawned) == 2


def test_a_start_with_a_model_file_begins_nothing(tmp_path: Path, spawned: list[tuple[str, str]]) -> None:
    (tmp_path / MODEL_FILE).write_bytes(b"a model")
    assert not apart.begin_training(tmp_path, triage_unit="triage")
    assert spawned == []


def test_training_begun_for_another_triage_unit_is_not_followed(
        tmp_path: Path, spawned: list[tuple[str, str]]) -> None:
    apart.begin_training(tmp_path, triage_unit="triage")
    apart.train_apart(tmp_path, triage_unit="front-desk")
    assert spawned == [(str(tmp_path), "triage"), (str(tmp_path), "front-desk")]


def test_services_started_together_on_an_empty_model_directory_train_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained_model_dir: Path
) -> None:
    """Two workers started at once on an empty model directory: the one that comes second waits for the first one's
    training (the lock in the directory) and loads its model instead of training a second time."""
    import shutil
    import threading

    from classifier import Classifier, load_or_train, training

    trainings: list[Path] = []
    monkeypatch.setattr(training, "train", lambda model_dir, **_: trainings.append(model_dir))
    target = tmp_path / "models"
    loaded: list[Classifier] = []
    with apart.training_lock(target):  # the first service, training
        second = threading.Thread(target=lambda: loaded.append(load_or_train(target)), daemon=True)
        second.start()
        second.join(1.0)
        assert second.is_alive(), "the second service waits for the first one's model"
        for name in (MODEL_FILE, "metadata.json"):  # the first one's training ends: its model is written
            shutil.copy(trained_model_dir / name, target / name)
    second.join(60)
    assert not second.is_alive() and isinstance(loaded[0], Classifier)
    assert trainings == []


def test_the_training_lock_lets_the_first_one_train(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from classifier import training
    from classifier.model import train_once

    trainings: list[Path] = []
    monkeypatch.setattr(training, "train", lambda model_dir, **_: trainings.append(model_dir))
    train_once(tmp_path / "models")  # no model there, nobody training: this one trains
    assert trainings == [tmp_path / "models"]
