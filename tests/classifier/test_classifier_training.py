"""First start: training reports progress and leaves no process behind when stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from classifier.training import STAGES
from tests.classifier.conftest import PROGRESS_CALLS

ROOT = Path(__file__).resolve().parents[2]


def test_progress_callback(small_model_dir: Path) -> None:
    """The small training of conftest reported every stage, fractions rising to 1, and a time left."""
    calls = list(PROGRESS_CALLS)
    stages = [c[0] for c in calls]
    assert set(stages) == set(STAGES) and stages[0] == "data" and stages[-1] == "save"
    fractions = [c[1] for c in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] < 0.1
    assert all(left is None or left >= 0 for _, _, left in calls)
    assert any(left is not None for _, _, left in calls)
    meta = json.loads((small_model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert {"features_s", "sentiment_s", "intent_s", "router_s", "total_cpu_s"} <= set(meta["timings"])


TRAIN_FOREVER = """
import sys
from pathlib import Path
from classifier.training import train
def show(stage, fraction, left):
    print(stage, fraction, flush=True)
train(Path(sys.argv[1]), progress=show)
"""


def _descendants(pid: int) -> list[int]:
    """Pids whose parent chain reaches pid (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def test_sigterm_during_training_leaves_no_process(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", TRAIN_FOREVER, str(tmp_path / "m")], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # wait until training is under way
            if line.startswith(("features", "sentiment")):
                break
        children = _descendants(proc.pid)
        assert children == []  # fits run in the training process itself: nothing to orphan
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)  # a guard against a hung test; how fast it stops is not asserted
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 60  # a guard, as above
    while time.monotonic() < deadline and _descendants(proc.pid):
        time.sleep(0.2)
    assert not (tmp_path / "m" / "model.joblib").exists()


def test_folds_do_not_shrink_to_the_rarest_class() -> None:
    """A register whose rarest unit has 2 reports still gets the folds asked for (it used to get 2), and every row
    is validated exactly once."""
    from classifier.training import _cv_folds

    y = ["ถนน"] * 40 + ["ขยะ"] * 30 + ["ป้าย"] * 2 + ["คลอง"] * 3
    folds = _cv_folds(y, 0, n_splits=5)
    assert len(folds) == 5
    validated = sorted(i for _, val in folds for i in val)
    assert validated == list(range(len(y)))
    assert _cv_folds(["a", "b", "a"], 0, n_splits=5) == []  # fewer rows than two per fold


def test_a_lower_bar_where_the_word_model_says_other_only_when_e5_changes_nothing_there() -> None:
    """Rows the word model calls `other` with middling certainty are left to it when e5 would answer the same out
    of fold (fewer messages embedded, same figures); where e5 corrects them, they are still embedded."""
    import numpy as np

    from classifier.model import unsure_rows
    from classifier.training import _decision_rule, _decisions

    classes = ["complaint", "other", "praise", "question", "suggestion"]
    y = ["complaint"] * 100 + ["question"] * 100 + ["other"] * 100 + ["question"] * 30
    real = np.zeros(len(y), dtype=bool)
    plain = np.full((len(y), 5), 0.01)
    for i, label in enumerate(y[:300]):
        plain[i, classes.index(label)] = 0.95
    plain[200:] = [0.05, 0.6, 0.05, 0.25, 0.05]  # `other`, middling sure: right for the chatter, wrong for the last 30
    plain /= plain.sum(axis=1, keepdims=True)
    emb = plain.copy()
    rule = _decision_rule(y, real, plain, emb, classes)
    assert rule["unsure_below_other"] is not None and rule["unsure_below_other"] <= 0.6  # e5 adds nothing there
    _, embedded = _decisions(plain, emb, classes, rule["plain_bias"], rule["embedding_bias"], rule["unsure_below"],
                             rule["unsure_below_other"])
    assert not embedded.any()
    emb[300:] = np.eye(5)[classes.index("question")] * 0.9 + 0.02  # e5 reads the last 30 right
    rule = _decision_rule(y, real, plain, emb, classes)
    pred, embedded = _decisions(plain, emb, classes, rule["plain_bias"], rule["embedding_bias"], rule["unsure_below"],
                                rule["unsure_below_other"])
    assert embedded[300:].all() and (pred[300:] == classes.index("question")).all()
    # The classifier's own test: the lower bar applies only where the word model's answer is `other`.
    p = np.asarray([[0.65, 0.35, 0, 0, 0], [0.35, 0.65, 0, 0, 0], [0.2, 0.8, 0, 0, 0]])
    assert unsure_rows(p, classes, 0.8, 0.6).tolist() == [True, False, False]
    assert unsure_rows(p, classes, 0.8, None).tolist() == [True, True, False]


def test_decision_rule_reaches_real_report_recall_without_dropping_the_other_intents() -> None:
    """Out-of-fold probabilities: the biases chosen raise complaint recall on the real reports to the target while
    the written non-complaint rows stay above the floor; where the word model is sure enough, nothing is embedded."""
    import numpy as np

    from classifier.training import OTHER_INTENTS_FLOOR, REAL_COMPLAINT_RECALL_TARGET, _decision_rule, _decisions

    classes = ["complaint", "other", "praise", "question", "suggestion"]
    rng = np.random.default_rng(0)
    y = ["complaint"] * 100 + ["suggestion"] * 100 + ["question"] * 100
    real = np.asarray([i < 50 for i in range(100)] + [False] * 200)
    plain = np.zeros((300, 5))
    for i, label in enumerate(y):
        plain[i, classes.index(label)] = 0.9 if i % 10 else 0.3  # every tenth row unsure
        plain[i, 4 if label == "complaint" else 0] += 0.05
    plain[:50, 0], plain[:50, 4] = 0.4, 0.6  # the real complaints read as suggestions, unless complaint is favoured
    plain += rng.uniform(0, 0.01, plain.shape)
    plain /= plain.sum(axis=1, keepdims=True)
    emb = plain.copy()
    rule = _decision_rule(y, real, plain, emb, classes)
    oof = rule["oof"]
    assert rule["plain_bias"] > 1.0
    assert oof["real_complaint_recall"] >= REAL_COMPLAINT_RECALL_TARGET
    assert oof["other_intents_accuracy"] >= OTHER_INTENTS_FLOOR
    pred, embedded = _decisions(plain, emb, classes, rule["plain_bias"], rule["embedding_bias"], rule["unsure_below"],
                                rule["unsure_below_other"])
    assert embedded.mean() == pytest.approx(oof["embedded"], abs=1e-4) and oof["embedded"] < 0.5
    assert _decision_rule(y, real, np.zeros((300, 5)), None, classes)["plain_bias"] == 1.0  # no folds: no bias
    # No rule that keeps the floors finds more of the real complaints than the one chosen.
    from classifier.training import COMPLAINT_BIAS_GRID, COMPLAINT_RECALL_TARGET, UNSURE_GRID, UNSURE_OTHER_GRID

    truth = np.asarray([classes.index(label) for label in y])
    written_other = (truth != 0) & ~real
    for unsure, unsure_other in [(u, o) for u in UNSURE_GRID for o in UNSURE_OTHER_GRID]:
        for plain_bias in COMPLAINT_BIAS_GRID:
            for emb_bias in COMPLAINT_BIAS_GRID:
                pred, _ = _decisions(plain, emb, classes, plain_bias, emb_bias, unsure, unsure_other)
                if (pred[truth == 0] == 0).mean() >= COMPLAINT_RECALL_TARGET and \
                        (pred[written_other] == truth[written_other]).mean() >= OTHER_INTENTS_FLOOR:
                    assert (pred[real] == 0).mean() <= oof["real_complaint_recall"] + 1e-4



def test_seconds_left_follow_the_critical_path(monkeypatch) -> None:
    """A first start simulated on a clock of its own, on a machine twice as slow as the one STAGES were measured on:
    the main thread's stages, the embeddings beside them (one stream, then two once the main thread waits), then the
    intent head's second half and saving. What the tracker says is left stays within a quarter of the truth."""
    from classifier import training

    clock = [0.0]
    monkeypatch.setattr(training.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(training.os, "cpu_count", lambda: 2)
    said: list[tuple[float, float | None]] = []
    track = training._Tracker(lambda stage, fraction, left: said.append((clock[0], left)), training.STAGES)
    track.expect("embeddings", 100.0)
    track.start("embeddings", show=False)
    embedded, waiting = [0.0], [False]

    def work(stage: str, seconds: float, upto: float = 1.0, start: float = 0.0) -> None:
        """The main thread in `stage` for `seconds` (from `start` to `upto` of it) while the embeddings go on."""
        if stage:
            track.start(stage)
        for step in range(1, int(seconds * 2) + 1):
            clock[0] += 0.5
            if embedded[0] < 1.0:
                embedded[0] = min(1.0, embedded[0] + 0.005 * (2 if waiting[0] else 1))  # 100 s for one stream
                track.update("embeddings", embedded[0])
            if stage:
                track.update(stage, start + (upto - start) * step / (seconds * 2))

    for stage, cost in (("data", 1.0), ("features", 11.0), ("sentiment", 12.5)):
        work(stage, 2 * cost)
    work("intent", 12.5, upto=0.5)
    work("router", 15.0)
    track.show("embeddings")
    waiting[0] = True
    while embedded[0] < 1.0:
        work("", 0.5)
    work("intent", 12.5, start=0.5)
    work("save", 1.0)
    end = clock[0]
    checked = [(at, left) for at, left in said if left is not None and 10 <= at <= end - 5]
    assert len(checked) > 100
    for at, left in checked:
        assert abs(left - (end - at)) <= 0.25 * (end - at) + 2, (at, left, end - at)
