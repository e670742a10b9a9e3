"""At scale: Redis Streams with one consumer group shared by several workers; a dead worker's work is taken over."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from fangsiang.runtime import build_runtime
from worker.loop import Worker
from storage.models import Case, Message
from storage.queue import RedisStreamQueue
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub


def unprocessed(server: LiveServer) -> int:
    with server.runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(Message).where(Message.processed_at.is_(None)))


def test_workers_share_the_stream_and_claim_a_dead_workers_entries(make_server, platform_stub: PlatformStub) -> None:
    # The web app alone (no worker in it), on PostgreSQL + Redis.
    server: LiveServer = make_server("postgres", run_worker=False)
    settings = server.settings

    # A worker that takes entries and dies before acknowledging them.
    doomed = RedisStreamQueue(settings.redis_url, consumer="doomed", claim_idle_ms=settings.fangsiang_stream_claim_idle_ms)
    for n in range(3):
        server.post_line(server.line_text(f"ไฟถนนดับหน้าบ้านเลขที่ {n} ครับ", user=f"early-{n}"))
    taken = doomed.receive(max_items=10, block_seconds=1)
    assert len(taken) == 3
    assert doomed.pending_count() == 3
    doomed.close()  # it never acks: these entries stay pending under its name

    # Two healthy workers, as two processes on two machines would run.
    runtimes = [build_runtime(settings, migrate=False, consumer=f"worker-{i}") for i in range(2)]
    workers = [Worker(rt, poll_seconds=0.2, sweep_seconds=3600) for rt in runtimes]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            assert worker.ready.wait(120)
        for n in range(20):
            server.post_line(server.line_text(f"ขยะไม่มาเก็บที่ซอย {n} ค่ะ", user=f"later-{n}"))
        server.wait_until(lambda: unprocessed(server) == 0, timeout=60)
        # one acknowledgement per citizen (each also gets the one-time citizen-group question, without a ticket)
        platform_stub.wait_for(lambda s: sum("FS-" in r.text for r in s) == 23, timeout=60)
    finally:
        for worker in workers:
            worker.stop()
        for rt in runtimes:
            rt.close()

    with server.runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 23
    check = RedisStreamQueue(settings.redis_url, consumer="check")
    assert check.pending_count() == 0
    check.close()
    assert sum("FS-" in r.text for r in platform_stub.sent()) == 23, "each citizen is acknowledged exactly once"


def test_a_message_the_queue_lost_is_found_by_the_sweep(make_server, platform_stub: PlatformStub) -> None:
    server: LiveServer = make_server("postgres", run_worker=False)

    class Down:
        """A queue that is unreachable when the webhook publishes."""

        tried = threading.Event()

        def publish(self, message_ids):  # type: ignore[no-untyped-def]
            self.tried.set()
            raise ConnectionError("redis is down")

    down = Down()
    live_queue, server.runtime.queue = server.runtime.queue, down
    try:
        response = server.post_line(server.line_text("แจ้งเหตุน้ำท่วมถนนเข้าหมู่บ้านครับ"))
        assert response.status_code == 200, "committed messages are acknowledged even when the queue is down"
        # the webhook's publisher thread publishes after the answer: the live queue is put back only once it tried
        # (put back earlier, the message was queued after all and the sweep rightly found nothing to requeue)
        assert down.tried.wait(30)
    finally:
        server.runtime.queue = live_queue
    assert unprocessed(server) == 1
    runtime = build_runtime(server.settings, migrate=False, consumer="sweeper")
    worker = Worker(runtime, poll_seconds=0.2, sweep_seconds=3600)
    worker.start()
    try:
        assert worker.ready.wait(120)
        time.sleep(0.1)
        assert worker.sweep_once() == 1
        server.wait_until(lambda: unprocessed(server) == 0, timeout=30)
        platform_stub.wait_for(lambda s: sum("FS-" in r.text for r in s) == 1)
    finally:
        worker.stop()
        runtime.close()
