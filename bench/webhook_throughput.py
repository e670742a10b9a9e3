"""How many signed LINE events per second the webhook accepts durably, next to a bare FastAPI endpoint.

Run by hand (not a test):  .venv/bin/python bench/webhook_throughput.py [--events 4000] [--concurrency 32]

For each backend (SQLite, PostgreSQL) it starts `fangsiang serve --no-worker` in its own process, posts
pre-signed LINE webhook bodies (one text event each, unique webhookEventId) from an aiohttp client, and checks
afterwards that every event is in the database. In the same run it measures a bare FastAPI app whose endpoint only
returns 200, served by the same uvicorn, so the ratio shows what verification + parsing + the commit cost.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import httpx
import psycopg
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from listeners import simulator  # noqa: E402
from tests.support.server import free_port  # noqa: E402

SECRET = "bench-line-channel-secret"
POSTGRES_ADMIN = os.environ.get("FANGSIANG_BENCH_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
TEXTS = ["ไฟถนนดับทั้งซอยครับ", "ขยะไม่มาเก็บสามวันแล้วค่ะ", "สอบถามเอกสารทำบัตรประชาชนค่ะ",
         "น้ำท่วมขังหน้าโรงเรียน", "ขอบคุณเจ้าหน้าที่กองช่างมากครับ ซ่อมเร็วมาก"]

BARE_APP = """
from fastapi import FastAPI
from fastapi.responses import JSONResponse
app = FastAPI()
@app.post("/webhooks/line")
async def line() -> JSONResponse:
    return JSONResponse({})
@app.get("/healthz")
async def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})
"""


def bodies(count: int) -> list[tuple[bytes, str]]:
    """Signed LINE webhook bodies, each with one new text event."""
    out = []
    base = int(time.time() * 1000)
    for n in range(count):
        event = simulator.line_event(user_id=simulator.line_user_id(f"bench-{n % 500}"), text=TEXTS[n % len(TEXTS)],
                                     timestamp_ms=base + n, event_id=uuid.uuid4().hex.upper()[:26])
        body = simulator.encode(simulator.line_body(event))
        out.append((body, simulator.line_signature(body, SECRET)))
    return out


async def load(url: str, payloads: list[tuple[bytes, str]], concurrency: int) -> tuple[float, list[float], int]:
    """Post every payload with `concurrency` requests in flight; return seconds, latencies and non-200 count."""
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[tuple[bytes, str]] = asyncio.Queue()
    for item in payloads:
        queue.put_nowait(item)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def client() -> None:
            nonlocal failures
            while not queue.empty():
                body, signature = queue.get_nowait()
                started = time.perf_counter()
                async with session.post(url, data=body, headers={"content-type": "application/json",
                                                                  "x-line-signature": signature}) as response:
                    await response.read()
                    if response.status != 200:
                        failures += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def start(command: list[str], env: dict[str, str], port: int, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a server process and wait until /healthz answers."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds these processes have used (Linux /proc; 0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (its CPU per event is part of what the webhook costs the machine)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("postgres"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def measure(name: str, command: list[str], env: dict[str, str], port: int, cwd: Path, events: int,
            concurrency: int) -> dict:
    """Warm up, then load the server; return the figures, with the CPU each side spent per event (µs)."""
    process = start(command, env, port, cwd)
    try:
        url = f"http://127.0.0.1:{port}/webhooks/line"
        asyncio.run(load(url, bodies(200), concurrency))
        payloads = bodies(events)
        database = postgres_pids()
        before = cpu_seconds([process.pid]), time.process_time(), cpu_seconds(database)
        seconds, latencies, failures = asyncio.run(load(url, payloads, concurrency))
        after = cpu_seconds([process.pid]), time.process_time(), cpu_seconds(database)
    finally:
        process.terminate()
        process.wait(30)
    latencies.sort()
    return {"name": name, "events": events, "failures": failures, "rps": events / seconds,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "cpu_us": [(b - a) / events * 1e6 for a, b in zip(before, after)]}  # server, load generator, PostgreSQL


def stored_events(database_url: str) -> int:
    """Events committed to the database."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM inbound_events")).scalar_one()
    engine.dispose()
    return int(count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    python = sys.executable
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "bare_app.py").write_text(BARE_APP)
        port = free_port()
        bare = measure("bare FastAPI endpoint (returns 200)",
                       [python, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning"],
                       dict(os.environ), port, tmpdir, args.events, args.concurrency)
        results.append(bare)
        for backend in args.backends.split(","):
            env = {**os.environ, "FANGSIANG_DATA_DIR": str(tmpdir / backend), "LINE_CHANNEL_SECRET": SECRET,
                   "FANGSIANG_LOG_LEVEL": "WARNING", "FANGSIANG_IN_PROCESS_WORKER": "false"}
            env.pop("REDIS_URL", None)
            database = f"sqlite:///{tmpdir / backend / 'fangsiang.db'}"
            if backend == "postgres":
                name = f"fangsiang_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
                database = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
            env["DATABASE_URL"] = database
            port = free_port()
            result = measure(f"fangsiang webhook, {backend}",
                             [python, "-m", "fangsiang.cli", "serve", "--no-worker", "--port", str(port)],
                             env, port, ROOT, args.events, args.concurrency)
            result["stored"] = stored_events(database)
            result["ratio_to_bare"] = result["rps"] / bare["rps"]
            results.append(result)
            if backend == "postgres":
                with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    print(f"\n{args.events} signed LINE events per run, {args.concurrency} in flight, one uvicorn process each, "
          f"{os.cpu_count()} cores shared with the load generator\n")
    print(f"{'endpoint':42} {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8} {'stored':>7} {'vs bare':>8}"
          f"   CPU µs/event: server  load gen  PostgreSQL")
    for r in results:
        server, generator, postgres = r["cpu_us"]
        print(f"{r['name']:42} {r['rps']:9.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['failures']:8d} "
              f"{r.get('stored', '-'):>7} {('%.2f' % r['ratio_to_bare']) if 'ratio_to_bare' in r else '':>8}"
              f"   {server:19.0f} {generator:9.0f} {postgres:11.0f}")
    # stored includes the 200 warm-up events
    return 0


if __name__ == "__main__":
    sys.exit(main())
