"""The running service's parts, built once from the settings and shared by the web app and the worker."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.senders import FacebookSender, LineSender, OutputChannel, Senders, TranscriptSender
from agency.config import AgencyConfig, load_agency_config
from agency.thaitime import WorkingCalendar
from storage.db import Database
from storage.models import AgencyHoliday, ReplyTemplate, Unit
from storage.queue import WorkQueue, make_queue
from agency.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Settings, database, agency config, working calendar, queue and senders."""

    settings: Settings
    db: Database
    agency: AgencyConfig
    queue: WorkQueue
    senders: Senders
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def reload_calendar(self) -> None:
        """Rebuild the working calendar from the config file's days off and those the admin added."""
        with self.db.session() as session:
            added = list(session.scalars(select(AgencyHoliday.day)))
        self.calendar = WorkingCalendar(extra_holidays=[*self.agency.extra_holidays, *added])

    def sync_units(self) -> None:
        """Add the config file's units the database lacks; on the very first start, also its reply templates."""
        with self.db.session() as session:
            known = set(session.scalars(select(Unit.code)))
            for unit in self.agency.units:
                if unit.code not in known:
                    session.add(Unit(code=unit.code, name=unit.name, topics=list(unit.topics),
                                     is_triage=unit.code == self.agency.triage_unit, active=True))
            if not known:  # a new database: seed the canned replies once (admins may delete them all later)
                session.flush()
                session.add_all(ReplyTemplate(title=t.title, text=t.text, unit_code=t.unit)
                                for t in self.agency.reply_templates)

    def close(self) -> None:
        """Release the queue and the database pool."""
        self.queue.close()
        self.db.dispose()


def build_senders(settings: Settings) -> Senders:
    """The real senders; a channel without credentials writes to the transcript file instead."""
    transcript = TranscriptSender(settings.data_dir / "transcript.jsonl")
    line: OutputChannel = transcript
    if settings.line_channel_access_token:
        line = LineSender(access_token=settings.line_channel_access_token, base_url=settings.line_api_base_url)
    else:
        log.warning("LINE_CHANNEL_ACCESS_TOKEN not set: LINE replies go to %s", transcript.path)
    facebook: OutputChannel = transcript
    if settings.facebook_page_access_token:
        facebook = FacebookSender(page_access_token=settings.facebook_page_access_token,
                                  graph_url=settings.facebook_graph_url)
    else:
        log.warning("FACEBOOK_PAGE_ACCESS_TOKEN not set: Facebook replies go to %s", transcript.path)
    return Senders(line=line, facebook_sender=facebook)


def build_runtime(settings: Settings, *, migrate: bool = True, consumer: str | None = None) -> Runtime:
    """Connect everything; apply migrations and load the agency's units when asked."""
    db = Database(settings.sqlalchemy_url)
    if migrate:
        db.upgrade()
    agency = load_agency_config(settings.fangsiang_agency_config)
    senders = build_senders(settings)
    queue = make_queue(settings.redis_url, consumer=consumer or settings.fangsiang_worker_name,
                       claim_idle_ms=settings.fangsiang_stream_claim_idle_ms)
    runtime = Runtime(settings=settings, db=db, agency=agency, queue=queue, senders=senders)
    if migrate:
        runtime.sync_units()
    runtime.reload_calendar()
    return runtime


def agency_classifier(settings: Settings, agency: AgencyConfig, *, progress=None):  # type: ignore[no-untyped-def]
    """The agency's trained classifier (trained from the bundled data first when there is none), routing with its
    triage unit and calibrated to its precision: the one model the worker, imports and `classify` use."""
    from classifier import load_or_train

    return load_or_train(settings.model_dir, triage_unit=agency.triage_unit,
                         routing_threshold=agency.routing_threshold, target_precision=agency.routing_precision,
                         progress=progress)
