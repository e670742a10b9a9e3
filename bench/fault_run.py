"""The fault run: a backlog on PostgreSQL + Redis with two workers, one killed, the LINE API failing for a while.

Run by hand (not a test; loopback only, bounded by --timeout):

    .venv/bin/python bench/fault_run.py [--events 400] [--citizens 100] [--fail-seconds 15] \
        [--redis redis://127.0.0.1:6379/7] [--model-dir DIR]

It creates a fresh PostgreSQL database, empties the given Redis database, starts a local stand-in for the LINE API,
`fangsiang serve --no-worker` (the webhook) and two `fangsiang worker` processes. It posts N signed LINE text events
from M citizens (16 requests in flight); halfway it kills worker 1 (SIGKILL, entries left pending) and makes the
LINE API answer 503 for --fail-seconds; once everything is posted it starts worker 1 again. It reports the Redis
stream's length (largest seen and at the end), acknowledgements per case (successful LINE calls carrying the case's
ticket, and `ack:` outbox rows sent), and the time from the last post until every message is processed and every
reply sent. The database is dropped and the Redis database emptied afterwards.
"""
from __future__ import annotations

import argparse
import collections
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from listeners import simulator  # noqa: E402
from storage.queue import STREAM  # noqa: E402
from tests.support.server import free_port  # noqa: E402
from tests.support.stubs import PlatformStub  # noqa: E402

