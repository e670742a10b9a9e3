"""SIGTERM stops `fangsiang serve` on SQLite whatever the backlog and whatever is in flight: the worker finishes the
message in hand and takes no more; requests that do not finish (a citizen's photo upload stalled on a bad mobile
network, load-balancer probes given up on while they wait behind the worker for SQLite's write lock) get a short
grace; nothing is lost, the next start works the backlog off.

Before the fix the server waited for every request in flight without limit while its worker went on through the
backlog: with one stalled upload it was still running (and still processing) minutes after the signal."""
from __future__ import annotations

import os
import signal
import socket
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
BACKLOG = 300  # keeps the worker busy at the signal; the next start works the rest off (each message costs time)
PER_REQUEST = 100
PROBES = 100  # readiness probes in flight at the signal, their clients gone
STOP_BOUND = 60  # seconds: a liveness bound (the exit guard ends the process 30 s after the signal at the latest)
STALLED_UPLOAD = (b"POST /report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                  b"Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n")
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
    """SIGTERM, then wait for the process to end (a liveness bound; killed if it is still running then)."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(STOP_BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"the server was still running {STOP_BOUND} s after SIGTERM") from None


def _in_flight(port: int) -> list[socket.socket]:
    """Requests the server has taken and that will not finish soon: a photo upload whose body stops coming, and
    readiness probes (each a database session) whose clients gave up."""
    upload = socket.create_connection(("127.0.0.1", port))
    upload.sendall(STALLED_UPLOAD)
    probes = [socket.create_connection(("127.0.0.1", port)) for _ in range(PROBES)]
    for probe in probes:
        probe.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    # Answered after them: the server has accepted those connections and read their requests.
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=60).status_code == 200
    return [upload, *probes]


def test_sigterm_stops_the_sqlite_server_with_a_backlog_and_requests_in_flight_and_loses_nothing(
        tmp_path: Path, trained_model_dir: Path, platform_stub: PlatformStub) -> None:
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

    # The full service takes the backlog up; SIGTERM while it works through it with requests in flight.
    busy = _serve(env, port, log=log)
    deadline = time.monotonic() + 120
    while unprocessed() == BACKLOG and time.monotonic() < deadline:
        time.sleep(0.2)
    assert unprocessed() < BACKLOG, "the worker never started on the backlog"
    clients = _in_flight(port)
    try:
        _stop(busy)
    finally:
        for client in clients:
            client.close()
    left = unprocessed()
    assert left > 0, "the backlog was gone before the signal: nothing was tested"

    # The next start works the rest off: no message was lost by the stop.
    again = _serve(env, port, log=log)
    deadline = time.monotonic() + 600
    while unprocessed() and time.monotonic() < deadline:
        time.sleep(1)
    assert unprocessed() == 0, f"{unprocessed()} of the {left} messages left at the stop were never processed"
    _stop(again)
    with_case = database.execute("SELECT count(*) FROM messages WHERE direction = 'in' AND kind = 'text' "
                                 "AND processed_at IS NOT NULL").fetchone()[0]
    assert with_case == BACKLOG
    database.close()
