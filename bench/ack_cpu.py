"""The worker's CPU per citizen message on the acknowledgement path, measured as this thread's CPU time (so it does
not depend on how busy the machine is), and apart the CPU of the sentence vector each message gets afterwards.

Run by hand (not a test):
    .venv/bin/python bench/ack_cpu.py [--messages 150] [--postgres]

Real citizens' reports (Traffy Fondue, ../shared/data), each from a new citizen, are stored as LINE messages and
answered one by one with conversation.routing.handle_message on SQLite (or a new PostgreSQL database) with the trained
classifier; then the worker's message-vectors job fills their vectors.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import classifier  # noqa: E402
from ack_latency import POSTGRES_ADMIN, citizen_texts, default_model_dir  # noqa: E402
from agency.settings import Settings  # noqa: E402
from conversation import routing, vectors  # noqa: E402
from fangsiang.runtime import build_runtime  # noqa: E402
from runtime import agency_classifier  # noqa: E402
from storage.models import Message, utcnow  # noqa: E402

WARM_UP = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=150)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    name = f"fangsiang_ackcpu_{uuid.uuid4().hex[:8]}"
    if args.postgres:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name if args.postgres else None
            settings = Settings(_env_file=None, fangsiang_data_dir=Path(tmp), fangsiang_model_dir=default_model_dir(),
                                database_url=url, redis_url=None)
            runtime = build_runtime(settings)
            classifier.configure(agency_classifier(settings, runtime.agency))
            routing.prepare(runtime)
            ids = []
            with runtime.db.session() as session:
                for text in citizen_texts()[:args.messages + WARM_UP]:
                    message = Message(direction="in", channel="line", kind="text", sender_id=f"U{uuid.uuid4().hex}",
                                      text=text, sent_at=utcnow(), received_at=utcnow())
                    session.add(message)
                    session.flush()
                    ids.append(message.id)
            for message_id in ids[:WARM_UP]:
                routing.handle_message(runtime, message_id=message_id)
            cpu, outcomes = [], {}
            for message_id in ids[WARM_UP:]:
                started = time.thread_time()
                outcome = routing.handle_message(runtime, message_id=message_id)
                cpu.append(time.thread_time() - started)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            started, kept = time.thread_time(), 0
            while (filled := vectors.fill_vectors(runtime)):
                kept += filled
            job = time.thread_time() - started
            runtime.close()
    finally:
        if args.postgres:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ordered = sorted(cpu)
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}; {len(cpu)} Traffy messages from new citizens: {outcomes}")
    print(f"acknowledgement path (handle_message), CPU per message: mean {statistics.mean(cpu) * 1000:.1f} ms, "
          f"p50 {statistics.median(cpu) * 1000:.1f} ms, p95 {ordered[int(.95 * len(ordered))] * 1000:.1f} ms")
    print(f"vector job afterwards: {kept} vectors, {job / max(kept, 1) * 1000:.1f} ms CPU each; "
          f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
