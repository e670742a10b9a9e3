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
from concurrent.futures import Future
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from listeners.base import CitizenMessage
from storage.db import Database
from storage.models import InboundEvent, Message, utcnow

log = logging.getLogger(__name__)


def store_messages(session: Session, *, messages: Sequence[CitizenMessage], received_at: dt.datetime) -> list[int]:
    """Store each new event and its message; return the new message ids (redeliveries return none)."""
    if not messages:
        return []
    insert_fn = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = []
    for item in messages:
        event_id = session.execute(
            insert_fn(InboundEvent)
            .values(channel=item.channel, event_key=item.event_key, event_type=item.kind, payload=item.raw,
                    redelivered=item.redelivered, received_at=received_at)
            .on_conflict_do_nothing(index_elements=["channel", "event_key"])
            .returning(InboundEvent.id)
        ).scalar_one_or_none()
        if event_id is None:
            continue  # seen before: a LINE redelivery or a duplicate in the batch
        rows.append(dict(
            direction="in", channel=item.channel, kind=item.kind, sender_id=item.external_user_id,
            sender_name=item.display_name, inbound_event_id=event_id, external_id=item.external_message_id,
            text=item.text, attachments=list(item.attachments), location=item.location,
            reply_token=item.reply_token, thread_ref=item.thread_ref, sent_at=item.sent_at, received_at=received_at,
            topics=[],
        ))
    if not rows:
        return []
    return list(session.scalars(insert(Message).returning(Message.id, sort_by_parameter_order=True), rows))


class IngestWriter:
    """One writer thread that commits the events of many concurrent webhook requests per transaction."""

    def __init__(self, database: Callable[[], Database], *, max_requests_per_commit: int = 128) -> None:
        self._database = database
        self._max = max_requests_per_commit
        self._queue: queue.Queue[tuple[Sequence[CitizenMessage], Future[list[int]]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="fangsiang-ingest", daemon=True)
        self._thread.start()

    async def store(self, messages: Sequence[CitizenMessage]) -> list[int]:
        """Commit these messages (with others arriving at the same time); their new ids once committed."""
        if not messages:
            return []
        future: Future[list[int]] = Future()
        self._queue.put((messages, future))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Finish what is queued and stop the thread."""
        self._queue.put(None)
        self._thread.join(30)

    def _run(self) -> None:
        """Take every request waiting now, commit them in one transaction, answer each."""
        while True:
            first = self._queue.get()
            if first is None:
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
            self._commit(batch)

    def _commit(self, batch: list[tuple[Sequence[CitizenMessage], Future[list[int]]]]) -> None:
        """One transaction for the batch; on failure every request in it is told, so each answers 503."""
        try:
            with self._database().session() as session:
                received_at = utcnow()
                results = [store_messages(session, messages=m, received_at=received_at) for m, _ in batch]
        except Exception as exc:  # handed to each waiting request, which answers 503 and gets redelivered
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), ids in zip(batch, results):
            future.set_result(ids)
