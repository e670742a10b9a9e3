"""Ticket numbers readable over the phone: prefix, Buddhist Era year, six-digit sequence (FS-2569-000123)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from agency.thaitime import buddhist_year
from storage.db import upsert_insert
from storage.models import TicketCounter


def next_ticket(session: Session, *, prefix: str, now: dt.datetime) -> str:
    """Issue the next ticket number of the year, safely under concurrent workers."""
    year = buddhist_year(now)
    session.execute(upsert_insert(session, TicketCounter).values(year_be=year, value=0).on_conflict_do_nothing())
    value = session.execute(
        update(TicketCounter)
        .where(TicketCounter.year_be == year)
        .values(value=TicketCounter.value + 1)
        .returning(TicketCounter.value)
    ).scalar_one()
    return f"{prefix}-{year}-{value:06d}"
