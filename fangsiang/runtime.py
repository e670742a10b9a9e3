"""The composition root builds the running service's parts once from the settings (the `Runtime` type itself lives
in the `runtime` room below its users)."""
from __future__ import annotations

import logging

from bot.senders import OutputChannel, Senders, TranscriptSender
from channels import registry as channels
from agency.config import load_agency_config
from storage.db import Database
from fangsiang.database import open_database
from classifier.threads import limit_threads
from places.public import case_links
from places.service import note_case_place, note_late_vector
from runtime import Runtime
from storage.queue import make_queue
from agency.settings import Settings

log = logging.getLogger(__name__)


def build_senders(settings: Settings, *, serving: bool = False) -> Senders:
    """Each registered channel's sender; a channel without credentials writes to the transcript file instead: a
    warning when `serving` (the web app or a worker, which send), a debug line for commands that send nothing."""
    level = logging.WARNING if serving else logging.DEBUG
    transcript = TranscriptSender(settings.data_dir / "transcript.jsonl")
    by_channel: dict[str, OutputChannel] = {}
    for adapter in channels.adapters():
        sender = adapter.sender(settings)
        if sender is None:
            log.log(level, "%s not set: %s replies go to %s", adapter.credentials, adapter.name, transcript.path)
            sender = transcript
        by_channel.update(dict.fromkeys(adapter.channels, sender))
    return Senders(by_channel)


def build_runtime(settings: Settings, *, migrate: bool = True, consumer: str | None = None,
                  serving: bool = False) -> Runtime:
    """Connect everything; apply migrations and add the agency's units when asked (`serving`: the web app or a
    worker, which send replies)."""
    limit_threads(settings.fangsiang_threads)
    agency = load_agency_config(settings.fangsiang_agency_config)
    db = open_database(settings, agency=agency) if migrate else Database(settings.sqlalchemy_url)
    senders = build_senders(settings, serving=serving)
    queue = make_queue(settings.redis_url, consumer=consumer or settings.fangsiang_worker_name,
                       claim_idle_ms=settings.fangsiang_stream_claim_idle_ms)
    runtime = Runtime(settings=settings, db=db, agency=agency, queue=queue, senders=senders,
                      after_message=[note_case_place], after_vector=[note_late_vector],
                      case_links=case_links)
    runtime.reload_calendar()
    return runtime
