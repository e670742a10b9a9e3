"""A migrated database on SQLite or PostgreSQL with the default agency's units and staff, for report tests."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from storage.db import Database
from storage.models import Unit, User
from tests.support.database import migrated_sqlite

STAFF = (("admin@example.go.th", "admin", None), ("analyst@example.go.th", "analyst", None),
         ("works@example.go.th", "officer", "public_works"), ("env@example.go.th", "officer", "environment"))


def migrated(backend: str, *, tmp_path: Path, request: pytest.FixtureRequest) -> Database:
    """A migrated database of the backend with the agency's units and one user of each role."""
    if backend == "sqlite":
        db = migrated_sqlite(tmp_path / "reports.db")
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        db.upgrade()
        agency = load_agency_config(DEFAULT_AGENCY_CONFIG)
        with db.session() as session:
            session.add_all(Unit(code=u.code, name=u.name, topics=list(u.topics),
                                 is_triage=u.code == agency.triage_unit) for u in agency.units)
    with db.session() as session:
        session.add_all(User(email=email, password_hash="-", role=role, unit_code=unit) for email, role, unit in STAFF)
    return db


def user(db: Database, email: str) -> User:
    """A detached user row."""
    with db.session() as session:
        found = session.scalars(select(User).where(User.email == email)).one()
        session.expunge(found)
        return found
