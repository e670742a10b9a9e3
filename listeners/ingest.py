"""Storing what citizens send: raw event and normalised message in one transaction, deduplicated.

This is the webhook's hot path, so it does only that: two plain inserts per event (one statement per batch on
PostgreSQL). Linking the citizen's contact
record, classifying and answering happen in the worker. Concurrent webhook requests are committed together
(group commit) by a writer thread: each request still gets its answer only after its own events are committed.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from listeners.base import CitizenMessage
from storage.db import Database
from storage.models import InboundEvent, Message, utcnow

log = logging.getLogger(__name__)


def store_batches(
    connection: Connection, *, batches: Sequence[Sequence[CitizenMessage]], received_at: dt.datetime
) -> list[list[int]]:
    """Store the events of several webhook requests, in the connection's transaction (or, on a PostgreSQL connection in
    autocommit, as one statement or one transaction of their own); new message ids per request. PostgreSQL: one
    statement (`_ONE_STATEMENT`); SQLite, or rows holding a NUL: two multi-row inserts."""
    first_seen: dict[tuple[str, str], tuple[int, CitizenMessage]] = {}
    for index, messages in enumerate(batches):
        for item in messages:
            first_seen.setdefault((item.channel, item.event_key), (index, item))
    results: list[list[int]] = [[] for _ in batches]
    items = list(first_seen.values())
    if not items:
        return results
    if connection.dialect.driver == "psycopg":
        stored = _store_in_one_statement(connection, [m for _, m in items], received_at)
        if stored is not None:
            for position, message_id in stored:
                results[items[position][0]].append(message_id)
            return results
    with _atomic(connection):
        return _store_in_two_inserts(connection, items, received_at, results)


def _store_in_two_inserts(connection: Connection, items: list[tuple[int, CitizenMessage]], received_at: dt.datetime,
                          results: list[list[int]]) -> list[list[int]]:
    """The events, then the messages of the new ones: two multi-row inserts (SQLite; PostgreSQL when the rows hold a
    NUL character); each request's new message ids added to `results`."""
    inserted = _EVENTS.run(connection, [(m.channel, m.event_key, m.kind, m.raw, m.redelivered, received_at)
                                        for _, m in items])
    event_ids = {(channel, event_key): event_id for event_id, channel, event_key in inserted}
    new_items = [(index, m, event_ids[(m.channel, m.event_key)]) for index, m in items
                 if (m.channel, m.event_key) in event_ids]
    if not new_items:
        return results  # all seen before: LINE redeliveries or duplicates
    # Matched back by event (one message per new event), whatever order RETURNING gives them in.
    message_ids = dict(_MESSAGES.run(connection, [(
        "in", m.channel, m.kind, m.external_user_id, m.display_name, event_id, m.external_message_id, m.text,
        list(m.attachments) if m.attachments else _NOTHING, m.location, m.reply_token, m.thread_ref, m.sent_at,
        received_at, _NOTHING,
    ) for _, m, event_id in new_items]))
    for index, _, event_id in new_items:
        results[index].append(message_ids[event_id])
    return results


# PostgreSQL: the batch's events and their messages in one statement, from one JSON parameter (the rows serialised
# by Python's C encoder in one call, not a bind parameter per value dumped by the driver one by one; one round trip,
# and the same statement text for every batch size, so the server prepares it once per connection). Events already
# stored (a redelivery, another writer's) are skipped by the unique (channel, event_key); a message only for a new
# event; ids in the batch's order. A JSON null `location` stays JSON null, as SQLAlchemy's JSON type stores None.
_ONE_STATEMENT = """
WITH batch AS MATERIALIZED (
    SELECT * FROM json_to_recordset($1::json) AS r(
        n integer, channel text, event_key text, event_type text, payload json, redelivered boolean, kind text,
        sender_id text, sender_name text, external_id text, "text" text, attachments json, location json,
        reply_token text, thread_ref text, sent_at timestamptz)
), new_events AS (
    INSERT INTO inbound_events (channel, event_key, event_type, payload, redelivered, received_at)
    SELECT channel, event_key, event_type, payload, redelivered, $2::timestamptz FROM batch ORDER BY n
    ON CONFLICT (channel, event_key) DO NOTHING
    RETURNING id, channel, event_key
), new_messages AS (
    INSERT INTO messages (direction, channel, kind, sender_id, sender_name, inbound_event_id, external_id, "text",
                          attachments, location, reply_token, thread_ref, sent_at, received_at, topics)
    SELECT 'in', b.channel, b.kind, b.sender_id, b.sender_name, e.id, b.external_id, b."text", b.attachments,
           COALESCE(b.location, 'null'::json), b.reply_token, b.thread_ref, b.sent_at, $2::timestamptz, '[]'::json
    FROM batch b JOIN new_events e ON e.channel = b.channel AND e.event_key = b.event_key
    ORDER BY b.n
    RETURNING id, inbound_event_id
)
SELECT b.n, m.id
FROM new_messages m JOIN new_events e ON e.id = m.inbound_event_id
JOIN batch b ON b.channel = e.channel AND b.event_key = e.event_key
ORDER BY b.n
"""


