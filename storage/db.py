"""Database engine, sessions and migrations."""
from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY = "fangsiang_read_only"


class ReadOnlySessionError(RuntimeError):
    """Something tried to write through a read session (a programming error: the handler needs a write session)."""

MIGRATION_LOCK_KEY = 0x46616E67  # "Fang": the advisory lock every process takes around `upgrade`


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

    def upgrade(self, *, then: Callable[[], None] | None = None) -> None:
        """Apply all Alembic migrations (every room's branch: "heads"), one process at a time; `then` runs under the
        same lock (seeding that reads before it writes: the agency's units and first canned replies).

        Several workers starting together on one database would each create the same tables; on PostgreSQL an
        advisory lock (held on its own connection) makes the others wait and then find nothing left to do, on
        SQLite a lock file beside the database does the same.
        """
        with self._migration_lock():
            command.upgrade(alembic_config(self.url), "heads")
            if then is not None:
                then()

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """Held while migrating: PostgreSQL's advisory lock, or a lock file beside a SQLite database file."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                    connection.commit()
            return
        path = self.engine.url.database if self.is_sqlite else None
        if not path or path == ":memory:":
            yield
            return
        with open(f"{path}.migrate.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def scrub(self, *, tables: Sequence[str] = ()) -> None:
        """After erasing personal data, leave no old copy of it in the database's files.

        SQLite: copy every page back from the WAL and truncate it, then VACUUM (with secure_delete on, freed space was
        zeroed already; VACUUM also rewrites what updates left behind), so neither the .db nor the -wal file holds the
        old words. PostgreSQL: an UPDATE leaves the old row version in the table's file until a VACUUM removes it (and
        its index entries); `tables` (the ones the erasure touched) are vacuumed now, on a connection of their own
        outside any transaction, instead of whenever autovacuum gets to them.
        """
        if not self.is_sqlite:
            if tables:
                quote = self.engine.dialect.identifier_preparer.quote
                with self.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                    connection.execute(text("VACUUM " + ", ".join(quote(table) for table in tables)))
            return
        with self.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @staticmethod
    def report_statistics(session: Session) -> None:
        """PostgreSQL 15+: this transaction's table counts (the row versions its updates left dead) reach the
        server's statistics as it commits, not up to a second later, so a VACUUM right after it leaves the counts at
        what that VACUUM found (`pg_stat_user_tables.n_dead_tup`)."""
        dialect = session.get_bind().dialect
        if dialect.name == "postgresql" and (dialect.server_version_info or (0,)) >= (15,):
            session.execute(text("SELECT pg_stat_force_next_flush()"))

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
    """WAL so readers never block the writer; foreign keys on; wait for locks instead of failing; erased data
    zeroed on disk."""
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # first: the journal mode below may wait for another process's lock
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":  # set once per database file
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted and overwritten rows are zeroed in the file (PDPA erasure)
    cursor.close()


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    """Writers take the write lock at BEGIN, so concurrent writers queue rather than deadlock on upgrade; read
    sessions begin deferred and only read (WAL: they never wait for the writer, nor it for them)."""
    connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _refuse_writes(session: Session, _context, _instances) -> None:  # type: ignore[no-untyped-def]
    """A read session has nothing to flush."""
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError("a read session cannot write; use a write session for this request")
