"""A first start trains the classifier in a process of its own (multiprocessing spawn), so the process that asked —
the web app with its in-process worker, or a `fangsiang worker` — keeps its CPU and GIL for answering /healthz and
/readyz (training's progress relayed to it) and stops at once: the child is ended when the caller stops asking."""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)

Progress = Callable[[str, float, "float | None"], None]
POLL_SECONDS = 0.5


class TrainingFailed(RuntimeError):
    """The training process ended without a model."""


class TrainingInterrupted(TrainingFailed):
    """The training process was ended by SIGTERM or SIGINT: the service is being stopped (a stop signal sent to the
    whole process group reaches the child before the parent has asked it to stop), not a failure."""


def train_apart(model_dir: Path, *, triage_unit: str, progress: Progress | None = None) -> None:
    """Train into model_dir in a spawned process; `progress` is called here (stage, fraction, seconds left) as the
    child moves on and at least every half second, so a caller that raises from it (stopping) ends the child."""
    context = multiprocessing.get_context("spawn")
    reports: Any = context.Queue()
    child = context.Process(target=_train, args=(str(model_dir), triage_unit, reports, os.getpid()),
                            name="fangsiang-training", daemon=True)
    child.start()
    last: tuple[str, float, float | None] = ("data", 0.0, None)
    try:
        while True:
            try:
                last = reports.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive():
                    break
            if last[0] == "done":
                break
            if progress is not None:
                progress(*last)
        child.join()
    except BaseException:
        _end(child)
        raise
    finally:
        reports.close()
    if child.exitcode in (-signal.SIGTERM, -signal.SIGINT):
        raise TrainingInterrupted(f"training the classifier was stopped by signal {-child.exitcode}")
    if child.exitcode != 0 or last[0] != "done":
        raise TrainingFailed(f"training the classifier failed (exit code {child.exitcode}); see the log above")


def _end(child: Any) -> None:
    """Stop the training process now: SIGTERM, then SIGKILL if it lingers."""
    if child.is_alive():
        child.terminate()
        child.join(5)
    if child.is_alive():
        child.kill()
        child.join(5)


def _train(model_dir: str, triage_unit: str, reports: Any, parent: int) -> None:
    """In the child: train, sending progress to the parent; give up when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent ends this process

    def report(stage: str, fraction: float, seconds_left: float | None) -> None:
        if os.getppid() != parent:  # the parent died without ending us: nobody will use this model
            os._exit(1)
        reports.put((stage, fraction, seconds_left))

    from classifier.training import train  # thread caps: the parent's OMP/BLAS variables, inherited

    train(Path(model_dir), triage_unit=triage_unit, progress=report)
    reports.put(("done", 1.0, 0.0))
