"""Storing what citizens send: raw event and normalised message in one transaction, deduplicated.

This is the webhook's hot path, so it does only that: two plain inserts per event. Linking the citizen's contact
record, classifying and answering happen in the worker. Concurrent webhook requests are committed together
(group commit) by one writer thread: each request still gets its answer only after its own events are committed.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable, Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from listeners.base import CitizenMessage
from storage.db import Database, upsert_insert
from storage.models import InboundEvent, Message, utcnow

log = logging.getLogger(__name__)


def store_batches(
    session: Session, *, batches: Sequence[Sequence[CitizenMessage]], received_at: dt.datetime
) -> list[list[int]]:
    """Store the events of several webhook requests with two multi-row inserts; new message ids per request.

    Core inserts with a list of rows: SQLAlchemy sends each as one INSERT … VALUES (…), (…) RETURNING from a cached
    compiled statement (no ORM unit of work on the hot path).
    """
    first_seen: dict[tuple[str, str], tuple[int, CitizenMessage]] = {}
    for index, messages in enumerate(batches):
        for item in messages:
            first_seen.setdefault((item.channel, item.event_key), (index, item))
    results: list[list[int]] = [[] for _ in batches]
    items = list(first_seen.values())
    if not items:
        return results
    connection = session.connection()
    events = InboundEvent.__table__
    inserted = connection.execute(
        upsert_insert(session, events).on_conflict_do_nothing(index_elements=["channel", "event_key"])
        .returning(events.c.id, events.c.channel, events.c.event_key),
        [dict(channel=m.channel, event_key=m.event_key, event_type=m.kind, payload=m.raw, redelivered=m.redelivered,
              received_at=received_at) for _, m in items],
    )
    event_ids = {(row.channel, row.event_key): row.id for row in inserted}
    new_items = [(index, m) for index, m in items if (m.channel, m.event_key) in event_ids]
    if not new_items:
        return results  # all seen before: LINE redeliveries or duplicates
    messages_table = Message.__table__
    rows = [dict(
        direction="in", channel=m.channel, kind=m.kind, sender_id=m.external_user_id, sender_name=m.display_name,
        inbound_event_id=event_ids[(m.channel, m.event_key)], external_id=m.external_message_id, text=m.text,
        attachments=list(m.attachments), location=m.location, reply_token=m.reply_token, thread_ref=m.thread_ref,
        sent_at=m.sent_at, received_at=received_at, topics=[],
    ) for _, m in new_items]
    message_ids = connection.execute(
        insert(messages_table).returning(messages_table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    for (index, _), message_id in zip(new_items, message_ids):
        results[index].append(message_id)
    return results


Waiting = tuple[Sequence[CitizenMessage], "asyncio.Future[list[int]]"]  # a request's events and its answer


class IngestWriter:
    """Writer threads: each commits the webhook requests waiting at that moment together, then queues their new
    message ids. One for SQLite (one writer at a time anyway); on PostgreSQL several, so one batch is parsed and sent
    while another waits for its commit to reach the disk."""

    def __init__(self, database: Callable[[], Database], *, publish: Callable[[list[int]], None],
                 max_requests_per_commit: int = 256, writers: int = 1) -> None:
        self._database = database
        self._publish = publish
        self._max = max_requests_per_commit
        self._queue: queue.SimpleQueue[Waiting | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"fangsiang-ingest-{n}", daemon=True)
                         for n in range(max(1, writers))]
        for thread in self._threads:
            thread.start()

    async def store(self, messages: Sequence[CitizenMessage]) -> list[int]:
        """Commit these messages (with others arriving at the same time); their new ids once committed."""
        if not messages:
            return []
        future: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        self._queue.put((messages, future))
        return await future

    def close(self) -> None:
        """Finish what is queued and stop the threads."""
        self._queue.put(None)
        for thread in self._threads:
            thread.join(30)

    def _run(self) -> None:
        """Take every request waiting now, commit them in one transaction, answer each."""
        while True:
            first = self._queue.get()
            if first is None:
                self._queue.put(None)  # for the other writers
                return
            batch = [first]
            while len(batch) < self._max:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(item)
            try:
                self._commit(batch)
            except Exception:  # never let the writer die: every later webhook would wait forever
                log.exception("ingest writer failed on a batch of %d requests", len(batch))
                _answer([(future, RuntimeError("ingest writer failed")) for _, future in batch])

    def _commit(self, batch: list[Waiting]) -> None:
        """One transaction for the batch; if it fails, each request alone, so one bad request fails only itself."""
        try:
            results = self._store([m for m, _ in batch])
        except Exception as exc:  # retried per request below: a poisoned batch must not fail its neighbours
            if len(batch) > 1:
                for item in batch:
                    self._commit([item])
                return
            # handed to the waiting request, which answers 503 and is redelivered
            _answer([(batch[0][1], exc)])
            return
        new_ids = [message_id for ids in results for message_id in ids]
        if new_ids:  # queued before the platform hears back: a citizen's next message is never queued before this one
            try:
                self._publish(new_ids)
            except Exception:  # committed already: a queue outage must not lose them or fail the webhook
                log.exception("queue publish failed for %d messages; the worker's sweep will requeue them",
                              len(new_ids))
        _answer([(future, ids) for (_, future), ids in zip(batch, results)])

    def _store(self, batches: list[Sequence[CitizenMessage]]) -> list[list[int]]:
        """Commit these requests' events in one transaction."""
        with self._database().session() as session:
            return store_batches(session, batches=batches, received_at=utcnow())


def _answer(outcomes: list[tuple["asyncio.Future[list[int]]", list[int] | BaseException]]) -> None:
    """Hand each waiting request its ids (or error) on its event loop: one wake-up per loop for the whole batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[list[int]], object]]] = {}
    for future, outcome in outcomes:
        by_loop.setdefault(future.get_loop(), []).append((future, outcome))
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # that loop has closed: nobody is waiting any more
            pass


def _settle(settled: list[tuple["asyncio.Future[list[int]]", object]]) -> None:
    """Set each future unless its request gave up (client gone): a cancelled one is skipped."""
    for future, outcome in settled:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)  # type: ignore[arg-type]
