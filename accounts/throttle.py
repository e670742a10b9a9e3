"""Failed sign-ins counted per account: after a few, each further attempt must wait a doubling delay.

Per account (the email typed, whether or not such an account exists, so the answer reveals nothing), beside the
per-IP limit: one person mistyping cannot lock out an office that shares one address, and an attacker rotating
addresses still cannot guess one account's password quickly. Kept in the database, so every web process behind a
load balancer counts the same failures.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts.models import SignInFailure
from storage.db import Database, upsert_insert

FREE_FAILURES = 5  # mistakes anyone makes before any wait
BASE_SECONDS = 2.0  # the first wait; doubles with every further failure
CAP_SECONDS = 15 * 60.0
FORGET_AFTER = dt.timedelta(days=1)  # failures older than this are dropped (a spray of made-up emails stays small)


class SignInThrottle:
    """The waiting policy; the counts live in `sign_in_failures`."""

    def __init__(self, *, free_failures: int = FREE_FAILURES, base_seconds: float = BASE_SECONDS,
                 cap_seconds: float = CAP_SECONDS) -> None:
        self._free, self._base, self._cap = free_failures, base_seconds, cap_seconds

    @staticmethod
    def _key(email: str) -> str:
        return email.strip().lower()[:320]

    def wait_after(self, failures: int) -> float:
        """How long after the last of this many failures the next attempt must wait."""
        beyond = failures - self._free
        return 0.0 if beyond < 0 else min(self._cap, self._base * 2 ** min(beyond, 30))

    def retry_after(self, session: Session, email: str, *, now: dt.datetime) -> float:
        """Seconds until this account may try again (0 when it may try now)."""
        row = session.get(SignInFailure, self._key(email))
        if row is None:
            return 0.0
        return max(0.0, (row.last_failed_at - now).total_seconds() + self.wait_after(row.failures))

    def reserve(self, session: Session, email: str, *, now: dt.datetime) -> float:
        """Take one attempt for this email before its password is checked: 0 when taken (counted as a failure until
        `succeeded` clears it), else the seconds to wait (nothing counted).

        The account's row is locked while deciding (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
        serialises writers), so forty simultaneous attempts cannot all read "no failures yet": at most the free
        failures are checked, the rest wait.
        """
        key = self._key(email)
        session.execute(upsert_insert(session, SignInFailure).values(email_key=key, failures=0, last_failed_at=now)
                        .on_conflict_do_nothing(index_elements=["email_key"]))
        row = session.get(SignInFailure, key, with_for_update=True, populate_existing=True)
        assert row is not None
        wait = max(0.0, (row.last_failed_at - now).total_seconds() + self.wait_after(row.failures)) \
            if row.failures else 0.0
        if wait > 0:
            return wait
        row.failures += 1
        row.last_failed_at = now
        session.execute(delete(SignInFailure).where(SignInFailure.last_failed_at < now - FORGET_AFTER))
        return 0.0

    def take_attempt(self, db: Database, email: str, *, now: dt.datetime) -> float:
        """`reserve` in a transaction of its own, committed before the password is checked (so concurrent attempts
        see it): 0 when the attempt is taken, else the seconds to wait."""
        with db.session() as session:
            return self.reserve(session, email, now=now)

    def failed(self, session: Session, email: str, *, now: dt.datetime) -> None:
        """Count a wrong password (or unknown account) for this email (one atomic upsert, safe across processes)."""
        session.execute(upsert_insert(session, SignInFailure).values(email_key=self._key(email), failures=1,
                                                                       last_failed_at=now)
                        .on_conflict_do_update(index_elements=["email_key"],
                                               set_={"failures": SignInFailure.failures + 1, "last_failed_at": now}))
        session.execute(delete(SignInFailure).where(SignInFailure.last_failed_at < now - FORGET_AFTER))

    def succeeded(self, session: Session, email: str) -> None:
        """A correct sign-in clears the account's failures."""
        session.execute(delete(SignInFailure).where(SignInFailure.email_key == self._key(email)))

    def failures(self, session: Session, email: str) -> int:
        """The failures counted for this email (0 when none)."""
        return session.scalar(select(SignInFailure.failures).where(SignInFailure.email_key == self._key(email))) or 0
