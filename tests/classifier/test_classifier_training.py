"""First start: training reports progress and leaves no process behind when stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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
