"""The worker: takes message ids from the queue, processes them, and sends the outbox."""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

import classifier
from bot.senders import OutgoingMessage, SendError
from cases.deadlines import escalate_overdue
from storage import outbox
from storage.models import Message, OutboxMessage, utcnow
from worker import metrics
from worker.citizen_events import prepare, process_message
from runtime import agency_classifier
from classifier.apart import TrainingInterrupted

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)


SWEEP_LIMIT = 5000  # messages requeued per sweep at most
OUTBOX_LEASE_SECONDS = 60  # a claimed outbox row is its dispatcher's for this long (then due again: a crash mid-send)

Progress = Callable[[str, float, "float | None"], None]


class TrainingStopped(Exception):
    """The worker was asked to stop while training the classifier: training gives up at its next step."""


@dataclass(frozen=True)
class PeriodicJob:
    """Something a room needs done every so often in the worker (spike detection, retention, rollups)."""

    name: str
    every_seconds: float
    run: Callable[["Runtime"], object]
    at_start: bool = False  # also run once as soon as the worker is ready (not only after the first interval)
    nice: int = 0  # raised: its thread yields the CPU to answering citizens (Linux nice, this thread only)


class Worker:
    """Message processing, outbox sending and the sweep for lost work, each in its own thread."""

    def __init__(self, runtime: "Runtime", *, batch: int = 32, poll_seconds: float = 0.5,
                 sweep_seconds: float = 30.0, escalate_seconds: float = 60.0,
                 jobs: Sequence[PeriodicJob] = (), progress: Progress | None = None) -> None:
        self.runtime = runtime
        self.progress = progress  # told how a first-start training goes (stage, fraction done, seconds left)
        self.jobs = tuple(jobs)
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.sweep_seconds = sweep_seconds
        self.escalate_seconds = escalate_seconds
        self._stop = threading.Event()
        self._outbox_due = threading.Event()  # set when this worker queued a reply: the outbox sends it at once
        self._threads: list[threading.Thread] = []
        self.ready = threading.Event()

    def start(self) -> None:
        """Start the loops in daemon threads."""
        for target, name in ((self._consume_loop, "consume"), (self._outbox_loop, "outbox"),
                             (self._sweep_loop, "sweep"), (self._escalate_loop, "escalate"),
                             *((self._job_loop(job), job.name) for job in self.jobs)):
            thread = threading.Thread(target=self._guard(target), name=f"fangsiang-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def halt(self) -> None:
        """Ask the loops to finish without waiting: no new message is taken, the one in hand is finished and the
        rest of the batch given back; the outbox, the sweep and the jobs end at their next check."""
        self._stop.set()
        self._outbox_due.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loops to finish and wait for them, `timeout` seconds in all (the threads are daemons)."""
        self.halt()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def run_forever(self) -> None:
        """Run until interrupted (the `fangsiang worker` command)."""
        self.start()
        try:
            while not self._stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            log.info("stopping worker")
        finally:
            self.stop()

    def _guard(self, loop):  # type: ignore[no-untyped-def]
        """Keep a loop alive through unexpected errors, logging each one."""
        def run() -> None:
            while not self._stop.is_set():
                try:
                    loop()
                    return
                except Exception:
                    log.exception("worker loop %s failed; restarting in 2 s", loop.__name__)
                    self._stop.wait(2.0)
        return run

    def load_classifier(self) -> None:
        """Load the trained classifier, training it first when there is none (first use)."""
        settings, agency = self.runtime.settings, self.runtime.agency
        def report(stage: str, fraction: float, seconds_left: float | None) -> None:
            if self._stop.is_set():
                raise TrainingStopped("the worker is stopping")
            if self.progress is not None:
                self.progress(stage, fraction, seconds_left)

        classifier.configure(agency_classifier(settings, agency, progress=report, apart=True))

    def _consume_loop(self) -> None:
        """Take message ids from the queue and process each."""
        if not self.ready.is_set():
            try:
                self.load_classifier()
            except (TrainingStopped, TrainingInterrupted):
                log.info("stopped while training the classifier; it starts again on the next start")
                return
            try:  # before saying ready: built after, it kept the first citizens' answers waiting for it
                prepare(self.runtime)
            except Exception:
                log.exception("the FAQ matcher could not be built at start; the first FAQ question builds it")
            self.ready.set()
        queue = self.runtime.queue
        while not self._stop.is_set():
            deliveries = queue.receive(max_items=self.batch, block_seconds=self.poll_seconds)
            done = []
            for index, delivery in enumerate(deliveries):
                if self._stop.is_set():  # stopping: finish the one in hand, give the rest back at once
                    queue.ack(done)
                    queue.release(deliveries[index:])
                    return
                started = time.perf_counter()
                try:
                    outcome = process_message(self.runtime, message_id=delivery.message_id)
                except Exception:  # left unacknowledged: claimed again or swept later; the others go on
                    log.exception("message %s could not be processed; it will be retried", delivery.message_id)
                    outcome = "failed"
                else:
                    done.append(delivery)
                    self._outbox_due.set()  # its answer (if any) is committed: send it now, not at the next poll
                metrics.MESSAGES_PROCESSED.labels(outcome=outcome).inc()
                metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
            queue.ack(done)

    def _outbox_loop(self) -> None:
        """Send due outbox messages until stopped: at once when this worker has processed a message, else every
        poll (replies written elsewhere: officers in the web app, retries with backoff)."""
        while not self._stop.is_set():
            self._outbox_due.clear()  # cleared before reading: a message processed from now on wakes the wait below
            if self.dispatch_outbox() == 0:
                self._outbox_due.wait(self.poll_seconds)

    def _sweep_loop(self) -> None:
        """Once the worker is ready, requeue messages stored but not queued: at once (what a restart left in the
        database), then every so often."""
        while not self.ready.wait(0.5):
            if self._stop.is_set():
                return
        while not self._stop.is_set():
            self.sweep_once(older_than=dt.timedelta(seconds=self.sweep_seconds))
            self._stop.wait(self.sweep_seconds)

    def _escalate_loop(self) -> None:
        """Every minute, refresh the agency's days off and flag open cases past their deadline to unit admins."""
        while not self._stop.wait(self.escalate_seconds):
            self.runtime.reload_calendar()  # days off an admin added in the web app (maybe another process)
            self.escalate_once()

    def _job_loop(self, job: PeriodicJob) -> Callable[[], None]:
        """A loop running one room's periodic job once the worker is ready."""
        def loop() -> None:
            if job.nice:
                lower_priority(job.nice)
            while job.at_start and not self._stop.is_set():
                if self.ready.wait(min(1.0, job.every_seconds)):
                    job.run(self.runtime)
                    break
            while not self._stop.wait(job.every_seconds):
                if self.ready.is_set():
                    job.run(self.runtime)
        loop.__name__ = f"job_{job.name}"
        return loop

    def escalate_once(self) -> int:
        """Escalate overdue open cases; returns how many were newly escalated."""
        with self.runtime.db.session() as session:
            escalated = escalate_overdue(session, now=utcnow())
        if escalated:
            log.info("escalated %d overdue cases", len(escalated))
        return len(escalated)

    def sweep_once(self, *, older_than: dt.timedelta = dt.timedelta(0), limit: int = SWEEP_LIMIT) -> int:
        """Requeue unprocessed citizen messages that are not in the queue (lost between commit and publish, or by a
        crash); a message still waiting or in a worker's hands is left alone, so a backlog is never queued twice."""
        cutoff = utcnow() - older_than
        queued = self.runtime.queue.queued_ids()  # read first: anything acknowledged since is processed already
        with self.runtime.db.read_session() as session:
            unprocessed = session.scalars(
                select(Message.id).where(Message.processed_at.is_(None), Message.direction == "in",
                                         Message.received_at <= cutoff).order_by(Message.id)
                .limit(limit + len(queued)))
            ids = [message_id for message_id in unprocessed if message_id not in queued][:limit]
        if ids:
            log.info("requeueing %d unprocessed messages", len(ids))
            self.runtime.queue.publish(ids)
        return len(ids)

    def dispatch_outbox(self, *, limit: int = 20) -> int:
        """Send one batch of due outbox messages, each recorded as soon as it is sent; returns how many were attempted.
        (Recording a whole batch in one write saved SQLite lock waits but put every sent row of the batch at risk of
        being sent twice: a stop, a failed write or a lease running out during slow sends.)"""
        settings = self.runtime.settings
        with self.runtime.db.read_session() as session:  # nothing due (each poll, mostly): no write lock taken
            if not outbox.any_due(session, now=utcnow()):
                return 0
        with self.runtime.db.session() as session:
            rows = outbox.claim_due(session, now=utcnow(), limit=limit, lease_seconds=OUTBOX_LEASE_SECONDS)
            items = [_outgoing(row) for row in rows]
        for outbox_id, item in items:
            failure = self._attempt(outbox_id, item)
            if failure is not None:
                with self.runtime.db.session() as session:
                    status = outbox.mark_failed(
                        session, outbox_id=outbox_id, error=str(failure), permanent=failure.permanent, now=utcnow(),
                        max_attempts=settings.fangsiang_outbox_max_attempts,
                        backoff_seconds=settings.fangsiang_outbox_backoff_seconds,
                        backoff_cap_seconds=settings.fangsiang_outbox_backoff_cap_seconds,
                    )
                metrics.OUTBOX_SENDS.labels(channel=item.channel, result=status).inc()
                log.warning("outbox %s not sent (%s): %s", outbox_id, status, failure)
                continue
            with self.runtime.db.session() as session:
                outbox.mark_sent(session, outbox_id=outbox_id, now=utcnow())
            metrics.OUTBOX_SENDS.labels(channel=item.channel, result="sent").inc()
        return len(items)

    def _attempt(self, outbox_id: int, item: OutgoingMessage) -> SendError | None:
        """Send one message; return why it failed, if it did."""
        try:
            self.runtime.senders.send(item)
        except SendError as exc:
            return exc
        except Exception as exc:  # an unforeseen client error: retried with backoff, never left unrecorded
            log.exception("outbox %s: unexpected error from the %s sender", outbox_id, item.channel)
            return SendError(f"unexpected {type(exc).__name__}", permanent=False)
        return None


def lower_priority(nice: int) -> None:
    """Raise the calling thread's nice by `nice` (Linux: a thread's own priority; native threads it starts later
    inherit it); elsewhere, or where it is not allowed, the thread keeps its priority."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + nice))
    except (AttributeError, OSError) as exc:
        log.info("thread priority left as it is: %s", exc)


def _outgoing(row: OutboxMessage) -> tuple[int, OutgoingMessage]:
    """An outbox row as the sender's message; the reply token is only worth trying on the first attempt."""
    payload = row.payload
    return row.id, OutgoingMessage(
        channel=row.channel, recipient=row.recipient, text=payload["text"], idempotency_key=row.idempotency_key,
        reply_token=row.reply_token if row.attempts <= 1 else None, thread_ref=row.thread_ref,
        extra={k: payload[k] for k in ("messaging_type", "tag", "messages") if k in payload},
    )
