"""Rooms' periodic jobs in the worker: a job marked to run at start runs once as soon as the worker is ready; the
message-vector job runs at a lower priority than answering citizens (its own thread's nice raised)."""
from __future__ import annotations

import os
import threading
import types

from fangsiang.jobs import worker_jobs
from worker.loop import PeriodicJob, Worker


def test_a_job_marked_at_start_runs_once_when_ready_then_on_its_schedule() -> None:
    runs: list[str] = []
    ran = threading.Event()

    def note(name: str):  # type: ignore[no-untyped-def]
        def run(_runtime: object) -> None:
            runs.append(name)
            ran.set()
        return run

    hourly = PeriodicJob(name="spikes", every_seconds=3600.0, run=note("spikes"), at_start=True)
    quiet = PeriodicJob(name="retention", every_seconds=3600.0, run=note("retention"))
    worker = Worker(types.SimpleNamespace(), jobs=(hourly, quiet))
    threads = [threading.Thread(target=worker._job_loop(job), daemon=True) for job in (hourly, quiet)]
    for thread in threads:
        thread.start()
    assert not ran.wait(1.5), "nothing runs before the worker is ready"
    worker.ready.set()
    assert ran.wait(10)
    worker._stop.set()
    for thread in threads:
        thread.join(10)
    assert runs == ["spikes"]  # once, at start; the other waits for its hour


def test_the_spike_job_runs_at_start() -> None:
    jobs = {job.name: job for job in worker_jobs()}
    assert jobs["analytics-spikes"].at_start and jobs["analytics-spikes"].every_seconds == 3600.0


def test_the_vector_job_yields_the_cpu_to_answering_citizens() -> None:
    job = {job.name: job for job in worker_jobs()}["message-vectors"]
    assert job.nice >= 10 and job.every_seconds <= 2.0
    seen: list[int] = []
    ran = threading.Event()

    def run(_runtime: object) -> None:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        ran.set()

    worker = Worker(types.SimpleNamespace(), jobs=())
    worker.ready.set()
    niced = PeriodicJob(name="message-vectors", every_seconds=0.1, run=run, nice=job.nice)
    thread = threading.Thread(target=worker._job_loop(niced), daemon=True)
    thread.start()
    assert ran.wait(10)
    worker._stop.set()
    thread.join(10)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen[0] == min(19, mine + job.nice), "the job's thread only"
    assert mine == os.getpriority(os.PRIO_PROCESS, 0), "the rest of the worker keeps its priority"
