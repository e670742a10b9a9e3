"""The per-address flood limit of the web report form: at most so many reports from one client address per hour,
counted in the database, so every web process (and every worker of each) refuses the same flood.

The count is taken atomically: the address's row is locked while deciding (SELECT … FOR UPDATE on PostgreSQL;
SQLite's BEGIN IMMEDIATE serialises writers), so simultaneous reports from one address in several processes cannot
all read "under the limit". The address is kept only as a keyed hash (an IP address is personal data).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import delete, select

from places.models import ReportSender
from storage.db import Database, upsert_insert

WINDOW = dt.timedelta(hours=1)


def address_key(*, secret: str, address: str) -> str:
    """The keyed hash a client address is counted under."""
    return hmac.new(secret.encode(), address.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def take_report_slot(db: Database, *, secret: str, address: str, limit: int, now: dt.datetime,
                     window: dt.timedelta = WINDOW) -> bool:
    """Count one report from this address in a transaction of its own if it is under `limit` within `window`."""
    key = address_key(secret=secret, address=address)
    since = (now - window).timestamp()
    with db.session() as session:
        session.execute(upsert_insert(session, ReportSender).values(address_key=key, sent_at=[], last_at=now)
                        .on_conflict_do_nothing(index_elements=["address_key"]))
        row = session.get(ReportSender, key, with_for_update=True, populate_existing=True)
        assert row is not None
        recent = [at for at in row.sent_at if at > since]
        allowed = len(recent) < limit
        row.sent_at = [*recent, now.timestamp()] if allowed else recent
        row.last_at = now
        # rows idle past the window go; one another request holds is skipped (two waiting on each other deadlock)
        stale = (select(ReportSender.address_key).where(ReportSender.last_at < now - window,
                                                        ReportSender.address_key != key)
                 .with_for_update(skip_locked=True))
        session.execute(delete(ReportSender).where(ReportSender.address_key.in_(stale)))
    return allowed