def _store_in_one_statement(connection: Connection, items: Sequence[CitizenMessage],
                            received_at: dt.datetime) -> list[tuple[int, int]] | None:
    """PostgreSQL: insert these (distinct) events and their messages with `_ONE_STATEMENT`; (position in `items`,
    new message id) for each new event. None when the rows hold a NUL character (`\\u0000`), which
    json_to_recordset cannot read anywhere in its document though a JSON column keeps it: the caller's two inserts
    store those."""
    document = json.dumps([{
        "n": n, "channel": m.channel, "event_key": m.event_key, "event_type": m.kind, "payload": m.raw,
        "redelivered": m.redelivered, "kind": m.kind, "sender_id": m.external_user_id, "sender_name": m.display_name,
        "external_id": m.external_message_id, "text": m.text, "attachments": m.attachments, "location": m.location,
        "reply_token": m.reply_token, "thread_ref": m.thread_ref, "sent_at": _utc(m.sent_at).isoformat(),
    } for n, m in enumerate(items)], ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if "\\u0000" in document:
        return None
    from psycopg import RawCursor

    with RawCursor(connection.connection.driver_connection) as cursor:
        cursor.execute(_ONE_STATEMENT, [document, _utc(received_at)])
        return [(position, message_id) for position, message_id in cursor.fetchall()]


@contextlib.contextmanager
def _atomic(connection: Connection) -> Iterator[None]:
    """A transaction of its own around several statements on a psycopg connection in autocommit (the PostgreSQL ingest
    writers': their one-statement batches need no BEGIN and COMMIT round trips); otherwise the caller's transaction."""
    driver = connection.connection.driver_connection
    if connection.dialect.driver == "psycopg" and driver.autocommit:
        with driver.transaction():
            yield
    else:
        yield


def _utc(value: dt.datetime) -> dt.datetime:
    """An aware timestamp in UTC (what the UTCDateTime column type stores; a naive one is refused the same way)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(dt.UTC)


class _RowsInsert:
    """A multi-row INSERT … RETURNING handed straight to the database driver, inside the session's transaction.

    The webhook's hot path: SQLAlchemy's Core insert costs more per row than the database does (parameter
    construction, execution context, result metadata). This one builds the statement text once per dialect and row
    count, and passes each value through its column type's own bind processor, so what is stored is exactly what
    SQLAlchemy would have sent (JSON text or wrapper, SQLite's datetime text, UTC conversion).
    """

    MAX_PARAMETERS = 30000  # under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters per statement

    def __init__(self, table: Table, columns: Sequence[str], returning: Sequence[str], *,
                 skip_conflicts_on: Sequence[str] = ()) -> None:
        self._table = table
        self._columns = list(columns)
        self._returning = list(returning)
        self._conflict = list(skip_conflicts_on)
        self._processors: dict[str, list[Callable[[Any], Any] | None]] = {}
        self._statements: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()

    def run(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Insert the rows (in chunks under the parameter limit); the RETURNING rows."""
        dialect = connection.dialect
        processors = self._processors.get(dialect.name) or self._prepare(dialect)
        per_statement = max(1, self.MAX_PARAMETERS // len(self._columns))
        out: list[tuple[Any, ...]] = []
        cursor = self._cursor(connection)
        try:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start:start + per_statement]
                columns = [column if process is None else _processed(process, column)
                           for process, column in zip(processors, zip(*chunk))]
                parameters = [value for row in zip(*columns) for value in row]
                cursor.execute(self._statement(dialect, len(chunk)), parameters)
                out.extend(tuple(row) for row in cursor.fetchall())
        finally:
            cursor.close()
        return out

    @staticmethod
    def _cursor(connection: Connection) -> Any:
        """A driver cursor on the transaction's connection (psycopg's raw one: $n placeholders, no query parsing)."""
        driver = connection.connection.driver_connection
        if connection.dialect.driver == "psycopg":  # psycopg ≥ 3.2 (pyproject.toml)
            from psycopg import RawCursor

            return RawCursor(driver)
        if connection.dialect.driver != "pysqlite":
            raise RuntimeError(f"the webhook's inserts support SQLite and psycopg only, not {connection.dialect.driver}")
        return driver.cursor()

    def _prepare(self, dialect: Dialect) -> list[Callable[[Any], Any] | None]:
        """Each column's bind processor for this dialect."""
        with self._lock:
            processors = [self._table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self._columns]
            self._processors[dialect.name] = processors
        return processors

    def _statement(self, dialect: Dialect, count: int) -> str:
        """INSERT INTO t (…) VALUES (…), … [ON CONFLICT (…) DO NOTHING] RETURNING …, in the driver's paramstyle."""
        key = (dialect.name, count)
        statement = self._statements.get(key)
        if statement is None:
            quote = dialect.identifier_preparer.quote
            width = len(self._columns)
            if dialect.paramstyle == "qmark":  # sqlite3
                rows = ", ".join(["(" + ", ".join(["?"] * width) + ")"] * count)
            else:  # psycopg's raw cursor: PostgreSQL's own $n, nothing for the driver to parse
                rows = ", ".join("(" + ", ".join(f"${n * width + k + 1}" for k in range(width)) + ")"
                                 for n in range(count))
            conflict = (f" ON CONFLICT ({', '.join(map(quote, self._conflict))}) DO NOTHING" if self._conflict else "")
            statement = (f"INSERT INTO {quote(self._table.name)} ({', '.join(map(quote, self._columns))}) "
                         f"VALUES {rows}{conflict} "
                         f"RETURNING {', '.join(map(quote, self._returning))}")
            if len(self._statements) < 512:  # batch sizes vary; keep the cache bounded
                self._statements[key] = statement
        return statement


def _processed(process: Callable[[Any], Any], column: Sequence[Any]) -> Sequence[Any]:
    """One column's values through its bind processor; a value the whole column shares (the batch's received_at,
    None, the shared empty list) goes through once."""
    first = column[0]
    if all(value is first for value in column):
        return [process(first)] * len(column)
    return [process(value) for value in column]


_NOTHING: list[Any] = []  # the empty list every row without attachments or topics shares (never changed)


_EVENTS = _RowsInsert(InboundEvent.__table__,
                      ["channel", "event_key", "event_type", "payload", "redelivered", "received_at"],
                      ["id", "channel", "event_key"], skip_conflicts_on=["channel", "event_key"])
_MESSAGES = _RowsInsert(Message.__table__,
                        ["direction", "channel", "kind", "sender_id", "sender_name", "inbound_event_id", "external_id",
                         "text", "attachments", "location", "reply_token", "thread_ref", "sent_at", "received_at",
                         "topics"],
                        ["inbound_event_id", "id"])


PUBLISH_MAX_IDS = 10_000  # ids queued per publish call at most (what piled up while the queue was slow)
Waiting = tuple[Sequence[CitizenMessage], "asyncio.Future[list[int]]"]  # a request's events and its answer


class IngestWriter:
    """Writer threads: each commits the webhook requests waiting at that moment together, hands their new message ids
    to the publisher and answers them. One writer for SQLite (one writer at a time anyway); on PostgreSQL several, so
    one batch is sent while another waits for its commit to reach the disk.

    One publisher thread queues the ids for the worker in the order the writers hand them over. A request's ids enter its
    first-in-first-out line before the request is answered, so a citizen's next message (sent after that answer) is
    always queued after this one; a slow or unreachable Redis delays the worker, never the webhook. Ids committed but
    not queued (a crash, Redis down) are found by the worker's sweep: the database is the source of truth.
    """

    def __init__(self, database: Callable[[], Database], *, publish: Callable[[list[int]], None],
                 max_requests_per_commit: int = 256, writers: int = 1) -> None:
        self._database = database
        self._publish = publish
        self._max = max_requests_per_commit
        self._queue: queue.SimpleQueue[list[Waiting] | None] = queue.SimpleQueue()
        # Each event loop's requests not yet handed to the writers: one hand-over per loop iteration, not per request.
        self._gathering: dict[asyncio.AbstractEventLoop, list[Waiting]] = {}
        self._to_publish: queue.SimpleQueue[list[int] | None] = queue.SimpleQueue()
        self._held = threading.local()  # each writer thread's (database, connection)
        self._threads = [threading.Thread(target=self._run, name=f"fangsiang-ingest-{n}", daemon=True)
                         for n in range(max(1, writers))]
        self._publisher = threading.Thread(target=self._publish_in_order, name="fangsiang-ingest-publish",
                                           daemon=True)
        self._publisher.start()
        for thread in self._threads:
            thread.start()

    async def store(self, messages: Sequence[CitizenMessage]) -> list[int]:
        """Commit these messages (with others arriving at the same time); their new ids once committed."""
        if not messages:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[int]] = loop.create_future()
        gathering = self._gathering.get(loop)
        if gathering is None:  # the first request of this loop iteration: hand over once the others have run too
            gathering = self._gathering[loop] = []
            loop.call_soon(self._hand_over, loop)
        gathering.append((messages, future))
        return await future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """Queue the requests this loop gathered in its last iteration together: one writer wake-up for them all,
        not one per request (each wake-up also hands the interpreter lock back and forth)."""
        gathering = self._gathering.pop(loop, [])
        for start in range(0, len(gathering), self._max):
            self._queue.put(gathering[start:start + self._max])

    def close(self) -> None:
        """Finish what is queued and stop the threads."""
        self._queue.put(None)
        for thread in self._threads:
            thread.join(30)
        stuck = [thread.name for thread in self._threads if thread.is_alive()]
        if stuck:  # their last ids, if any, are requeued by the worker's sweep (the database has them)
            log.warning("ingest writers still busy at shutdown: %s", ", ".join(stuck))
        self._to_publish.put(None)  # after every writer has handed over its last ids
        self._publisher.join(30)

    def _run(self) -> None:
        """Take every request waiting now, commit them in one transaction, answer each."""
        try:
            self._work()
        finally:
            self._drop_connection()

    def _work(self) -> None:
        """The writer's loop, until close()."""
        while True:
            first = self._queue.get()
            if first is None:
                self._queue.put(None)  # for the other writers
                return
            batch = list(first)
            while len(batch) < self._max:  # whole hand-overs: a batch may pass the maximum by less than one
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.extend(item)
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
        if new_ids:  # in line to be queued before the platform hears back (see the class docstring)
            self._to_publish.put(new_ids)
        _answer([(future, ids) for (_, future), ids in zip(batch, results)])

    def _publish_in_order(self) -> None:
        """Queue committed ids for the worker in the order the writers handed them over (a request's ids before its
        answer), what piled up meanwhile in one call, until close()."""
        stopping = False
        while not stopping:
            first = self._to_publish.get()
            if first is None:
                return
            ids = list(first)
            while len(ids) < PUBLISH_MAX_IDS:
                try:
                    more = self._to_publish.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                ids.extend(more)
            try:
                self._publish(ids)
            except Exception:  # committed already: a queue outage must not lose them or stop the publisher
                log.exception("queue publish failed for %d messages; the worker's sweep will requeue them", len(ids))

    def _store(self, batches: list[Sequence[CitizenMessage]]) -> list[list[int]]:
        """Commit these requests' events in one transaction, on this writer's own connection."""
        connection = self._connection()
        try:
            with connection.begin():
                return store_batches(connection, batches=batches, received_at=utcnow())
        except Exception:  # the connection may be broken (database restarted): the next batch takes a fresh one
            self._drop_connection(broken=True)
            raise

    def _connection(self) -> Connection:
        """The writer thread's connection, held between batches: a checkout per batch (with its liveness ping on
        PostgreSQL) cost more than the batch's inserts. A fresh one after a failure or when the database changed."""
        database = self._database()
        held = getattr(self._held, "value", None)
        if held is not None and held[0] is database:
            return held[1]
        self._drop_connection()
        connection = database.engine.connect()
        if not database.is_sqlite:  # a batch is one statement, atomic by itself: no BEGIN and COMMIT round trips
            connection.execution_options(isolation_level="AUTOCOMMIT")
        self._held.value = (database, connection)
        return connection

    def _drop_connection(self, *, broken: bool = False) -> None:
        """Give the thread's connection back to the pool; after a failure (`broken`) the pool discards it: the raw
        driver cursor's errors never reach SQLAlchemy's own disconnect check."""
        held = getattr(self._held, "value", None)
        self._held.value = None
        if held is None:
            return
        try:
            if broken:
                held[1].invalidate()
            held[1].close()
        except Exception:  # closing a broken connection: nothing more to do than forget it
            log.debug("closing the ingest writer's connection failed", exc_info=True)


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