SECRET = "fault-run-line-channel-secret"
POSTGRES_ADMIN = os.environ.get("FANGSIANG_BENCH_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
FOLLOW_UP_NOTICE = "ได้รับข้อมูลเพิ่มเติมสำหรับเรื่อง"  # conversation.replies.follow_up_received
TEXTS = ("ไฟถนนดับทั้งซอย {n} ครับ", "ขยะไม่มาเก็บสามวันแล้วค่ะ หน้าบ้านเลขที่ {n}", "น้ำท่วมขังหน้าโรงเรียนซอย {n} ค่ะ",
         "ท่อระบายน้ำอุดตันหน้าตลาด จุดที่ {n} ครับ", "ต้นไม้ล้มขวางถนนเส้น {n} ค่ะ")


def default_model_dir() -> Path | None:
    """The classifier the test suite trained (so the run does not train one), when there is one."""
    commit = subprocess.run(["git", "rev-parse", "HEAD:classifier"], cwd=ROOT, capture_output=True, text=True)
    path = ROOT / ".pytest_cache" / "fangsiang-models" / commit.stdout.strip()[:16]
    return path if commit.returncode == 0 and path.is_dir() and any(path.iterdir()) else None


class Run:
    """The processes of one fault run and what they share."""

    def __init__(self, args: argparse.Namespace, database_url: str, data_dir: Path, stub: PlatformStub) -> None:
        self.args = args
        self.port = free_port()
        self.logs = data_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": args.redis,
                    "FANGSIANG_DATA_DIR": str(data_dir), "LINE_CHANNEL_SECRET": SECRET,
                    "LINE_CHANNEL_ACCESS_TOKEN": "fault-run-token", "LINE_API_BASE_URL": stub.url,
                    "FANGSIANG_LOG_LEVEL": "INFO", "FANGSIANG_STREAM_CLAIM_IDLE_MS": str(args.claim_idle_ms),
                    "FANGSIANG_OUTBOX_BACKOFF_SECONDS": "1", "FANGSIANG_OUTBOX_BACKOFF_CAP_SECONDS": "5"}
        if args.model_dir:
            self.env["FANGSIANG_MODEL_DIR"] = str(args.model_dir)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        """One `fangsiang …` process, its output in logs/<name>.log."""
        process = subprocess.Popen([sys.executable, "-m", "fangsiang.cli", *command], env=self.env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=(self.logs / f"{name}.log").open("ab"))
        self.processes[name] = process
        return process

    def wait_ready(self, timeout: float = 300) -> None:
        """The webhook answers /readyz."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the webhook never became ready")

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()


def post_events(port: int, *, events: int, citizens: int, on_half: threading.Event) -> int:
    """Post `events` signed LINE text events (one per request, 16 in flight); how many were answered 200."""
    base = int(time.time() * 1000)

    def post(n: int) -> bool:
        if n == events // 2:
            on_half.set()
        event = simulator.line_event(user_id=simulator.line_user_id(f"fault-{n % citizens}"),
                                     text=TEXTS[n % len(TEXTS)].format(n=n), timestamp_ms=base + n)
        body = simulator.encode(simulator.line_body(event))
        for _ in range(20):  # LINE redelivers what was not answered 200
            try:
                response = client.post("/webhooks/line", content=body, headers={
                    "content-type": "application/json", "x-line-signature": simulator.line_signature(body, SECRET)})
                if response.status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        return False

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                      limits=httpx.Limits(max_connections=16)) as client, ThreadPoolExecutor(16) as pool:
        return sum(pool.map(post, range(events)))


def counts(database_url: str) -> dict[str, int]:
    """Messages still unprocessed and outbox rows not yet sent."""
    with psycopg.connect(database_url) as conn:
        unprocessed = conn.execute("SELECT count(*) FROM messages WHERE direction = 'in' AND processed_at IS NULL"
                                   ).fetchone()[0]
        unsent = conn.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]
        stored = conn.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0]
    return {"unprocessed": unprocessed, "unsent": unsent, "stored": stored}


def acknowledgements(database_url: str, stub: PlatformStub) -> tuple[dict[int, int], dict[int, int], int, int]:
    """Per case: successful LINE acknowledgements carrying its ticket, and `ack:` outbox rows sent; cases; dead outbox rows."""
    with psycopg.connect(database_url) as conn:
        tickets = dict(conn.execute("SELECT id, ticket FROM cases").fetchall())
        acked = collections.Counter(case_id for (case_id,) in conn.execute(
            "SELECT case_id FROM outbox WHERE idempotency_key LIKE 'ack:%%' AND status = 'sent'"))
        dead = conn.execute("SELECT count(*) FROM outbox WHERE status = 'dead'").fetchone()[0]
    # Calls naming the ticket are the acknowledgement and, for a citizen who wrote more, the "more information
    # received" notice (at most one per few minutes per case): only the first kind counts here.
    sent_texts = [r.text for r in stub.sent() if FOLLOW_UP_NOTICE not in r.text]
    per_case_calls = collections.Counter(sum(ticket in text for text in sent_texts) for ticket in tickets.values())
    per_case_rows = collections.Counter(acked.get(case_id, 0) for case_id in tickets)
    return dict(per_case_calls), dict(per_case_rows), len(tickets), dead


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--citizens", type=int, default=100)
    parser.add_argument("--fail-seconds", type=float, default=15.0)
    parser.add_argument("--claim-idle-ms", type=int, default=10_000)
    parser.add_argument("--redis", default=os.environ.get("FANGSIANG_BENCH_REDIS", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--model-dir", type=Path, default=default_model_dir())
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds of draining")
    args = parser.parse_args()
    for url in (args.redis, POSTGRES_ADMIN):
        host = url.split("@")[-1].split("//")[-1].split(":")[0].split("/")[0]
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"loopback only: {url}")

    name = f"fangsiang_fault_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
    streams = redis.Redis.from_url(args.redis, decode_responses=True)
    streams.flushdb()
    stub = PlatformStub().start()
    lengths: list[int] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            lengths.append(int(streams.xlen(STREAM)))
            sampling.wait(0.5)

    with tempfile.TemporaryDirectory(prefix="fangsiang-fault-") as tmp:
        run = Run(args, database_url, Path(tmp), stub)
        try:
            run.start("web", "serve", "--no-worker", "--port", str(run.port))
            run.wait_ready()
            for n in (1, 2):
                run.start(f"worker-{n}", "worker", "--name", f"fault-worker-{n}")
            threading.Thread(target=sample, daemon=True).start()
            half = threading.Event()

            def fault() -> None:
                half.wait()
                run.processes["worker-1"].kill()  # SIGKILL: whatever it had taken stays pending in the group
                stub.fail_next(1_000_000, status=503)
                time.sleep(args.fail_seconds)
                stub.stop_failing()

            faults = threading.Thread(target=fault, daemon=True)
            faults.start()
            started = time.monotonic()
            accepted = post_events(run.port, events=args.events, citizens=args.citizens, on_half=half)
            posted_at = time.monotonic()
            run.start("worker-1-again", "worker", "--name", "fault-worker-1")  # the same consumer name comes back
            faults.join()
            deadline = posted_at + args.timeout
            state = counts(database_url)
            while (state["unprocessed"] or state["unsent"]) and time.monotonic() < deadline:
                time.sleep(0.5)
                state = counts(database_url)
            drained = time.monotonic() - posted_at
            sampling.set()
            final_length = int(streams.xlen(STREAM))
            calls, rows, cases, dead = acknowledgements(database_url, stub)
        finally:
            sampling.set()
            run.stop_all()
            stub.stop()
            streams.flushdb()
            streams.close()
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"\nfault run: {args.events} LINE events from {args.citizens} citizens, PostgreSQL + Redis, 2 workers "
          f"(worker 1 killed halfway and restarted after the posts), LINE API answering 503 for "
          f"{args.fail_seconds:.0f} s")
    print(f"  accepted by the webhook         {accepted} of {args.events} (posting took {posted_at - started:.1f} s)")
    print(f"  stored citizen messages         {state['stored']}")
    print(f"  left unprocessed / unsent       {state['unprocessed']} / {state['unsent']}"
          + ("" if not (state["unprocessed"] or state["unsent"]) else f"  (gave up after {args.timeout:.0f} s)"))
    print(f"  Redis stream length             largest {max(lengths, default=0)}, at the end {final_length}")
    print(f"  cases                           {cases}")
    print(f"  acknowledgements per case       LINE acknowledgements carrying the ticket {dict(sorted(calls.items()))}; "
          f"ack outbox rows sent {dict(sorted(rows.items()))}  (count of acks: number of cases)")
    print(f"  outbox rows given up (dead)     {dead}")
    print(f"  time to drain after last post   {drained:.1f} s")
    return 0 if not (state["unprocessed"] or state["unsent"]) else 1


if __name__ == "__main__":
    sys.exit(main())
