"""Shared fixtures: a trained classifier, a stub of the LINE/Graph APIs, and the live service on SQLite or
PostgreSQL + Redis. PostgreSQL and Redis are used for real; if they are unreachable the tests fail (never skip)."""
from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

from agency.settings import Settings
from storage.db import Database
from tests.support.database import migrated_sqlite
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("FANGSIANG_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")


def _worker_redis_url(url: str) -> str:
    """The Redis database of this test process: the given one (db 15 by default), and under pytest-xdist (`make
    test` runs two workers) worker gwN uses the database N below it, so parallel workers never flush each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) - int(worker[2:])
    if database < 0:
        raise RuntimeError(f"no Redis database left for xdist worker {worker} below {url}")
    return urlunsplit(parts._replace(path=f"/{database}"))


REDIS_TEST_URL = _worker_redis_url(os.environ.get("FANGSIANG_TEST_REDIS", "redis://127.0.0.1:6379/15"))
BACKENDS = ("sqlite", "postgres")
LIVE_FIXTURES = {"make_server", "live_server"}


# Session fixtures too costly to build in each pytest-xdist worker: the tests using one run in one worker.
SHARED_SESSION_FIXTURES = ("small_model_dir", "cached_embed")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the xdist_group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start the service are the integration tier (`-m live`); the rest need no server (`-m "not live"`).

    For `make test`'s two workers (pytest-xdist, `--dist loadgroup`): the tests sharing a module-scoped fixture (a
    browser, an evaluation, a seeded database) or a costly session fixture are one group, built once in one worker;
    and the integration tier and the tests of the trained model (its evaluation, `fangsiang serve` in a process) run
    first, so the long tests start early and the short ones fill in at the end.
    """
    for item in items:
        if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live)
        group = _shared_fixture_group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.get_closest_marker("live") is None  # stable: the order within each is kept
               and "trained_model_dir" not in getattr(item, "fixturenames", ()))


def _shared_fixture_group(item: pytest.Item) -> str | None:
    """The xdist group of a test that uses a fixture built once for several tests, or None."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for name in SHARED_SESSION_FIXTURES:
        if name in info.names_closure:
            return name
    if any(definitions[-1].scope in ("package", "module", "class") for definitions in info.name2fixturedefs.values()):
        return item.nodeid.split("::")[0]
    return None


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database with the default agency's units, for tests that need no server."""
    db = migrated_sqlite(tmp_path / "fast.db")
    yield db
    db.dispose()


def _classifier_fingerprint() -> str:
    """A hash of the classifier's code and bundled data: the cached model is reused while both are unchanged.

    In a git checkout it is the committed classifier tree (uncommitted edits in progress do not make every other
    test session retrain); elsewhere, the files' content.
    """
    committed = subprocess.run(["git", "rev-parse", "HEAD:classifier"], cwd=ROOT, capture_output=True, text=True)
    if committed.returncode == 0 and committed.stdout.strip():
        return committed.stdout.strip()[:16]
    digest = hashlib.sha256()
    for path in sorted((ROOT / "classifier").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".jsonl", ".txt", ".csv"}:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def trained_model_dir() -> Path:
    """The classifier trained once from bundled data (cached under .pytest_cache between runs)."""
    from classifier import load_or_train

    model_dir = ROOT / ".pytest_cache" / "fangsiang-models" / _classifier_fingerprint()
    model_dir.mkdir(parents=True, exist_ok=True)
    with open(model_dir.parent / f"{model_dir.name}.lock", "w") as lock:  # concurrent sessions train once
        fcntl.flock(lock, fcntl.LOCK_EX)
        load_or_train(model_dir)
    return model_dir


@pytest.fixture
def platform_stub() -> Iterator[PlatformStub]:
    """A local LINE Messaging API + Facebook Graph API that records every call."""
    stub = PlatformStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"fangsiang_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database emptied before and after the test."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=5)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


def make_settings(tmp_path: Path, stub: PlatformStub, model_dir: Path, **overrides: Any) -> Settings:
    """Settings for one test service: its own data dir, the stub as LINE and Graph, fast outbox retries."""
    values: dict[str, Any] = dict(
        fangsiang_data_dir=tmp_path / "data",
        fangsiang_model_dir=model_dir,
        database_url=None,
        redis_url=None,
        fangsiang_secret_key="test-secret-key-" + "x" * 32,
        line_channel_secret="test-line-channel-secret",
        line_channel_access_token="test-line-access-token",
        line_api_base_url=stub.url,
        facebook_app_secret="test-facebook-app-secret",
        facebook_verify_token="test-verify-token",
        facebook_page_access_token="test-page-token",
        facebook_graph_url=stub.url + "/",
        fangsiang_outbox_backoff_seconds=0.1,
        fangsiang_outbox_backoff_cap_seconds=1.0,
        fangsiang_stream_claim_idle_ms=1000,
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_server(
    request: pytest.FixtureRequest, tmp_path: Path, platform_stub: PlatformStub, trained_model_dir: Path
) -> Iterator[Callable[..., LiveServer]]:
    """Start live services: make_server(backend="sqlite"|"postgres", run_worker=True, **settings)."""
    servers: list[LiveServer] = []

    def start(backend: str = "sqlite", *, run_worker: bool = True, wait_for_worker: bool = True,
              **overrides: Any) -> LiveServer:
        if backend == "postgres":
            overrides.setdefault("database_url", request.getfixturevalue("postgres_url"))
            overrides.setdefault("redis_url", request.getfixturevalue("redis_url"))
        settings = make_settings(tmp_path, platform_stub, trained_model_dir, **overrides)
        server = LiveServer(settings, run_worker=run_worker).start(wait_for_worker=wait_for_worker)
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        server.stop()


@pytest.fixture
def live_server(make_server: Callable[..., LiveServer]) -> LiveServer:
    """The service on the embedded default (SQLite, in-process queue and worker)."""
    return make_server()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Run a test on SQLite and again on PostgreSQL + Redis."""
    return request.param


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium (Playwright), one per test module."""
    from tests.support.browser import chromium

    yield from chromium()
