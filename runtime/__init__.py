"""The running service's parts as one type, below every room that uses them (web, worker, inbox, conversation,
analytics, reports). The composition root (`fangsiang.runtime`) builds it once from the settings and hands it down."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from agency.config import AgencyConfig
from agency.settings import Settings
from agency.thaitime import WorkingCalendar
from bot.senders import Senders
from storage.db import Database
from storage.models import AgencyHoliday
from storage.queue import WorkQueue

if TYPE_CHECKING:
    from classifier.embedding import EmbeddingCache
    from conversation.faq import FaqMatcher
    from bot.postbacks import PostbackSigner

log = logging.getLogger(__name__)

__all__ = ["ConversationState", "Runtime", "agency_classifier"]


@dataclass
class ConversationState:
    """What the citizens' conversation builds once per running service and keeps: the postback signer, the cache of
    sentence vectors and the FAQ matcher with the entries' version it was built for (built on first use)."""

    signer: "PostbackSigner | None" = None
    embed_cache: "EmbeddingCache | None" = None
    matcher: "FaqMatcher | None" = None
    faq_version: tuple = ()
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Runtime:
    """Settings, database, agency config, working calendar, queue, senders and the conversation's kept state."""

    settings: Settings
    db: Database
    agency: AgencyConfig
    queue: WorkQueue
    senders: Senders
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    # Rooms above the conversation that act on every answered citizen message, in its write transaction (the
    # composition root adds them, e.g. places: the case's place and a known problem joined): f(runtime, session, message)
    after_message: list[Callable[..., object]] = field(default_factory=list)
    # Rooms above the conversation that act when a citizen message's sentence vector is kept after its answer (the
    # worker's vector job), in that write transaction (places: the same problem looked for again, by meaning):
    # f(runtime, session, message)
    after_vector: list[Callable[..., object]] = field(default_factory=list)
    # A case's public pages for what its citizen is told (the status page, the after-photo), from the room that
    # serves them (places), None without a public address:
    # f(runtime, session, *, case, after_photo=True) -> bot.replies.CaseLinks | None
    case_links: Callable[..., object] | None = None
    conversation: ConversationState = field(default_factory=ConversationState)

    def reload_calendar(self) -> None:
        """Rebuild the working calendar from the config file's days off and those the admin added."""
        with self.db.session() as session:
            added = list(session.scalars(select(AgencyHoliday.day)))
        self.calendar = WorkingCalendar(extra_holidays=[*self.agency.extra_holidays, *added])

    def close(self) -> None:
        """Release the queue and the database pool."""
        self.queue.close()
        self.db.dispose()


def agency_classifier(settings: Settings, agency: AgencyConfig, *, progress: Any = None, apart: bool = False) -> Any:
    """The agency's trained classifier (trained from the bundled data first when there is none), routing with its
    triage unit and calibrated to its precision: the one model the worker, imports and `classify` use. `apart`:
    train in a process of its own (a service keeps answering meanwhile)."""
    from classifier import Classifier, ModelMissing, load_or_train

    options = dict(triage_unit=agency.triage_unit, routing_threshold=agency.routing_threshold,
                   target_precision=agency.routing_precision)
    if apart:
        try:
            return Classifier.load(settings.model_dir, **options)
        except ModelMissing:
            from classifier.apart import train_apart

            train_apart(settings.model_dir, triage_unit=agency.triage_unit, progress=progress)
    return load_or_train(settings.model_dir, progress=progress, **options)
