"""Bulk loading of history (imported files, demo data) as classified messages and cases, with Core executemany.

Nothing here is sent to citizens: rows go straight into `cases` and `messages` (no outbox), in their original status,
dated as given. Ids are allocated in blocks so a batch of cases and their messages is two INSERTs.
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

import classifier
from agency.config import AgencyConfig
from agency.thaitime import BANGKOK, WorkingCalendar, buddhist_year
from agency.vocabulary import OPEN_STATUSES
from analytics.models import ImportedRow
from analytics.rollups import bangkok_day
from classifier.privacy import mask_personal_data
from conversation.models import Survey
from storage.models import Case, Contact, Message, Unit, utcnow
from storage.tickets import reserve_numbers

HISTORY_MODEL = "history-import"


@dataclass
class HistoryRow:
    """One past message to load: what the file (or the demo generator) knows; the classifier fills in the rest."""

    text: str
    received_at: dt.datetime
    channel: str
    status: str
    unit: str | None = None
    intent: str | None = None
    sentiment: str | None = None
    topics: Sequence[str] | None = None
    masked_text: str | None = None
    responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    group: str | None = None
    ticket: str | None = None
    satisfaction: int | None = None
    fingerprint: str | None = None
    line: int = 0


_RECENT: OrderedDict[tuple[int, str], classifier.Prediction] = OrderedDict()  # texts a long load repeats
_RECENT_SIZE = 50_000


def _classified(texts: Iterable[str]) -> dict[str, classifier.Prediction]:
    """Each distinct text classified once (bulk mode), remembering the latest ones for the batches that follow."""
    model = id(classifier.current())
    distinct = list(dict.fromkeys(texts))
    fresh = [t for t in distinct if (model, t) not in _RECENT]
    for text, prediction in zip(fresh, classifier.classify_many(fresh, only_where_unsure=True), strict=True):
        _RECENT[(model, text)] = prediction
    found = {}
    for text in distinct:
        _RECENT.move_to_end((model, text))
        found[text] = _RECENT[(model, text)]
    while len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)
    return found


@dataclass
class Loader:
    """Loads batches of HistoryRow into one database, beside a running service (ids and tickets are reserved)."""

    session: Session
    agency: AgencyConfig
    calendar: WorkingCalendar
    source: str
    contacts_per_channel: int = 1
    units: set[str] = field(default_factory=set)
    _contacts: dict[str, list[int]] = field(default_factory=dict)
    _deadlines: dict[tuple[dt.date, int], dt.datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.units = set(self.session.scalars(select(Unit.code)))

    def _contact_ids(self, channel: str) -> list[int]:
        known = self._contacts.get(channel)
        if known is not None:
            return known
        prefix = f"history:{self.source[:80]}:"
        wanted = [f"{prefix}{n}" for n in range(self.contacts_per_channel)]
        have = dict(self.session.execute(select(Contact.external_id, Contact.id).where(
            Contact.channel == channel, Contact.external_id.in_(wanted))).all())
        missing = [external for external in wanted if external not in have]
        if missing:
            now = utcnow()
            self.session.execute(insert(Contact), [
                {"channel": channel, "external_id": external, "display_name": None, "following": False,
                 "created_at": now, "last_seen_at": now} for external in missing])
            have = dict(self.session.execute(select(Contact.external_id, Contact.id).where(
                Contact.channel == channel, Contact.external_id.in_(wanted))).all())
        ids = [have[external] for external in wanted]
        self._contacts[channel] = ids
        return ids

    def _deadline(self, created: dt.datetime, days: int) -> dt.datetime:
        day = bangkok_day(created)
        found = self._deadlines.get((day, days))
        if found is None:
            start = dt.datetime.combine(day, dt.time(9), tzinfo=BANGKOK)
            found = self.calendar.add_working_days(start, days)
            self._deadlines[(day, days)] = found
        return found

    def _new_ids(self, model, count: int) -> list[int]:  # type: ignore[no-untyped-def]
        """Ids for rows inserted with explicit ids: from PostgreSQL's sequence (a running worker takes its ids
        from the same one), or after the largest on SQLite (the import holds the database's one write lock)."""
        if count == 0:
            return []
        if self.session.get_bind().dialect.name == "postgresql":
            table = model.__tablename__
            return list(self.session.scalars(text(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"), {"n": count}))
        first = (self.session.scalar(select(func.max(model.id))) or 0) + 1
        return list(range(first, first + count))

    def _tickets(self, rows: Sequence[HistoryRow]) -> list[str]:
        wanted: dict[int, int] = {}
        for row in rows:
            if not row.ticket:
                year = buddhist_year(row.received_at)
                wanted[year] = wanted.get(year, 0) + 1
        next_of = {year: reserve_numbers(self.session, year_be=year, count=n) for year, n in wanted.items()}
        tickets = []
        for row in rows:
            if row.ticket:
                tickets.append(row.ticket)
                continue
            year = buddhist_year(row.received_at)
            tickets.append(f"{self.agency.ticket_prefix}-{year}-{next_of[year]:06d}")
            next_of[year] += 1
        return tickets

    def existing_tickets(self, tickets: Iterable[str]) -> set[str]:
        """Tickets among these already used by a case."""
        wanted = [t for t in tickets if t]
        return set(self.session.scalars(select(Case.ticket).where(Case.ticket.in_(wanted)))) if wanted else set()

    def classify(self, rows: Sequence[HistoryRow]) -> None:
        """Classify the rows that carry no topics yet (imported files; corpus texts of the demo history)."""
        todo = [row for row in rows if row.topics is None]
        if not todo:
            return
        by_text = _classified(row.text for row in todo)
        for row in todo:
            prediction = by_text[row.text]
            row.topics = list(prediction.topics)
            row.masked_text = prediction.masked_text
            row.intent = row.intent or prediction.intent
            row.sentiment = row.sentiment or prediction.sentiment
            row.unit = row.unit or prediction.unit

    def load(self, rows: Sequence[HistoryRow]) -> list[int]:
        """Insert a batch: classify what needs it, then cases, messages and fingerprints; returns the case ids."""
        if not rows:
            return []
        self.classify(rows)
        tickets = self._tickets(rows)
        case_ids = self._new_ids(Case, len(rows))
        message_ids = self._new_ids(Message, len(rows))
        now = utcnow()
        cases, messages, imported, surveys = [], [], [], []
        for n, (row, ticket) in enumerate(zip(rows, tickets, strict=True)):
            case_id = case_ids[n]
            contacts = self._contact_ids(row.channel)
            contact_id = contacts[n % len(contacts)]
            intent = row.intent or "other"
            unit = row.unit if row.unit in self.units else self.agency.triage_unit
            standard = self.agency.standard(intent)
            received = row.received_at
            finished = row.status not in OPEN_STATUSES
            resolved = row.resolved_at or (received if finished else None)
            masked = row.masked_text if row.masked_text is not None else mask_personal_data(row.text)
            cases.append({
                "id": case_id, "ticket": ticket, "contact_id": contact_id, "channel": row.channel, "intent": intent,
                "intent_confidence": 1.0, "sentiment": row.sentiment, "unit_code": unit, "unit_confidence": 1.0,
                "status": row.status, "summary": masked[:500], "topics": list(row.topics or ()),
                "created_at": received, "updated_at": max(resolved or received, received),
                "respond_due_at": self._deadline(received, standard.respond_days),
                "due_at": self._deadline(received, standard.resolve_days),
                "first_response_at": row.responded_at or (resolved if finished else None),
                "resolved_at": resolved if row.status in ("resolved", "closed") else None,
                "closed_at": resolved if row.status == "closed" else None, "escalated_at": None,
                "priority": "normal", "priority_reason": None, "unit_candidates": None,
                "citizen_group": row.group,
            })
            messages.append({
                "id": message_ids[n], "direction": "in", "channel": row.channel, "kind": "text",
                "sender_id": None, "sender_name": None, "contact_id": contact_id, "case_id": case_id,
                "inbound_event_id": None, "external_id": None, "text": row.text, "attachments": [], "location": None,
                "reply_token": None, "thread_ref": None, "sent_at": received, "received_at": received,
                "processed_at": received, "intent": intent, "intent_confidence": 1.0, "sentiment": row.sentiment,
                "unit_code": unit, "unit_confidence": 1.0, "topics": list(row.topics or ()), "masked_text": masked,
                "model_version": HISTORY_MODEL, "embedding": None, "priority": None, "priority_reason": None,
                "unit_candidates": None, "author_user_id": None, "delivery": None,
            })
            if row.satisfaction is not None and resolved is not None:
                surveys.append({"case_id": case_id, "channel": row.channel, "asked_at": resolved,
                                "score": row.satisfaction, "reason": None, "free_text": None,
                                "answered_at": resolved})
            if row.fingerprint is not None:
                imported.append({"fingerprint": row.fingerprint, "source": self.source[:200], "line": row.line,
                                 "case_id": case_id, "satisfaction": row.satisfaction, "imported_at": now})
        self.session.execute(insert(Case.__table__), cases)
        self.session.execute(insert(Message.__table__), messages)
        if imported:
            self.session.execute(insert(ImportedRow.__table__), imported)
        if surveys:
            self.session.execute(insert(Survey.__table__), surveys)
        return [c["id"] for c in cases]


def known_fingerprints(session: Session, fingerprints: Iterable[str]) -> set[str]:
    """Fingerprints among these already imported."""
    wanted = list(fingerprints)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(session.scalars(select(ImportedRow.fingerprint)
                                     .where(ImportedRow.fingerprint.in_(wanted[start:start + 500]))))
    return found

