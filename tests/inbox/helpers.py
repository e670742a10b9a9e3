"""Helpers for the inbox tests: a case that arrived through a signed LINE webhook, and staff accounts."""
from __future__ import annotations

from sqlalchemy import select

from listeners import simulator
from storage.models import Case, Contact
from tests.support.server import LiveServer

PASSWORD = "correct horse 1"


def case_from_line(server: LiveServer, text: str, *, user: str = "citizen-1") -> Case:
    """Post a signed LINE message and wait for the worker to open its case."""
    assert server.post_line(server.line_text(text, user=user)).status_code == 200
    external_id = simulator.line_user_id(user)

    def opened() -> Case | None:
        with server.runtime.db.session() as session:
            return session.scalars(
                select(Case).join(Contact).where(Contact.external_id == external_id).order_by(Case.id.desc())
            ).first()

    return server.wait_until(opened, timeout=60)


def load_case(server: LiveServer, case_id: int) -> Case:
    """The case as stored now."""
    with server.runtime.db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def other_unit(case: Case) -> str:
    """A unit that is not the case's."""
    return "environment" if case.unit_code != "environment" else "public_works"


def staff(server: LiveServer, case: Case) -> dict[str, dict[str, str]]:
    """API headers for an officer of the case's unit, one of another unit, an analyst and an admin."""
    server.add_user("somchai@example.go.th", role="officer", unit=case.unit_code)
    server.add_user("malee@example.go.th", role="officer", unit=other_unit(case))
    server.add_user("analyst@example.go.th", role="analyst")
    server.add_user("admin@example.go.th", role="admin")
    return {name: server.token(email) for name, email in (
        ("officer", "somchai@example.go.th"), ("other", "malee@example.go.th"),
        ("analyst", "analyst@example.go.th"), ("admin", "admin@example.go.th"))}
