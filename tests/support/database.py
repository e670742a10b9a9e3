"""A migrated SQLite database in a temporary directory, with the default agency's units: for fast tests."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from storage.db import Database
from storage.models import Unit


def migrated_sqlite(path: Path) -> Database:
    """A new SQLite database at `path` with every migration applied and the default agency's units."""
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    agency = load_agency_config(DEFAULT_AGENCY_CONFIG)
    with db.session() as session:
        known = set(session.scalars(select(Unit.code)))
        session.add_all(Unit(code=u.code, name=u.name, topics=list(u.topics), is_triage=u.code == agency.triage_unit)
                        for u in agency.units if u.code not in known)
    return db
