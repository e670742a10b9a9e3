"""The work queue between the webhook and the worker: in-process by default, Redis Streams at scale.

The queue only carries message ids; the database is the source of truth. A message that was committed but
never queued (a crash between commit and publish, Redis down) is found again by the worker's sweep of
unprocessed messages, so the queue may deliver an id more than once and the worker must be idempotent.
"""
from __future__ import annotations

import logging
import queue
import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

STREAM = "fangsiang:messages"
SCAN_PAGE = 10_000  # stream entries read per XRANGE call when the sweep asks what is queued
GROUP = "workers"


@dataclass(frozen=True)
class Delivery:
    """One message id handed to a worker, with what it takes to acknowledge it."""

    message_id: int
    receipt: str = ""


class WorkQueue(Protocol):
    """Where the webhook puts message ids and workers take them."""

    def publish(self, message_ids: Sequence[int]) -> None:
        """Queue these message ids for the worker."""

    def receive(self, *, max_items: int, block_seconds: float) -> list[Delivery]:
        """Take up to max_items deliveries, waiting at most block_seconds."""

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Mark deliveries done so no other worker gets them again."""

    def release(self, deliveries: Sequence[Delivery]) -> None:
        """Give back deliveries taken but not processed (the worker is stopping): another worker gets them now."""

    def queued_ids(self) -> set[int]:
        """The message ids waiting in the queue or handed out and not yet acknowledged (the sweep skips them)."""

    def close(self) -> None:
        """Release connections."""


class InProcessQueue:
    """A thread-safe in-memory queue for the embedded default (one process, no Redis)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[int] = queue.Queue()
        self._waiting: dict[int, int] = {}  # message id -> copies in the queue
        self._lock = threading.Lock()

    def publish(self, message_ids: Sequence[int]) -> None:
        with self._lock:
            for message_id in message_ids:
                self._waiting[message_id] = self._waiting.get(message_id, 0) + 1
        for message_id in message_ids:
            self._queue.put(message_id)

    def receive(self, *, max_items: int, block_seconds: float) -> list[Delivery]:
        try:
            first = self._queue.get(timeout=block_seconds)
        except queue.Empty:
            return []
        taken = [first]
        while len(taken) < max_items:
            try:
                taken.append(self._queue.get_nowait())
            except queue.Empty:
                break
        with self._lock:
            for message_id in taken:
                left = self._waiting.pop(message_id, 1) - 1
                if left > 0:
                    self._waiting[message_id] = left
        return [Delivery(message_id) for message_id in taken]

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        return None  # nothing to acknowledge: an in-memory item is gone once taken

    def release(self, deliveries: Sequence[Delivery]) -> None:
        self.publish([d.message_id for d in deliveries])  # lost with the process anyway: the sweep finds them

    def queued_ids(self) -> set[int]:
        with self._lock:
            return set(self._waiting)

    def backlog(self) -> int:
        """Message ids waiting in the queue."""
        return self._queue.qsize()

    def close(self) -> None:
        return None


class RedisStreamQueue:
    """Redis Streams with one consumer group: every worker process on every machine shares the stream."""

    def __init__(self, url: str, *, consumer: str | None = None, claim_idle_ms: int = 60_000,
                 stream: str = STREAM, group: str = GROUP) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
        self.stream, self.group = stream, group
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self._claim_idle_ms = claim_idle_ms
        self._group_ready = False

    def _ensure_group(self) -> None:
        """Create the consumer group once (idempotent across processes)."""
        if self._group_ready:
            return
        import redis

        try:
            self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def publish(self, message_ids: Sequence[int]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for message_id in message_ids:
            pipe.xadd(self.stream, {"message_id": str(message_id)})
        pipe.execute()

    def receive(self, *, max_items: int, block_seconds: float) -> list[Delivery]:
        self._ensure_group()
        # First take over entries a dead or stuck worker left pending for too long.
        _, claimed, _ = self._redis.xautoclaim(
            self.stream, self.group, self.consumer, min_idle_time=self._claim_idle_ms, start_id="0-0",
            count=max_items,
        )
        entries = [e for e in claimed if e and e[1]]
        if not entries:
            response = self._redis.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=max_items,
                block=max(1, int(block_seconds * 1000)),
            )
            entries = [e for _, stream_entries in response or () for e in stream_entries]
        return [Delivery(int(fields["message_id"]), entry_id) for entry_id, fields in entries]

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        ids = [d.receipt for d in deliveries if d.receipt]
        if ids:
            pipe = self._redis.pipeline(transaction=False)
            pipe.xack(self.stream, self.group, *ids)
            pipe.xdel(self.stream, *ids)
            pipe.execute()

    def release(self, deliveries: Sequence[Delivery]) -> None:
        # A new entry for each (readable by any worker at once) and the taken one acknowledged and deleted, in one
        # MULTI: a pending entry would otherwise wait claim_idle_ms for another worker to claim it.
        ids = [d.receipt for d in deliveries if d.receipt]
        if not ids:
            return
        pipe = self._redis.pipeline(transaction=True)
        for delivery in deliveries:
            pipe.xadd(self.stream, {"message_id": str(delivery.message_id)})
        pipe.xack(self.stream, self.group, *ids)
        pipe.xdel(self.stream, *ids)
        pipe.execute()

    def queued_ids(self) -> set[int]:
        # Acknowledged entries are deleted (ack), so the stream holds exactly what is waiting or in a worker's hands
        # (a dead worker's entries stay pending until another claims them): all of it is still coming.
        self._ensure_group()
        found: set[int] = set()
        start = "-"
        while True:
            entries = self._redis.xrange(self.stream, min=start, max="+", count=SCAN_PAGE)
            found.update(int(fields["message_id"]) for _, fields in entries if fields.get("message_id"))
            if len(entries) < SCAN_PAGE:
                return found
            start = "(" + entries[-1][0]

    def stream_length(self) -> int:
        """Entries in the stream (waiting or pending)."""
        return int(self._redis.xlen(self.stream))

    def pending_count(self) -> int:
        """Entries delivered to some worker but not yet acknowledged."""
        self._ensure_group()
        return int(self._redis.xpending(self.stream, self.group)["pending"])

    def ping(self) -> bool:
        """True when Redis answers."""
        return bool(self._redis.ping())

    def close(self) -> None:
        self._redis.close()


def make_queue(redis_url: str | None, *, consumer: str | None = None, claim_idle_ms: int = 60_000) -> WorkQueue:
    """Redis Streams when REDIS_URL is set, otherwise the in-process queue."""
    if redis_url:
        return RedisStreamQueue(redis_url, consumer=consumer, claim_idle_ms=claim_idle_ms)
    return InProcessQueue()
