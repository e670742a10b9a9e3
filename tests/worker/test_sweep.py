"""The sweep requeues only what the queue lost: under a backlog the Redis stream stays as long as the messages."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import insert

from storage.db import Database
from storage.models import Message, utcnow
from storage.queue import InProcessQueue, RedisStreamQueue
from worker.loop import Worker

BACKLOG = 300


def _store_backlog(db: Database, count: int) -> list[int]:
    """`count` citizen messages stored a minute ago and never processed."""
    received = utcnow() - dt.timedelta(minutes=1)
    with db.session() as session:
        return list(session.scalars(insert(Message).returning(Message.id, sort_by_parameter_order=True), [
            dict(direction="in", channel="line", kind="text", sender_id=f"U{n:032x}", text=f"ไฟดับซอย {n} ครับ",
                 attachments=[], topics=[], received_at=received, sent_at=received) for n in range(count)]))


def _sweeper(db: Database, queue) -> Worker:  # type: ignore[no-untyped-def]
    return Worker(SimpleNamespace(db=db, queue=queue), sweep_seconds=30)  # type: ignore[arg-type]


def test_sweeps_under_a_redis_backlog_requeue_only_lost_messages(database: Database, redis_url: str) -> None:
    queue = RedisStreamQueue(redis_url, consumer="slow-worker")
    ids = _store_backlog(database, BACKLOG)
    lost = ids[-10:]  # committed, but the publish after the commit never happened
    queue.publish(ids[:-10])
    in_hand = queue.receive(max_items=50, block_seconds=1)  # a worker holds 50, not yet acknowledged
    assert len(in_hand) == 50
    sweeper = _sweeper(database, queue)
    assert sweeper.sweep_once(older_than=dt.timedelta(seconds=30)) == len(lost)
    for _ in range(20):  # twenty more sweeps while nothing is processed (10 minutes of a stuck backlog)
        assert sweeper.sweep_once(older_than=dt.timedelta(seconds=30)) == 0
    assert queue.stream_length() == BACKLOG, "every message is in the stream exactly once"
    assert queue.queued_ids() == set(ids)
    queue.ack(in_hand)
    assert queue.stream_length() == BACKLOG - 50
    queue.close()


@pytest.mark.parametrize("limit", [5000, 40])
def test_in_process_sweep_does_not_queue_a_backlog_twice(database: Database, limit: int) -> None:
    queue = InProcessQueue()
    ids = _store_backlog(database, BACKLOG)
    queue.publish(ids[:200])
    sweeper = _sweeper(database, queue)
    swept = sum(sweeper.sweep_once(older_than=dt.timedelta(seconds=30), limit=limit) for _ in range(10))
    assert swept == BACKLOG - 200
    assert queue.backlog() == BACKLOG
    taken = queue.receive(max_items=BACKLOG, block_seconds=1)
    assert sorted(d.message_id for d in taken) == ids


def test_a_stopping_worker_gives_back_what_it_took(database: Database, redis_url: str) -> None:
    queue = RedisStreamQueue(redis_url, consumer="stopping-worker")
    ids = _store_backlog(database, 20)
    queue.publish(ids)
    taken = queue.receive(max_items=10, block_seconds=1)
    queue.ack(taken[:1])  # the one in hand, finished
    queue.release(taken[1:])  # the rest of the batch, given back
    assert queue.pending_count() == 0
    assert queue.stream_length() == 19 and queue.queued_ids() == set(ids[1:])
    other = RedisStreamQueue(redis_url, consumer="other-worker")
    assert sorted(d.message_id for d in other.receive(max_items=50, block_seconds=1)) == ids[1:]
    other.close()
    queue.close()
