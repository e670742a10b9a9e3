"""First start and stop, as an operator lives them: `fangsiang serve` in its own process, /readyz telling what is
still loading, training progress in the log, a stop at any moment (training included) that leaves no process
behind, and a restart with trained models that announces itself ready once (how fast: bench/first_start.py)."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, model_dir: Path) -> tuple[subprocess.Popen[str], str]:
    """`fangsiang serve` on a fresh data directory, in its own process group; (process, base URL)."""
    port = free_port()
    env = {**os.environ, "FANGSIANG_DATA_DIR": str(tmp_path / "data"), "FANGSIANG_MODEL_DIR": str(model_dir),
           "FANGSIANG_LOG_LEVEL": "INFO"}
    for name in ("DATABASE_URL", "REDIS_URL", "FANGSIANG_TRUSTED_PROXIES"):
        env.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "fangsiang.cli", "serve", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=open(tmp_path / "stdout.txt", "w"),  # noqa: SIM115
                               stderr=open(tmp_path / "stderr.txt", "w"), text=True,  # noqa: SIM115
                               start_new_session=True)
    return process, f"http://127.0.0.1:{port}"


def _poll(url: str, process: subprocess.Popen[str], until, timeout: float):  # type: ignore[no-untyped-def]
    """GET url every 0.1 s until until(response) holds; the response."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited"
        try:
            response = httpx.get(url, timeout=5)
        except httpx.TransportError:
            response = None
        if response is not None and until(response):
            return response
        time.sleep(0.1)
    raise AssertionError(f"{url}: not in {timeout} s")


def _group_gone(pgid: int) -> bool:
    """Whether no process of the group is left."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _stop(process: subprocess.Popen[str], sig: int) -> bool:
    """Send the signal; whether the process and every process it started went away (a hung stop is killed)."""
    pgid = process.pid  # start_new_session: the group is the process's own
    process.send_signal(sig)
    deadline = time.monotonic() + 120  # a guard against a hung test, not a speed check
    while time.monotonic() < deadline:
        process.poll()
        if process.returncode is not None and _group_gone(pgid):
            return True
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_fresh_start_shows_its_training_and_stops_at_once(tmp_path: Path, sig: int) -> None:
    process, url = _serve(tmp_path, tmp_path / "no-models-yet")
    try:
        loading = _poll(f"{url}/readyz", process, lambda r: r.status_code == 503
                        and r.json()["waiting_for"].get("classifier") == "training", timeout=240)
        waiting = loading.json()["waiting_for"]
        assert waiting["worker"] == "starting" and 0 <= waiting["percent"] < 100 and waiting["stage"]
        assert loading.headers["retry-after"]
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200  # liveness stays green meanwhile
        _poll(f"{url}/readyz", process, lambda r: r.json()["waiting_for"].get("percent", 0) > 0, timeout=240)
        log = (tmp_path / "stderr.txt").read_text()
        assert re.search(r"training the classifier \(first start only\): \d+% done, .+", log), log[-2000:]
    finally:
        stopped = _stop(process, sig)
    assert stopped, f"serve or one of its children kept running after {sig!r}"
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text()


def test_a_restart_with_trained_models_is_ready_quickly(tmp_path: Path, trained_model_dir: Path) -> None:
    model_dir = tmp_path / "models"
    shutil.copytree(trained_model_dir, model_dir)
    (tmp_path / "first").mkdir()
    process, url = _serve(tmp_path / "first", model_dir)
    try:
        _poll(f"{url}/readyz", process, lambda r: r.status_code == 200, timeout=240)  # migrations, first load
    finally:
        _stop(process, signal.SIGTERM)
    shutil.move(tmp_path / "first" / "data", tmp_path / "data")
    process, url = _serve(tmp_path, model_dir)
    try:
        first = _poll(f"{url}/readyz", process, lambda r: True, timeout=240)
        assert first.status_code == 200 or first.json()["waiting_for"].get("classifier") == "loading"
        ready = _poll(f"{url}/readyz", process, lambda r: r.status_code == 200, timeout=240)
        assert ready.json() == {"status": "ready"}
        _poll(f"{url}/healthz", process, lambda r: "Fang Siang is ready" in (tmp_path / "stdout.txt").read_text(),
              timeout=60)
    finally:
        assert _stop(process, signal.SIGTERM)
    printed = (tmp_path / "stdout.txt").read_text()
    assert len(re.findall(rf"Fang Siang is ready: {re.escape(url)}/inbox", printed)) == 1, printed
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "training the classifier" not in stderr and "Traceback" not in stderr, stderr[-2000:]
