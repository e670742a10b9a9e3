"""Bringing history in: an agency's past spreadsheets (`import_file`) and a generated demo history (`load_demo`),
loaded in batches as classified cases written through the case domain, then the analytics rollups rebuilt."""
from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from agency.vocabulary import channel_names
from analytics.rollups import rebuild_rollups
from cases.history import used_tickets
from history.demo import demo_rows
from history.importer import (
    ColumnMapping,
    DuplicateRow,
    ImportRow,
    ImportSummary,
    SkippedRow,
    prepare_rows,
    read_table,
    unit_lookup,
)
from history.loading import HistoryRow, Loader, known_fingerprints
from runtime import Runtime
from storage.models import Unit

T = TypeVar("T")
IMPORT_BATCH = 2000
DEMO_BATCH = 5000


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int | None, *, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled, self.done, self.started = total, label, enabled, 0, time.monotonic()

    def advance(self, n: int) -> None:
        """Count n more rows and redraw."""
        self.done += n
        if not self.enabled:
            return
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "█" * int(share * 30) + "·" * (30 - int(share * 30))
            sys.stderr.write(f"\r{self.label} [{bar}] {self.done:,}/{self.total:,} ({rate:,.0f} แถว/วินาที)")
        else:
            sys.stderr.write(f"\r{self.label} {self.done:,} แถว ({rate:,.0f} แถว/วินาที)")
        sys.stderr.flush()

    def close(self) -> None:
        """End the line."""
        if self.enabled:
            sys.stderr.write("\n")


def import_file(runtime: Runtime, *, path: Path, mapping: ColumnMapping, sheet: str | None = None,
                progress: bool = False) -> ImportSummary:
    """Import a file's rows as classified messages and cases; returns the ImportSummary (re-import adds nothing)."""
    summary = ImportSummary()
    table = read_table(path, sheet=sheet)
    with runtime.db.session() as session:
        units = unit_lookup(session.execute(select(Unit.code, Unit.name)).all())
    groups = runtime.agency.citizen_groups or None
    rows = prepare_rows(table, mapping, units=units, groups=groups, channels=tuple(channel_names(runtime.agency)),
                        channel_names=channel_names(runtime.agency))
    bar = Progress(None, label="นำเข้า", enabled=progress)

    def checked() -> Iterator[ImportRow]:
        for result in rows:
            if isinstance(result, ImportRow):
                yield result
            else:
                summary.add(result)

    for batch in _batches(checked(), IMPORT_BATCH):
        with runtime.db.session() as session:
            loader = Loader(session=session, agency=runtime.agency, calendar=runtime.calendar, source=path.name)
            already = known_fingerprints(session, [r.fingerprint for r in batch])
            taken = used_tickets(session, tickets=(r.ticket for r in batch if r.fingerprint not in already))
            fresh = []
            for row in batch:
                if row.fingerprint in already:
                    summary.add(DuplicateRow(line=row.line, fingerprint=row.fingerprint, first_line=0))
                elif row.ticket and row.ticket in taken:
                    summary.add(SkippedRow(line=row.line, reason=f"เลขเรื่อง {row.ticket} มีอยู่ในระบบแล้ว"))
                else:
                    fresh.append(row)
                    summary.add(row)
            loader.load([HistoryRow(text=r.text, received_at=r.received_at, channel=r.channel, status=r.status,
                                    unit=r.unit, resolved_at=r.resolved_at, group=r.group, ticket=r.ticket,
                                    satisfaction=r.satisfaction, fingerprint=r.fingerprint, line=r.line,
                                    citizen=r.fingerprint)  # who wrote a row is unknown: never the same citizen
                         for r in fresh])
        bar.advance(len(batch))
    _finish(runtime, bar)
    return summary


def load_demo(runtime: Runtime, *, messages: int, months: int, seed: int = 0, progress: bool = False,
              end: dt.date | None = None) -> int:
    """Generate and bulk-insert a demo history (ending yesterday, or on `end`), then rebuild the rollups; returns the
    number of messages loaded."""
    bar = Progress(messages, label="สร้างข้อมูลตัวอย่าง", enabled=progress)
    rows = (HistoryRow(text=row["text"], received_at=row["received_at"], channel=row["channel"], status=row["status"],
                       unit=row["unit"], intent=row["intent"], sentiment=row["sentiment"], topics=row["topics"],
                       responded_at=row["responded_at"], resolved_at=row["resolved_at"], group=row["group"],
                       satisfaction=row["satisfaction"], line=n, citizen=row["citizen"], surveyed=row["surveyed"],
                       survey_reason=row["survey_reason"], survey_answered_at=row["survey_answered_at"])
            for n, row in enumerate(demo_rows(messages=messages, months=months, seed=seed, end=end)))
    loaded = 0
    for batch in _batches(rows, DEMO_BATCH):
        with runtime.db.session() as session:
            Loader(session=session, agency=runtime.agency, calendar=runtime.calendar,
                   source=f"demo-{seed}").load(batch)
        bar.advance(len(batch))
        loaded += len(batch)
    _finish(runtime, bar)
    return loaded


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """The items in lists of `size` (the last one shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _finish(runtime: Runtime, bar: Progress) -> None:
    """End the progress line and rebuild the analytics rollups over the history just loaded."""
    bar.close()
    with runtime.db.session() as session:
        rebuild_rollups(session, calendar=runtime.calendar)
