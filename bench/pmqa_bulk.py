"""A bulk load for the PMQA report bench: `messages` citizens' and officers' messages over `months` months, written
straight into the tables (SQLAlchemy Core executemany on SQLite, COPY on PostgreSQL) in large transactions.

The matters come from the demo history (`history.demo.demo_rows`: channels, units, intents, statuses, response and
resolution times, citizen groups, returning citizens, surveys); each becomes what the live service would have left:
its citizen's contact (an off-line citizen with a phone number), a ticket of its B.E. year, a case with the
standards' deadlines, its messages (the citizen's first message, the officer's reply where it was answered, and
follow-ups and pins so that the messages number `messages` in all), the audit trail the 7-step flow reads (opened or
recorded off-line, routed from triage for some, replied, each status change) and the survey asked when it was
finished. Nothing goes through the classifier or the message pipeline.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from agency.thaitime import bangkok_date, buddhist_year
from agency.vocabulary import CHANNELS, Status
from cases.deadlines import due_dates
from conversation.models import Survey
from history.demo import demo_rows
from storage.models import AuditEvent, Case, Contact, Message, TicketCounter, Unit

MESSAGES_PER_CASE = 2.3  # the citizen's first message, a reply for most, a follow-up or a pin for some
CHUNK = 50_000           # cases per transaction
ROUTED_SHARE = 0.2       # matters that reached triage first and were routed to their unit by an officer
PIN_SHARE = 0.15         # LINE matters with a pin
ANSWERED = (Status.RESOLVED, Status.FORWARDED, Status.REJECTED)


def bulk_load(db: Any, *, agency: Any, calendar: Any, messages: int, months: int, seed: int = 7,
              say: Any = print) -> dict[str, int]:
    """Write about `messages` messages with their cases, contacts, audit events and surveys; returns the counts."""
    cases_wanted = max(1, round(messages / MESSAGES_PER_CASE))
    rng = random.Random(seed)
    started = time.monotonic()
    with db.session() as session:
        first = {table: (session.scalar(select(func.max(column))) or 0) + 1
                 for table, column in ((Contact, Contact.id), (Case, Case.id), (Message, Message.id),
                                       (AuditEvent, AuditEvent.id), (Survey, Survey.id))}
        counters = dict(session.execute(select(TicketCounter.year_be, TicketCounter.value)).tuples().all())
        for ticket in session.scalars(select(func.max(Case.ticket)).group_by(func.substr(Case.ticket, 1,
                                                                                         len(agency.ticket_prefix) + 5))):
            year, number = (int(part) for part in ticket.rsplit("-", 2)[1:])  # tickets not counted (imports, tests)
            counters[year] = max(counters.get(year, 0), number)
        units = set(session.scalars(select(Unit.code)))
    ids = dict(first)
    contacts: dict[tuple[str, int], int] = {}
    deadlines: dict[tuple[dt.date, str, str], tuple[dt.datetime, dt.datetime]] = {}
    extra_budget = messages - cases_wanted  # messages beyond each case's first
    totals = {"contacts": 0, "cases": 0, "messages": 0, "audit_events": 0, "surveys": 0}
    writer = _Writer(db)
    batch: dict[str, list[dict[str, Any]]] = {"contacts": [], "cases": [], "messages": [], "audit_events": [],
                                              "surveys": []}

    def take(table: type) -> int:
        value = ids[table]
        ids[table] += 1
        return value

    def flush() -> None:
        writer.write(batch)
        for name, rows in batch.items():
            totals[name] += len(rows)
            rows.clear()
        say(f"\r  bulk: {totals['cases']:,} cases, {totals['messages']:,} messages, {totals['audit_events']:,} "
            f"audit events ({time.monotonic() - started:,.0f} s)", end="", flush=True)

    triage = agency.triage_unit
    for n, row in enumerate(demo_rows(messages=cases_wanted, months=months, seed=seed, corpus_share=0.0)):
        channel, received = str(row["channel"]), row["received_at"]
        offline = channel not in CHANNELS
        key = (channel, row["citizen"])
        contact_id = contacts.get(key)
        if contact_id is None:
            contact_id = contacts[key] = take(Contact)
            batch["contacts"].append({
                "id": contact_id, "channel": channel, "external_id": f"bench:{channel}:{row['citizen']}",
                "display_name": None, "following": not offline, "created_at": received, "last_seen_at": received,
                "citizen_group": row["group"], "phone": f"08{row['citizen'] % 10**8:08d}" if offline else None,
                "privacy_notice_at": None})
        unit = row["unit"] if row["unit"] in units else triage
        intent, status = str(row["intent"]), str(row["status"])
        day_key = (bangkok_date(received), intent, unit)
        if day_key not in deadlines:
            deadlines[day_key] = due_dates(agency=agency, calendar=calendar, unit=unit, intent=intent,
                                           since=received)
        respond_due, due = deadlines[day_key]
        year = buddhist_year(received)
        counters[year] = counters.get(year, 0) + 1
        case_id = take(Case)
        responded, finished = row["responded_at"], row["resolved_at"]
        if finished is None and status in (Status.FORWARDED, Status.REJECTED, Status.CLOSED):
            finished = responded or received
        closed_at = finished + dt.timedelta(days=1 + 6 * rng.random()) if status == Status.CLOSED else None
        last_change = max(m for m in (received, responded, finished, closed_at) if m is not None)
        topics = list(row["topics"] or ())
        batch["cases"].append({
            "id": case_id, "ticket": f"{agency.ticket_prefix}-{year}-{counters[year]:06d}", "contact_id": contact_id,
            "channel": channel, "intent": intent, "intent_confidence": 0.9, "sentiment": row["sentiment"],
            "unit_code": unit, "unit_confidence": 0.9, "status": status, "summary": row["text"][:500],
            "topics": topics, "created_at": received, "updated_at": last_change, "respond_due_at": respond_due,
            "due_at": due, "first_response_at": responded,
            "resolved_at": finished if status in (Status.RESOLVED, Status.CLOSED) else None, "closed_at": closed_at,
            "escalated_at": None, "priority": "normal", "priority_reason": None, "unit_candidates": None,
            "citizen_group": row["group"]})
        first_message = take(Message)
        batch["messages"].append(_message(first_message, case_id=case_id, contact_id=contact_id, channel=channel,
                                          at=received, text=row["text"], topics=topics, intent=intent, unit=unit))

        def audit(action: str, at: dt.datetime, actor: str = "system", **details: Any) -> None:
            batch["audit_events"].append({"id": take(AuditEvent), "at": at, "actor": actor, "action": action,
                                          "entity": "case", "entity_id": str(case_id), "case_id": case_id,
                                          "details": details})

        routed = unit != triage and rng.random() < ROUTED_SHARE
        opened_unit = triage if routed else unit
        audit("case_opened", received, ticket=batch["cases"][-1]["ticket"], intent=intent, unit=opened_unit,
              message_id=first_message)
        if offline:
            audit("recorded_offline", received, actor="officer@bench.go.th", channel=channel)
        if routed:
            audit("reassigned", received + dt.timedelta(hours=1 + 20 * rng.random()), actor="officer@bench.go.th",
                  changes={"unit_code": [triage, unit]})
        officer = f"officer.{unit}@bench.go.th"
        state = Status.NEW
        if responded is not None:
            if not offline:
                batch["messages"].append(_message(take(Message), case_id=case_id, contact_id=contact_id,
                                                  channel=channel, at=responded, direction="out",
                                                  text="ได้รับเรื่องแล้วค่ะ เจ้าหน้าที่กำลังดำเนินการ"))
                extra_budget -= 1
            changes = {"status": [state, Status.ACKNOWLEDGED]} if status != Status.NEW else {}
            audit("replied", responded, actor=officer, changes=changes, chars=40)
            state = Status.ACKNOWLEDGED
        if status in (Status.IN_PROGRESS, *ANSWERED, Status.CLOSED) and rng.random() < 0.8:
            start = responded or received
            moved = start + (finished - start) * rng.random() if finished else start + dt.timedelta(hours=3)
            audit("status_changed", moved, actor=officer, changes={"status": [state, Status.IN_PROGRESS]})
            state = Status.IN_PROGRESS
        if finished is not None and status != Status.IN_PROGRESS:
            end = Status.RESOLVED if status == Status.CLOSED else status
            if end != state:
                audit("status_changed", finished, actor=officer, changes={"status": [state, end]})
                state = end
        if closed_at is not None:
            audit("status_changed", closed_at, actor=officer, changes={"status": [state, Status.CLOSED]})
        if channel == "line" and rng.random() < PIN_SHARE:
            point = {"latitude": 18.79 + rng.gauss(0, 0.02), "longitude": 98.98 + rng.gauss(0, 0.02),
                     "address": None}
            batch["messages"].append(_message(take(Message), case_id=case_id, contact_id=contact_id,
                                              channel=channel, at=received + dt.timedelta(seconds=30), kind="location",
                                              location=point))
            extra_budget -= 1
        remaining_cases = cases_wanted - n - 1
        if extra_budget > 0 and rng.random() < extra_budget / max(remaining_cases, 1):
            batch["messages"].append(_message(take(Message), case_id=case_id, contact_id=contact_id,
                                              channel=channel, at=received + dt.timedelta(minutes=5),
                                              text="ขอบคุณค่ะ รบกวนช่วยดูให้ด้วยนะคะ"))
            extra_budget -= 1
        if row["surveyed"] and status in (Status.RESOLVED, Status.CLOSED):
            answered = row["survey_answered_at"] if row["satisfaction"] is not None else None
            batch["surveys"].append({"id": take(Survey), "case_id": case_id, "channel": channel,
                                     "asked_at": finished, "score": row["satisfaction"],
                                     "reason": row["survey_reason"] if answered else None, "free_text": None,
                                     "answered_at": answered})
        if len(batch["cases"]) >= CHUNK:
            flush()
    flush()
    writer.finish(counters=counters, ids=ids)
    say(f"\n  bulk load done in {time.monotonic() - started:,.0f} s", flush=True)
    return totals


def _message(message_id: int, *, case_id: int, contact_id: int, channel: str, at: dt.datetime, text: str = "",
             direction: str = "in", kind: str = "text", topics: list[str] | None = None, intent: str | None = None,
             unit: str | None = None, location: dict[str, Any] | None = None) -> dict[str, Any]:
    first = topics is not None
    return {"id": message_id, "direction": direction, "channel": channel, "kind": kind, "sender_id": None,
            "sender_name": None, "contact_id": contact_id, "case_id": case_id, "inbound_event_id": None,
            "external_id": None, "text": text, "attachments": [], "location": location, "reply_token": None,
            "thread_ref": None, "sent_at": at, "received_at": at, "processed_at": at, "intent": intent,
            "intent_confidence": 0.9 if first else None, "sentiment": None, "unit_code": unit,
            "unit_confidence": 0.9 if first else None, "topics": topics or [], "masked_text": text if first else None,
            "model_version": "bench-bulk" if first else None, "embedding": None, "priority": None,
            "priority_reason": None, "unit_candidates": None, "author_user_id": None,
            "delivery": "sent" if direction == "out" else None}


TABLES = {"contacts": Contact.__table__, "cases": Case.__table__, "messages": Message.__table__,
          "audit_events": AuditEvent.__table__, "surveys": Survey.__table__}
ORDER = ("contacts", "cases", "messages", "audit_events", "surveys")  # the foreign keys' order


class _Writer:
    """One large transaction per batch: Core executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.postgres = db.engine.dialect.name == "postgresql"

    def write(self, batch: dict[str, list[dict[str, Any]]]) -> None:
        if self.postgres:
            with self.db.engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                with raw.cursor() as cursor:
                    for name in ORDER:
                        _copy(cursor, TABLES[name], batch[name])
                raw.commit()
            return
        with self.db.engine.begin() as connection:
            for name in ORDER:
                if batch[name]:
                    connection.execute(insert(TABLES[name]), batch[name])

    def finish(self, *, counters: dict[int, int], ids: dict[type, int]) -> None:
        """The ticket counters past the tickets given, the sequences past the ids given, fresh planner statistics."""
        with self.db.engine.begin() as connection:
            for year, value in counters.items():
                connection.execute(text("DELETE FROM ticket_counters WHERE year_be = :y"), {"y": year})
                connection.execute(insert(TicketCounter.__table__), {"year_be": year, "value": value})
            if self.postgres:
                for model in ids:
                    table = model.__tablename__
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                            f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        with self.db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def _copy(cursor: Any, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """COPY the rows into the table (JSON columns as their text)."""
    rows = list(rows)
    if not rows:
        return
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in _values(rows, columns, json_columns):
            copy.write_row(row)


def _values(rows: list[dict[str, Any]], columns: list[str], json_columns: set[str]) -> Iterator[tuple]:
    for row in rows:
        yield tuple(json.dumps(row[c], ensure_ascii=False) if c in json_columns and row[c] is not None else row[c]
                    for c in columns)
