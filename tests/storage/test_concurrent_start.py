"""Several workers starting at once on one fresh database: migrations and the rollups' watermark never race."""
from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from agency.thaitime import WorkingCalendar
from analytics.models import Watermark
from analytics.rollups import update_rollups
from storage.db import Database
from tests.support.together import run_together

STARTERS = 4


def _start(url: str, barrier) -> None:  # type: ignore[no-untyped-def]
    """What a worker does first: migrate, then its first rollup step (which creates the watermark)."""
    db = Database(url)
    db.upgrade()
    barrier.wait(60)  # every process has migrated: now all create the watermark together
    with db.session() as session:
        update_rollups(session, calendar=WorkingCalendar())
    db.dispose()


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_workers_starting_together_migrate_and_seed_without_error(backend, request, tmp_path) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else f"sqlite:///{tmp_path / 'w.db'}"
    failures = run_together(_start, url, multiprocessing.get_context("fork").Barrier(STARTERS), processes=STARTERS)
    assert not failures, "\n".join(failures)
    db = Database(url)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Watermark)) == 1
    db.dispose()
