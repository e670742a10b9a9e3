"""Failed sign-ins counted per account: after a few, each further attempt must wait a doubling delay.

Per account (the email typed, whether or not such an account exists, so the answer reveals nothing), beside the
per-IP limit: one person mistyping cannot lock out an office that shares one address, and an attacker rotating
addresses still cannot guess one account's password quickly. Kept in the web process's memory.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 5  # mistakes anyone makes before any wait
BASE_SECONDS = 2.0  # the first wait; doubles with every further failure
CAP_SECONDS = 15 * 60.0
MAX_ACCOUNTS = 50_000  # forget the oldest beyond this (memory stays bounded under a spray of made-up emails)


@dataclass
class _Failures:
    count: int
    last: float


class SignInThrottle:
    """Failures per account and the wait they impose; thread-safe."""

    def __init__(self, *, free_failures: int = FREE_FAILURES, base_seconds: float = BASE_SECONDS,
                 cap_seconds: float = CAP_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._free, self._base, self._cap, self._clock = free_failures, base_seconds, cap_seconds, clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(email: str) -> str:
        return email.strip().lower()

    def _wait(self, failures: _Failures) -> float:
        """How long after the last failure the next attempt must wait."""
        beyond = failures.count - self._free
        return 0.0 if beyond < 0 else min(self._cap, self._base * 2 ** min(beyond, 30))

    def retry_after(self, email: str) -> float:
        """Seconds until this account may try again (0 when it may try now)."""
        with self._lock:
            failures = self._failures.get(self._key(email))
            if failures is None:
                return 0.0
            return max(0.0, failures.last + self._wait(failures) - self._clock())

    def failed(self, email: str) -> None:
        """Count a wrong password (or unknown account) for this email."""
        key = self._key(email)
        with self._lock:
            failures = self._failures.pop(key, None) or _Failures(0, 0.0)
            failures.count += 1
            failures.last = self._clock()
            self._failures[key] = failures
            while len(self._failures) > MAX_ACCOUNTS:
                self._failures.popitem(last=False)

    def succeeded(self, email: str) -> None:
        """A correct sign-in clears the account's failures."""
        with self._lock:
            self._failures.pop(self._key(email), None)
