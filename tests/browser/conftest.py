"""Officers' API and pages run on the embedded default and again on PostgreSQL + Redis (the scale-out setup)."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.server import LiveServer


@pytest.fixture
def live_server(make_server: Callable[..., LiveServer], backend: str) -> LiveServer:
    """The service on SQLite, then on PostgreSQL + Redis."""
    return make_server(backend)
