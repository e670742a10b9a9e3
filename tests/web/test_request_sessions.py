"""The request's sessions (web.deps): a write session commits what the handler did when it returns and nothing when
it raises or rolls a refused change back; a read session never takes SQLite's write lock and refuses to write."""
from __future__ import annotations

import types

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from storage.db import Database, ReadOnlySessionError
from storage.models import Unit
from web.deps import ReadSessionDep, SessionDep


def _unit(code: str) -> Unit:
    return Unit(code=code, name="หน่วยทดสอบ", topics=[], is_triage=False, active=True)


def _units(database: Database) -> set[str]:
    with database.read_session() as session:
        return set(session.scalars(select(Unit.code)))


@pytest.fixture
def client(database: Database) -> TestClient:
    app = FastAPI()
    app.state.runtime = types.SimpleNamespace(db=database)

    @app.post("/units/{code}")
    def add(code: str, session: SessionDep, refuse: str = "") -> dict[str, int]:
        session.add(_unit(code))
        session.flush()
        if refuse == "raise":  # an API handler's refusal
            raise HTTPException(422, "เพิ่มหน่วยงานนี้ไม่ได้")
        if refuse == "page":  # a page handler's refusal: roll back, then still render from the same session
            session.rollback()
        return {"units": session.scalar(select(func.count()).select_from(Unit)) or 0}

    @app.get("/units")
    def count(session: ReadSessionDep) -> dict[str, int]:
        return {"units": session.scalar(select(func.count()).select_from(Unit)) or 0}

    @app.get("/sneaky")
    def sneaky(session: ReadSessionDep) -> dict[str, str]:
        session.add(_unit("sneaky"))
        session.flush()
        return {}

    return TestClient(app, raise_server_exceptions=False)


def test_a_write_session_commits_on_return_and_keeps_nothing_of_a_refusal(client: TestClient,
                                                                          database: Database) -> None:
    before = _units(database)
    assert client.post("/units/parks").status_code == 200
    assert _units(database) == before | {"parks"}
    assert client.post("/units/gardens", params={"refuse": "raise"}).status_code == 422
    page = client.post("/units/lakes", params={"refuse": "page"})
    assert page.status_code == 200 and page.json() == {"units": len(before) + 1}  # rendered after the rollback
    assert _units(database) == before | {"parks"}
    assert client.get("/units").json() == {"units": len(before) + 1}


def test_a_read_session_refuses_to_write(client: TestClient, database: Database) -> None:
    before = _units(database)
    assert client.get("/sneaky").status_code == 500
    assert _units(database) == before
    with pytest.raises(ReadOnlySessionError), database.read_session() as session:
        session.add(_unit("sneaky"))
        session.flush()


def test_a_read_session_leaves_the_write_lock_to_writers(database: Database) -> None:
    """On SQLite every write session begins IMMEDIATE; a page reading for long must not hold that lock (before, a
    writer here waited out the 30 s busy timeout and failed with "database is locked")."""
    with database.read_session() as reading:
        before = reading.scalar(select(func.count()).select_from(Unit))
        with database.session() as writing:
            writing.add(_unit("parks"))
        assert reading.scalar(select(func.count()).select_from(Unit)) == before  # its own snapshot
    assert "parks" in _units(database)
