"""SIGTERM stops `fangsiang serve` on SQLite whatever the backlog: the worker finishes the message in hand and takes
no more; nothing is lost, the next start works the backlog off."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from listeners import simulator
from tests.support.server import free_port
from tests.support.stubs import PlatformStub

SECRET = "test-line-channel-secret"
BACKLOG = 1200
PER_REQUEST = 100
TEXTS = ("ไฟถนนดับทั้งซอย {n} ครับ", "ขยะไม่มาเก็บสามวันแล้วค่ะ บ้านเลขที่ {n}", "น้ำท่วมขังหน้าโรงเรียนซอย {n} ค่ะ")


def _serve(env: dict[str, str], port: int, *extra: str, log: Path) -> subprocess.Popen[bytes]:
    """`fangsiang serve` in its own process, once /readyz answers 200 (the worker has its classifier)."""
    process = subprocess.Popen([sys.executable, "-m", "fangsiang.cli", "serve", "--port", str(port), *extra], env=env,
                               stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the server never became ready")


def _stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then wait for the process to end (the test's own bound: a minute)."""
    process.send_signal(signal.SIGTERM)
    return process.wait(60)


def test_sigterm_stops_the_sqlite_server_with_a_backlog_and_loses_nothing(tmp_path: Path, trained_model_dir: Path,
                                                                          platform_stub: PlatformStub) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "FANGSIANG_DATA_DIR": str(data), "FANGSIANG_MODEL_DIR": str(trained_model_dir),
           "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": "test-token",
           "LINE_API_BASE_URL": platform_stub.url, "FANGSIANG_LOG_LEVEL": "INFO"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    log = tmp_path / "server.log"
    port = free_port()

    # The webhook alone stores a backlog (no worker in this process), as after a burst.
    web = _serve(env, port, "--no-worker", log=log)
    base = int(time.time() * 1000)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for first in range(0, BACKLOG, PER_REQUEST):
            events = [simulator.line_event(user_id=simulator.line_user_id(f"backlog-{n % 400}"),
                                           text=TEXTS[n % 3].format(n=n), timestamp_ms=base + n)
                      for n in range(first, first + PER_REQUEST)]
            body = simulator.encode(simulator.line_body(*events))
            response = client.post("/webhooks/line", content=body, headers={
                "content-type": "application/json", "x-line-signature": simulator.line_signature(body, SECRET)})
            assert response.status_code == 200
    _stop(web)

    database = sqlite3.connect(data / "fangsiang.db", timeout=30)

    def unprocessed() -> int:
        return database.execute("SELECT count(*) FROM messages WHERE direction = 'in' AND processed_at IS NULL"
                                ).fetchone()[0]

    assert unprocessed() == BACKLOG

    # The full service takes the backlog up; SIGTERM while it works through it.
    busy = _serve(env, port, log=log)
    deadline = time.monotonic() + 120
    while unprocessed() == BACKLOG and time.monotonic() < deadline:
        time.sleep(0.2)
    assert unprocessed() < BACKLOG, "the worker never started on the backlog"
    _stop(busy)  # raises TimeoutExpired if the server keeps running
    assert busy.returncode is not None
    left = unprocessed()
    assert left > 0, "the backlog was gone before the signal: nothing was tested"

    # The next start works the rest off: no message was lost by the stop.
    again = _serve(env, port, log=log)
    deadline = time.monotonic() + 900
    while unprocessed() and time.monotonic() < deadline:
        time.sleep(1)
    assert unprocessed() == 0, f"{unprocessed()} of the {left} messages left at the stop were never processed"
    _stop(again)
    with_case = database.execute("SELECT count(*) FROM messages WHERE direction = 'in' AND kind = 'text' "
                                 "AND processed_at IS NOT NULL").fetchone()[0]
    assert with_case == BACKLOG
    database.close()
