"""The reports tests' shared fixture: the seeded database (tests/reports/seed.py), on both backends."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.reports.helpers import migrated
from tests.reports.seed import seed


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database with the seeded cases of every table's hand-checked numbers."""
    database = migrated(backend, tmp_path=tmp_path, request=request)
    with database.session() as session:
        seed(session)
    yield database
    database.dispose()
