"""How long a citizen waits for the acknowledgement (ticket number, unit, deadline) at a sustained rate of LINE events.

Run by hand (not a test):
    .venv/bin/python bench/ack_latency.py [--rate 20] [--seconds 30] [--model-dir DIR]              # SQLite
    .venv/bin/python bench/ack_latency.py --postgres [--redis-url redis://127.0.0.1:6379/8] ...   # PostgreSQL

SQLite: one `fangsiang serve` with its in-process worker. --postgres: `fangsiang serve --no-worker` plus two
`fangsiang worker` processes on a new PostgreSQL database and Redis Streams (the Redis database given is emptied
first). Their LINE API is a local stub (tests.support.stubs.PlatformStub) that notes when each reply arrives.

Signed LINE text events — real citizens' reports (Traffy Fondue, ../shared/data) from a new user each — are posted
at `--rate` per second for `--seconds`; the figures are the time from posting an event to its acknowledgement
reaching the stub (p50, p95, max, and how many never arrived within --drain seconds after the last post), the
webhook's own latency, and the machine's load average during the run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from listeners import simulator  # noqa: E402
from tests.support.server import free_port  # noqa: E402
from tests.support.stubs import PlatformStub  # noqa: E402

SECRET = "bench-line-channel-secret"
POSTGRES_ADMIN = os.environ.get("FANGSIANG_BENCH_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
TEXT_FILES = [ROOT.parent / "shared" / "data" / "traffy" / "reports.jsonl",
              ROOT.parent.parent / "shared" / "data" / "traffy" / "reports.jsonl"]


@dataclass
class TimedStub(PlatformStub):
    """The platform stub, also noting when each LINE reply or push arrived (by reply token and by recipient)."""

    arrived: dict[str, float] = field(default_factory=dict)

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        now = time.monotonic()
        status, payload = super()._answer(method, path, headers, body)
        if status == 200 and path.startswith("/v2/bot/message/"):
            data = json.loads(body)
            for key in (data.get("replyToken"), data.get("to")):
                if key:
                    self.arrived.setdefault(key, now)
        return status, payload


def citizen_texts() -> list[str]:
    """Real reports citizens wrote (not written for this bench)."""
    for path in TEXT_FILES:
        if path.is_file():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            return [row["text"][:1000] for row in rows if row.get("text", "").strip()]
    raise SystemExit(f"no citizen texts: expected one of {', '.join(map(str, TEXT_FILES))}")


def default_model_dir() -> Path:
    """The classifier the tests trained (cached under .pytest_cache), else a directory the first start trains into."""
    trained = sorted((ROOT / ".pytest_cache" / "fangsiang-models").glob("*/model.joblib"),
                     key=lambda p: p.stat().st_mtime)
    return trained[-1].parent if trained else ROOT / ".bench-models"


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A service process in its own group, its output to a log file."""
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_ready(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 1800) -> None:
    """Until /readyz is 200 (a first start trains the models)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SystemExit("a service process exited; see its log")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the service did not become ready")


async def post_all(url: str, *, rate: float, seconds: float, texts: list[str], run: str
                   ) -> tuple[dict[str, tuple[float, str]], list[float], int]:
    """Post one event every 1/rate s; ((posted at, user) per reply token, webhook latencies, non-200s)."""
    posted: dict[str, tuple[float, str]] = {}
    latencies: list[float] = []
    failures = 0
    total = int(rate * seconds)

    async def one(session: aiohttp.ClientSession, n: int) -> None:
        nonlocal failures
        user = simulator.line_user_id(f"ack-{run}-{n}")
        event = simulator.line_event(user_id=user, text=texts[n % len(texts)], timestamp_ms=int(time.time() * 1000),
                                     event_id=uuid.uuid4().hex.upper()[:26])
        body = simulator.encode(simulator.line_body(event))
        started = time.monotonic()
        posted[event["replyToken"]] = (started, user)
        try:
            async with session.post(url, data=body, timeout=aiohttp.ClientTimeout(total=60),
                                    headers={"content-type": "application/json",
                                             "x-line-signature": simulator.line_signature(body, SECRET)}) as response:
                await response.read()
                failures += response.status != 200
        except (aiohttp.ClientError, asyncio.TimeoutError):  # LINE gives up too (and redelivers later)
            failures += 1
        latencies.append(time.monotonic() - started)

    async with aiohttp.ClientSession() as session:
        began = time.monotonic()
        tasks = []
        for n in range(total):
            await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(session, n)))
        await asyncio.gather(*tasks)
    return posted, latencies, failures


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of them lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to keep posting")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for the last acknowledgements")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis with 2 `fangsiang worker`s")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    model_dir = args.model_dir or default_model_dir()
    stub = TimedStub().start()
    texts = citizen_texts()
    python = [sys.executable, "-m", "fangsiang.cli"]
    processes: list[subprocess.Popen[bytes]] = []
    database_name = None
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FANGSIANG_DATA_DIR": f"{tmp}/data", "FANGSIANG_MODEL_DIR": str(model_dir),
               "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": "bench-token",
               "LINE_API_BASE_URL": stub.url, "FANGSIANG_LOG_LEVEL": "WARNING"}
        for name in ("DATABASE_URL", "REDIS_URL", "FANGSIANG_IN_PROCESS_WORKER"):
            env.pop(name, None)
        port = free_port()
        try:
            if args.postgres:
                database_name = f"fangsiang_ack_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{database_name}"')
                redis.Redis.from_url(args.redis_url).flushdb()
                env["DATABASE_URL"] = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + database_name
                env["REDIS_URL"] = args.redis_url
                subprocess.run([*python, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
                processes.append(start([*python, "serve", "--no-worker", "--port", str(port)], env,
                                       Path(tmp) / "serve.log"))
                for n in range(2):
                    processes.append(start([*python, "worker", "--name", f"ack-bench-{n}"], env,
                                           Path(tmp) / f"worker-{n}.log"))
                setup = "PostgreSQL + Redis, web (no worker) + 2 `fangsiang worker`"
            else:
                processes.append(start([*python, "serve", "--port", str(port)], env, Path(tmp) / "serve.log"))
                setup = "SQLite, `fangsiang serve` with its in-process worker"
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, processes)
            if args.postgres:  # the web is ready at once; the workers say so in their log once they loaded models
                time.sleep(5)
            load_before = os.getloadavg()
            posted, latencies, failures = asyncio.run(post_all(f"{url}/webhooks/line", rate=args.rate,
                                                               seconds=args.seconds, texts=texts,
                                                               run=uuid.uuid4().hex[:6]))
            deadline = time.monotonic() + args.drain
            tokens = list(posted)

            def acknowledged(token: str) -> float | None:
                """When the reply (by token) or a push (to the user) for this event reached the stub."""
                return stub.arrived.get(token, stub.arrived.get(posted[token][1]))

            while time.monotonic() < deadline and not all(acknowledged(t) is not None for t in tokens):
                time.sleep(0.2)
            load_after = os.getloadavg()
            waits = []
            by_window: dict[int, list[float]] = {}  # acknowledgement waits by the 5-s window their event was posted in
            missing = 0
            began = min(at for at, _ in posted.values())
            for token in tokens:
                arrived = acknowledged(token)
                if arrived is None:
                    missing += 1
                else:
                    waits.append(arrived - posted[token][0])
                    by_window.setdefault(int((posted[token][0] - began) // 5), []).append(waits[-1])
            logs = "".join((Path(tmp) / name).read_text() for name in os.listdir(tmp) if name.endswith(".log"))
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            if database_name:
                with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
    print(f"\n{setup}; {len(tokens)} signed LINE events at {args.rate:g}/s for {args.seconds:g} s; "
          f"{os.cpu_count()} cores, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"webhook: p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, .95) * 1000:.0f} ms,"
          f" max {max(latencies) * 1000:.0f} ms, non-200 or no answer within 60 s: {failures}")
    if waits:
        print(f"acknowledgement at the LINE stub: p50 {statistics.median(waits):.2f} s, "
              f"p95 {percentile(waits, .95):.2f} s, max {max(waits):.2f} s; "
              f"{missing} not acknowledged within {args.drain:g} s after the last post")
        print("  p95 by when the event was posted: " + ", ".join(
            f"{5 * window}–{5 * window + 5} s {percentile(values, .95):.2f}" for window, values in sorted(by_window.items())))
    else:
        print(f"no acknowledgement reached the stub ({missing} events)")
    raised = Counter(line for line in logs.splitlines() if line[:1].isalpha() and ("Error" in line.split(":")[0]
                                                                                  or "Exception" in line.split(":")[0]))
    errors = Counter(" ".join(line.split()[3:5]) for line in logs.splitlines() if " ERROR " in line)
    print(f"'database is locked' in the service logs: {logs.count('database is locked')}, "
          f"tracebacks: {logs.count('Traceback')}; errors by logger: {dict(errors) or 'none'}")
    for line, count in raised.most_common(3):
        print(f"  {count}× {line[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
