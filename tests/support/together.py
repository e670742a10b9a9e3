"""Several processes doing the same thing at once (services starting together on one fresh database)."""
from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any


def _run(barrier: Any, errors: Any, action: Callable[..., None], args: tuple) -> None:
    try:
        barrier.wait(30)
        action(*args)
    except BaseException:
        errors.put(traceback.format_exc())


def run_together(action: Callable[..., None], *args: Any, processes: int = 4) -> list[str]:
    """Fork `processes` processes that call action(*args) at the same moment; the tracebacks of those that failed
    and one line for each that did not exit cleanly."""
    context = multiprocessing.get_context("fork")
    barrier, errors = context.Barrier(processes), context.Queue()
    started = [context.Process(target=_run, args=(barrier, errors, action, args)) for _ in range(processes)]
    for process in started:
        process.start()
    for process in started:
        process.join(120)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    failures += [f"a process exited with {process.exitcode}" for process in started if process.exitcode != 0]
    return failures
