"""Services starting at once on one fresh database: the agency's units and its canned replies are added once."""
from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agency.config import load_agency_config
from agency.settings import Settings
from fangsiang.database import open_database
from storage.models import ReplyTemplate, Unit

STARTERS = 4


def _start(settings: Settings, barrier, errors) -> None:  # type: ignore[no-untyped-def]
    try:
        barrier.wait(30)
        open_database(settings).dispose()
    except BaseException:
        errors.put(traceback.format_exc())


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_services_starting_together_add_the_units_and_replies_once(backend, request, tmp_path: Path) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else f"sqlite:///{tmp_path / 'w.db'}"
    settings = Settings(_env_file=None, fangsiang_data_dir=tmp_path / "data", database_url=url, redis_url=None)
    context = multiprocessing.get_context("fork")
    barrier, errors = context.Barrier(STARTERS), context.Queue()
    starters = [context.Process(target=_start, args=(settings, barrier, errors)) for _ in range(STARTERS)]
    for process in starters:
        process.start()
    for process in starters:
        process.join(120)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert not failures, "\n".join(failures)
    agency = load_agency_config(settings.fangsiang_agency_config)
    db = open_database(settings)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == len(agency.units)
        assert session.scalar(select(func.count()).select_from(ReplyTemplate)) == len(agency.reply_templates)
    db.dispose()
