"""A migrated database on SQLite or PostgreSQL with the default agency's units, and helpers to seed cases with places
and e5 vectors as the worker stores them."""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import select

from agency.config import load_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from agency.thaitime import WorkingCalendar
from cases import service as cases
from classifier.embedding import embed
from places import service
from places.config import load_places_config
from storage.db import Database
from storage.models import Case, Contact, Message, Unit, User, utcnow
from tests.support.database import migrated_sqlite

AGENCY = load_agency_config(DEFAULT_AGENCY_CONFIG)
PLACES = load_places_config(DEFAULT_AGENCY_CONFIG)
METRES_PER_DEGREE = 111_320.0
HOME = (13.7563, 100.5018)


@pytest.fixture
def places_db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """The database of the test's backend (parametrised "sqlite" / "postgres" via `backend`)."""
    backend = request.getfixturevalue("backend")
    if backend == "sqlite":
        db = migrated_sqlite(tmp_path / "places.db")
    else:
        url = request.getfixturevalue("postgres_url").replace("postgresql://", "postgresql+psycopg://", 1)
        db = Database(url)
        db.upgrade()
        with db.session() as session:
            known = set(session.scalars(select(Unit.code)))
            session.add_all(Unit(code=u.code, name=u.name, topics=list(u.topics), is_triage=u.code == AGENCY.triage_unit)
                            for u in AGENCY.units if u.code not in known)
    yield db
    db.dispose()


def north_of(metres: float, origin: tuple[float, float] = HOME) -> tuple[float, float]:
    """A point this many metres north of the origin."""
    return origin[0] + metres / METRES_PER_DEGREE, origin[1]


def seed_case(session, *, text: str, unit: str, at: tuple[float, float] | None, citizen: str,  # type: ignore[no-untyped-def]
              source: str = "line_location", channel: str = "line", embedded: bool = True) -> Case:
    """A complaint opened as the worker opens one: classified message with its e5 vector (unless not `embedded`:
    tests of nothing but proof and merges need no meaning), then its place."""
    contact = Contact(channel=channel, external_id=citizen, following=True)
    session.add(contact)
    session.flush()
    now = utcnow()
    vector = np.asarray(embed([text])[0], dtype=np.float16).tobytes() if embedded else None
    message = Message(direction="in", channel=channel, kind="text", contact_id=contact.id, text=text,
                      intent="complaint", intent_confidence=0.9, unit_code=unit, unit_confidence=0.9, sent_at=now,
                      received_at=now, embedding=vector)
    session.add(message)
    session.flush()
    case = cases.open_case(session, contact=contact, message=message, agency=AGENCY, calendar=WorkingCalendar(),
                           now=now)
    if at is not None:
        service.set_place(session, case=case, point=service.Point(lat=at[0], lon=at[1], source=source),
                          message_id=message.id)
    return case


def officer(session, unit: str = "public_works", role: str = "officer") -> User:  # type: ignore[no-untyped-def]
    """A staff account of the unit."""
    user = User(email=f"{role}-{unit}@example.go.th", password_hash="x", role=role, unit_code=unit, active=True)
    session.add(user)
    session.flush()
    return user
