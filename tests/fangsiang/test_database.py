"""Services starting at once on one fresh database: the agency's units and its canned replies are added once."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from agency.config import load_agency_config
from agency.settings import Settings
from fangsiang.database import open_database
from storage.models import ReplyTemplate, Unit
from tests.support.together import run_together


def _start(settings: Settings) -> None:
    open_database(settings).dispose()


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_services_starting_together_add_the_units_and_replies_once(backend, request, tmp_path: Path) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else f"sqlite:///{tmp_path / 'w.db'}"
    settings = Settings(_env_file=None, fangsiang_data_dir=tmp_path / "data", database_url=url, redis_url=None)
    failures = run_together(_start, settings, processes=4)
    assert not failures, "\n".join(failures)
    agency = load_agency_config(settings.fangsiang_agency_config)
    db = open_database(settings)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == len(agency.units)
        assert session.scalar(select(func.count()).select_from(ReplyTemplate)) == len(agency.reply_templates)
    db.dispose()
