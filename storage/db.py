"""Database engine, sessions and migrations."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY = "fangsiang_read_only"


class ReadOnlySessionError(RuntimeError):
    """Something tried to write through a read session (a programming error: the handler needs a write session)."""


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine: Engine = create_engine(
                url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reading only: on SQLite a deferred BEGIN, so a long page or export never holds the write lock.
        self.read_sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
        event.listen(self.read_sessions, "before_flush", _refuse_writes)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only: it never takes SQLite's write lock, refuses to flush, and ends unchanged."""
        with self.read_sessions() as session:
            yield session

    def upgrade(self) -> None:
        """Apply all Alembic migrations (every room's branch: "heads")."""
        command.upgrade(alembic_config(self.url), "heads")

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()


def upsert_insert(session: Session, table):  # type: ignore[no-untyped-def]
    """INSERT for this session's database with ON CONFLICT (PostgreSQL's and SQLite's own constructs)."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at our migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """WAL so readers never block the writer; foreign keys on; wait for locks instead of failing."""
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    """Writers take the write lock at BEGIN, so concurrent writers queue rather than deadlock on upgrade; read
    sessions begin deferred and only read (WAL: they never wait for the writer, nor it for them)."""
    connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _refuse_writes(session: Session, _context, _instances) -> None:  # type: ignore[no-untyped-def]
    """A read session has nothing to flush."""
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError("a read session cannot write; use a write session for this request")
