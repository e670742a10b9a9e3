"""First start and restart of `fangsiang serve` (in-process worker, SQLite), as an operator lives them.

Run by hand (not a test):  .venv/bin/python bench/first_start.py [--model-dir DIR]

1. First start: a fresh data directory and an empty model directory (the classifier is trained). It polls /readyz
   every 0.5 s and prints: seconds until the first answer, until /readyz is 200, the slowest /readyz and /healthz
   answer during training (the web must answer at once while the models train in their own process), and the
   progress shown along the way (stage, percent, the estimate of time left next to the time actually left).
2. Restart: the same directories again; seconds until the first answer and until /readyz is 200 (goal ≤ 5 s).
Each start's output is checked: "Fang Siang is ready" printed once, no traceback. Load average before and after.
(Training reuses the bundled embedding cache, classifier/data/embeddings/, when an earlier training built it; the
first line says whether it was there.)
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier.data import EMBEDDING_CACHE_FILE  # noqa: E402
from tests.support.server import free_port  # noqa: E402


def start(data_dir: Path, model_dir: Path, log_dir: Path, label: str) -> dict:
    """Run `fangsiang serve` until /readyz is 200, then stop it; the figures of that start."""
    port = free_port()
    env = {**os.environ, "FANGSIANG_DATA_DIR": str(data_dir), "FANGSIANG_MODEL_DIR": str(model_dir),
           "FANGSIANG_LOG_LEVEL": "INFO"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    stdout, stderr = log_dir / f"{label}.out", log_dir / f"{label}.err"
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "fangsiang.cli", "serve", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=stdout.open("w"), stderr=stderr.open("w"), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    first_answer = ready = None
    slowest = {"readyz": 0.0, "healthz": 0.0}
    shown: list[tuple[float, str, int, float | None]] = []  # (seconds since start, stage, percent, seconds left)
    try:
        while ready is None and process.poll() is None and time.monotonic() - started < 1800:
            for path in ("readyz", "healthz"):
                asked = time.monotonic()
                try:
                    response = httpx.get(f"{url}/{path}", timeout=30)
                except httpx.TransportError:
                    continue
                slowest[path] = max(slowest[path], time.monotonic() - asked)
                first_answer = first_answer or time.monotonic() - started
                if path == "readyz" and response.status_code == 200:
                    ready = time.monotonic() - started
                elif path == "readyz":
                    waiting = response.json()["waiting_for"]
                    if "percent" in waiting:
                        shown.append((time.monotonic() - started, waiting["stage"], waiting["percent"],
                                      waiting.get("seconds_left")))
            time.sleep(0.5)
        deadline = time.monotonic() + 10
        while "Fang Siang is ready" not in stdout.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)
    return {"first_answer": first_answer, "ready": ready, "slowest": slowest, "shown": shown,
            "ready_lines": stdout.read_text().count("Fang Siang is ready"),
            "tracebacks": stderr.read_text().count("Traceback"), "exit": process.returncode}


def report(label: str, figures: dict) -> None:
    """Print one start's figures."""
    ready = figures["ready"]
    print(f"\n{label}: first answer after {figures['first_answer'] or float('nan'):.1f} s, /readyz 200 after "
          f"{ready if ready is not None else float('nan'):.1f} s; slowest /readyz {figures['slowest']['readyz']:.2f} s, "
          f"slowest /healthz {figures['slowest']['healthz']:.2f} s; 'ready' printed {figures['ready_lines']}×, "
          f"tracebacks {figures['tracebacks']}")
    shown = figures["shown"]
    if shown and ready is not None:
        print(f"  {'at s':>6} {'stage':22} {'%':>4} {'said left s':>12} {'really left s':>14}")
        step = max(1, len(shown) // 12)
        for at, stage, percent, left in shown[::step]:
            said = "-" if left is None else f"{left:.0f}"
            print(f"  {at:6.0f} {stage:22} {percent:4d} {said:>12} {ready - at:14.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, help="where to train (default: a fresh temporary directory)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; bundled embedding cache "
          f"{'present' if EMBEDDING_CACHE_FILE.is_file() else 'absent (the first start embeds every training text)'}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        model_dir = args.model_dir or base / "models"
        first = start(base / "data", model_dir, base, "first")
        report("first start (trains the classifier)", first)
        again = start(base / "data", model_dir, base, "restart")
        report("restart (trained models)", again)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
