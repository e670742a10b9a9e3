"""How many CPU threads the classifier's native libraries may use in this process, set on purpose.

The e5 engine (OpenMP) and scikit-learn/numpy (OpenMP, BLAS) default to one thread per core each. In a service that
already runs a web server, a worker and an outbox on two cores, those pools fight each other: one message cost
332 ms CPU with the defaults against 45 ms with one thread. The service calls `limit_threads` once per process with
its setting (`FANGSIANG_THREADS`) before any model is loaded, and again after a native library is loaded late.
"""
from __future__ import annotations

import os

from threadpoolctl import threadpool_limits

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
_configured: list[int] = []


def limit_threads(threads: int) -> None:
    """Cap OpenMP and BLAS pools at `threads`: for libraries still to load (environment) and those loaded already."""
    threads = max(1, int(threads))
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # idle OpenMP threads sleep instead of spinning on a core
    threadpool_limits(limits=threads)
    _configured[:] = [threads]


def configured_threads() -> int | None:
    """The cap set by `limit_threads` in this process, or None when the service never set one."""
    return _configured[0] if _configured else None


def apply_again() -> None:
    """Apply the cap to native libraries loaded since (the e5 engine is loaded on first use)."""
    if _configured:
        threadpool_limits(limits=_configured[0])
