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
    return f"{prefix}-{year}-{reserve_numbers(session, year_be=year, count=1):06d}"


def reserve_numbers(session: Session, *, year_be: int, count: int) -> int:
    """Reserve `count` consecutive ticket numbers of a B.E. year (an import's batch, or one case); the first."""
    session.execute(upsert_insert(session, TicketCounter).values(year_be=year_be, value=0).on_conflict_do_nothing())
    last = session.execute(
        update(TicketCounter)
        .where(TicketCounter.year_be == year_be)
        .values(value=TicketCounter.value + count)
        .returning(TicketCounter.value)
    ).scalar_one()
    return last - count + 1
