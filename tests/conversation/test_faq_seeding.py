"""Seeding the FAQ table from the shipped defaults when two workers start together (PostgreSQL, where they really run
side by side): the one that comes second keeps the other's rows instead of failing on the primary key."""
from __future__ import annotations

from sqlalchemy import event

from agency.settings import Settings
from conversation.faq import load_faq
from conversation.faq_answers import faq_entries
from storage.db import Database


def test_two_workers_seeding_the_faq_together_both_start(postgres_url: str) -> None:
    url = Settings(database_url=postgres_url).sqlalchemy_url
    db, other = Database(url), Database(url)
    db.upgrade()
    seeded_meanwhile: list[int] = []

    def the_other_worker_seeds_first(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO FAQ_ENTRIES") and not seeded_meanwhile:
            with other.session() as session:  # between this worker's look (empty) and its insert
                seeded_meanwhile.append(len(faq_entries(session)))

    event.listen(db.engine, "before_cursor_execute", the_other_worker_seeds_first)
    try:
        with db.session() as session:
            entries = faq_entries(session)
    finally:
        db.dispose()
        other.dispose()
    shipped = [entry.id for entry in load_faq()]
    assert seeded_meanwhile == [len(shipped)]
    assert [entry.id for entry in entries] == sorted(shipped)
