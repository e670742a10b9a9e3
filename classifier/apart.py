"""A first start trains the classifier in a process of its own (multiprocessing spawn), so the process that asked —
the web app with its in-process worker, or a `fangsiang worker` — keeps its CPU and GIL for answering /healthz and
/readyz (training's progress relayed to it) and stops at once: the child is ended when the caller stops asking.

`begin_training` starts that process first thing (before the service imports its app, migrates its database and
starts its worker: single-threaded seconds that leave a core to the training), and `train_apart` follows it.
Light on purpose (standard library only; classifier's package imports only its label sets): a start with no model
spawns before anything heavy is imported, here or in the child."""
from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import os
import queue
import signal
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from .prediction import MODEL_FILE

log = logging.getLogger(__name__)

Progress = Callable[[str, float, "float | None"], None]
POLL_SECONDS = 0.5
# The training process yields to its parent when both want a core: begun before the service has imported its app, it
# would otherwise take two of the three runnable threads and delay the web's first answer; work-conserving, so the
# training still gets every core the parent leaves (nearly all of them once the service is up).
TRAINING_NICE = 5
TRAINING_LOCK = "training.lock"  # in the model directory: held by the process training into it
_begun: dict[tuple[str, str], tuple[Any, Any]] = {}  # (model dir, triage unit) -> (process, its reports' queue)


class TrainingFailed(RuntimeError):
    """The training process ended without a model."""


class TrainingInterrupted(TrainingFailed):
    """The training process was ended by SIGTERM or SIGINT: the service is being stopped (a stop signal sent to the
    whole process group reaches the child before the parent has asked it to stop), not a failure."""


def begin_training(model_dir: Path, *, triage_unit: str) -> bool:
    """Spawn the training process now when model_dir has no model file (a first start), for `train_apart` to follow
    later (its reports wait in the queue meanwhile); whether it was started. A model file that turns out unusable
    (an old format) is retrained the usual way, by `train_apart`."""
    if (Path(model_dir) / MODEL_FILE).exists() or (str(model_dir), triage_unit) in _begun:
        return False
    _begun[(str(model_dir), triage_unit)] = _spawn(model_dir, triage_unit)
    return True


def _spawn(model_dir: Path, triage_unit: str) -> tuple[Any, Any]:
    """The training process, started, and the queue it reports on."""
    context = multiprocessing.get_context("spawn")
    reports: Any = context.Queue()
    child = context.Process(target=_train, args=(str(model_dir), triage_unit, reports, os.getpid()),
                            name="fangsiang-training", daemon=True)
    child.start()
    return child, reports


def train_apart(model_dir: Path, *, triage_unit: str, progress: Progress | None = None) -> None:
    """Train into model_dir in a spawned process (the one `begin_training` started, if any); `progress` is called
    here (stage, fraction, seconds left) as the child moves on and at least every half second, so a caller that
    raises from it (stopping) ends the child."""
    child, reports = _begun.pop((str(model_dir), triage_unit), None) or _spawn(model_dir, triage_unit)
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


@contextlib.contextmanager
def training_lock(model_dir: Path) -> Iterator[None]:
    """Hold the model directory's training lock (released when the file is closed, or the process ends)."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    with open(model_dir / TRAINING_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


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
    _end_with_parent(parent)
    try:
        os.nice(TRAINING_NICE)
    except (AttributeError, OSError):  # not on this platform: the same training, at the parent's priority
        pass

    def report(stage: str, fraction: float, seconds_left: float | None) -> None:
        if os.getppid() != parent:  # the parent died without ending us: nobody will use this model
            os._exit(1)
        reports.put((stage, fraction, seconds_left))

    from .model import train_once  # thread caps: the parent's OMP/BLAS variables, inherited

    train_once(Path(model_dir), triage_unit=triage_unit, progress=report)
    reports.put(("done", 1.0, 0.0))
    # Out now: the model and its metadata are written, and the parent waits for this process to end before it
    # loads them; an interpreter's ordinary exit would first free every object training built (a second or more).
    reports.close()
    reports.join_thread()  # "done" is in the pipe
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


def _end_with_parent(parent: int) -> None:
    """Linux: SIGTERM this process when its parent dies (a service killed while still importing, before it follows
    the training it began: no report would notice it for seconds); elsewhere the reports' check does it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)
