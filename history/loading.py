"""Loading history (imported files, demo data) in batches: classify the texts, give each channel its history
contacts, write the cases through the case domain (cases.history), then the surveys and the imported rows' fingerprints.
Nothing here is sent to citizens."""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

import classifier
from agency.config import AgencyConfig
from agency.thaitime import WorkingCalendar
from cases.history import PastCase, insert_past_cases, resolution_of
from classifier.privacy import mask_personal_data
from conversation.models import Survey
from history.models import ImportedRow
from storage.models import Contact, utcnow


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
    citizen: str | None = None  # who wrote it, as the source knows them (the same key: the same citizen)
    surveyed: bool | None = None  # a survey was asked (None: when a satisfaction score is given)
    survey_reason: str | None = None  # why a low score (slow | unresolved | communication | other)
    survey_answered_at: dt.datetime | None = None


_RECENT: OrderedDict[tuple[int, str], classifier.Prediction] = OrderedDict()  # texts a long load repeats
_RECENT_SIZE = 50_000


def _classified(texts: Iterable[str]) -> dict[str, classifier.Prediction]:
    """Each distinct text classified once (bulk mode), remembering the latest ones for the batches that follow."""
    model = id(classifier.current())
    distinct = list(dict.fromkeys(texts))
    fresh = [t for t in distinct if (model, t) not in _RECENT]
    for text, prediction in zip(fresh, classifier.classify_many(fresh), strict=True):
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

    def _contact_ids(self, channel: str, external_ids: Sequence[str]) -> dict[str, int]:
        """The contact id of each external id on a channel, inserting the missing ones in bulk."""
        wanted = list(dict.fromkeys(external_ids))

        def known() -> dict[str, int]:
            found: dict[str, int] = {}
            for start in range(0, len(wanted), 500):
                found.update(self.session.execute(select(Contact.external_id, Contact.id).where(
                    Contact.channel == channel, Contact.external_id.in_(wanted[start:start + 500]))).tuples().all())
            return found

        have = known()
        missing = [external for external in wanted if external not in have]
        if missing:
            now = utcnow()
            self.session.execute(insert(Contact), [
                {"channel": channel, "external_id": external, "display_name": None, "following": False,
                 "created_at": now, "last_seen_at": now} for external in missing])
            have = known()
        return have

    def _contacts_of(self, rows: Sequence[HistoryRow]) -> list[int]:
        """Each row's contact: its citizen's (one per citizen key and channel), else one of the channel's
        `contacts_per_channel` shared history contacts."""
        prefix = f"history:{self.source[:80]}:"
        keys = [prefix + (f"c{row.citizen}" if row.citizen is not None else str(n % self.contacts_per_channel))
                for n, row in enumerate(rows)]
        by_channel: dict[str, list[str]] = {}
        for row, key in zip(rows, keys, strict=True):
            by_channel.setdefault(row.channel, []).append(key)
        ids = {channel: self._contact_ids(channel, wanted) for channel, wanted in by_channel.items()}
        return [ids[row.channel][key] for row, key in zip(rows, keys, strict=True)]

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
        past = []
        for row, contact_id in zip(rows, self._contacts_of(rows), strict=True):
            past.append(PastCase(
                text=row.text, received_at=row.received_at, channel=row.channel, status=row.status,
                masked_text=row.masked_text if row.masked_text is not None else mask_personal_data(row.text),
                contact_id=contact_id, intent=row.intent, sentiment=row.sentiment, unit=row.unit,
                topics=list(row.topics or ()), responded_at=row.responded_at, resolved_at=row.resolved_at,
                group=row.group, ticket=row.ticket))
        case_ids = insert_past_cases(self.session, cases=past, agency=self.agency, calendar=self.calendar)
        now = utcnow()
        imported, surveys = [], []
        for row, case_id in zip(rows, case_ids, strict=True):
            resolved = resolution_of(status=row.status, received_at=row.received_at, resolved_at=row.resolved_at)
            asked = row.surveyed if row.surveyed is not None else row.satisfaction is not None
            if asked and resolved is not None:  # asked on resolution; answered only when there is a score
                answered = (row.survey_answered_at or resolved) if row.satisfaction is not None else None
                surveys.append({"case_id": case_id, "channel": str(row.channel), "asked_at": resolved,
                                "score": row.satisfaction, "reason": row.survey_reason if answered else None,
                                "free_text": None, "answered_at": answered})
            if row.fingerprint is not None:
                imported.append({"fingerprint": row.fingerprint, "source": self.source[:200], "line": row.line,
                                 "case_id": case_id, "satisfaction": row.satisfaction, "imported_at": now})
        if imported:
            self.session.execute(insert(ImportedRow.__table__), imported)
        if surveys:
            self.session.execute(insert(Survey.__table__), surveys)
        return case_ids


def known_fingerprints(session: Session, fingerprints: Iterable[str]) -> set[str]:
    """Fingerprints among these already imported."""
    wanted = list(fingerprints)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(session.scalars(select(ImportedRow.fingerprint)
                                     .where(ImportedRow.fingerprint.in_(wanted[start:start + 500]))))
    return found

