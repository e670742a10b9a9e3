"""The database as the service needs it before anything runs on it: migrated to the newest schema, holding the
agency's units (and, on the very first start, its reply templates). Commands that need no models, no sender and no
queue (`users add`, `db upgrade`) open it here without building the rest of the runtime."""
from __future__ import annotations

from sqlalchemy import select

from agency.config import AgencyConfig, load_agency_config
from agency.settings import Settings
from storage.db import Database
from storage.models import ReplyTemplate, Unit


def open_database(settings: Settings, *, agency: AgencyConfig | None = None) -> Database:
    """The settings' database, migrated, with the agency's units (`agency`: its config, read from the file if None).
    The units are added under the migration lock: services starting together each saw none and added them all
    (a crash on the units' key on PostgreSQL, and the canned replies twice)."""
    agency = agency if agency is not None else load_agency_config(settings.fangsiang_agency_config)
    db = Database(settings.sqlalchemy_url)
    db.upgrade(then=lambda: sync_units(db, agency=agency))
    return db


def sync_units(db: Database, *, agency: AgencyConfig) -> None:
    """Add the config file's units the database lacks; on the very first start, also its reply templates."""
    with db.session() as session:
        known = set(session.scalars(select(Unit.code)))
        for unit in agency.units:
            if unit.code not in known:
                session.add(Unit(code=unit.code, name=unit.name, topics=list(unit.topics),
                                 is_triage=unit.code == agency.triage_unit, active=True))
        if not known:  # a new database: seed the canned replies once (admins may delete them all later)
            session.flush()
            session.add_all(ReplyTemplate(title=t.title, text=t.text, unit_code=t.unit) for t in agency.reply_templates)
