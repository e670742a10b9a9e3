"""`fangsiang import FILE` (history from a CSV/XLSX) and `fangsiang demo-data` (a living dashboard for a new user)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from agency.settings import Settings

TRAINING_STAGES = {"data": "อ่านข้อมูลตัวอย่าง", "features": "สร้างคุณลักษณะข้อความ", "sentiment": "ฝึกโมเดลความรู้สึก",
                   "embeddings": "คำนวณเวกเตอร์ข้อความ", "intent": "ฝึกโมเดลประเภทเรื่อง", "router": "ฝึกโมเดลเลือกหน่วยงาน",
                   "save": "บันทึกโมเดล"}
IMPORT_BATCH = 2000
DEMO_BATCH = 5000


def register(commands) -> None:
    """Add `import` and `demo-data` to the `fangsiang` command."""
    history = commands.add_parser("import", help="bring past complaints in from a CSV or XLSX file (nothing is sent)")
    history.add_argument("file", type=Path)
    history.add_argument("--text-column", required=True)
    history.add_argument("--date-column")
    where = history.add_mutually_exclusive_group()
    where.add_argument("--channel-column")
    where.add_argument("--channel", help="one channel for every row (e.g. walk_in, phone, letter, line)")
    for name in ("unit", "status", "resolved", "group", "ticket", "satisfaction"):
        history.add_argument(f"--{name}-column")
    history.add_argument("--sheet", help="XLSX sheet (default: the first)")
    history.add_argument("--no-progress", action="store_true")
    history.set_defaults(run=_import)

    demo = commands.add_parser("demo-data", help="generate a realistic history of citizens' messages and cases")
    demo.add_argument("--messages", type=int, default=20000)
    demo.add_argument("--months", type=int, default=12)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--no-progress", action="store_true")
    demo.set_defaults(run=_demo)


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


def _runtime_parts(settings: Settings, *, progress: bool = False):
    """The runtime, with the agency's trained classifier configured (trained first when there is none) — the same
    model the worker uses, so imported history is labelled as live messages are."""
    import classifier
    from fangsiang.runtime import build_runtime  # noqa: the history room will be handed it (issue 15)
    from runtime import agency_classifier

    runtime = build_runtime(settings)
    shown: set[str] = set()

    def report(stage: str, fraction: float, seconds_left: float | None) -> None:
        if progress and stage not in shown:
            shown.add(stage)
            print(f"กำลังเตรียมตัวจำแนกข้อความ (ครั้งแรกเท่านั้น): {TRAINING_STAGES.get(stage, stage)}",
                  file=sys.stderr, flush=True)

    try:
        classifier.configure(agency_classifier(settings, runtime.agency, progress=report))
    except BaseException:
        runtime.close()
        raise
    return runtime


def import_file(runtime, *, path: Path, mapping, sheet: str | None = None, progress: bool = False):
    """Import a file's rows as classified messages and cases; returns the ImportSummary (re-import adds nothing)."""
    from sqlalchemy import select

    from agency.vocabulary import channel_names
    from analytics.importer import (
        DuplicateRow,
        ImportRow,
        ImportSummary,
        SkippedRow,
        prepare_rows,
        read_table,
        unit_lookup,
    )
    from analytics.loading import HistoryRow, Loader, known_fingerprints
    from analytics.rollups import rebuild_rollups
    from storage.models import Unit

    summary = ImportSummary()
    table = read_table(path, sheet=sheet)
    with runtime.db.session() as session:
        units = unit_lookup(session.execute(select(Unit.code, Unit.name)).all())
    groups = runtime.agency.citizen_groups or None
    rows = prepare_rows(table, mapping, units=units, groups=groups, channels=tuple(channel_names(runtime.agency)),
                        channel_names=channel_names(runtime.agency))
    bar = Progress(None, label="นำเข้า", enabled=progress)
    batch: list = []

    def flush() -> None:
        with runtime.db.session() as session:
            loader = Loader(session=session, agency=runtime.agency, calendar=runtime.calendar, source=path.name)
            already = known_fingerprints(session, [r.fingerprint for r in batch])
            taken = loader.existing_tickets(r.ticket for r in batch if r.fingerprint not in already)
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
                                    satisfaction=r.satisfaction, fingerprint=r.fingerprint, line=r.line)
                         for r in fresh])
        bar.advance(len(batch))
        batch.clear()

    for result in rows:
        if isinstance(result, ImportRow):
            batch.append(result)
            if len(batch) >= IMPORT_BATCH:
                flush()
        else:
            summary.add(result)
    if batch:
        flush()
    bar.close()
    with runtime.db.session() as session:
        rebuild_rollups(session, calendar=runtime.calendar)
    return summary


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from analytics.importer import ColumnMapping, ImportFileError

    mapping = ColumnMapping(text=args.text_column, date=args.date_column, channel=args.channel_column,
                            channel_value=args.channel, unit=args.unit_column, status=args.status_column,
                            resolved=args.resolved_column, group=args.group_column, ticket=args.ticket_column,
                            satisfaction=args.satisfaction_column)
    if not args.file.is_file():  # told at once, before a first use trains the classifier for minutes
        print(f"นำเข้าไม่ได้: {ImportFileError(f'ไม่พบไฟล์ {args.file}')}", file=sys.stderr)
        return 2
    runtime = _runtime_parts(settings, progress=not args.no_progress)
    try:
        summary = import_file(runtime, path=args.file, mapping=mapping, sheet=args.sheet,
                              progress=not args.no_progress)
    except (ImportFileError, OSError) as error:
        print(f"นำเข้าไม่ได้: {error}", file=sys.stderr)
        return 2
    finally:
        runtime.close()
    print(summary.thai_report())
    return 0


def load_demo(runtime, *, messages: int, months: int, seed: int = 0, progress: bool = False) -> int:
    """Generate and bulk-insert a demo history, then rebuild the rollups; returns the number of messages loaded."""
    from analytics.demo import demo_rows
    from analytics.loading import HistoryRow, Loader
    from analytics.rollups import rebuild_rollups

    bar = Progress(messages, label="สร้างข้อมูลตัวอย่าง", enabled=progress)
    batch: list[HistoryRow] = []
    loaded = 0

    def flush() -> None:
        with runtime.db.session() as session:
            loader = Loader(session=session, agency=runtime.agency, calendar=runtime.calendar,
                            source=f"demo-{seed}", contacts_per_channel=200)
            loader.load(batch)
        bar.advance(len(batch))
        batch.clear()

    for n, row in enumerate(demo_rows(messages=messages, months=months, seed=seed)):
        batch.append(HistoryRow(
            text=row["text"], received_at=row["received_at"], channel=row["channel"], status=row["status"],
            unit=row["unit"], intent=row["intent"], sentiment=row["sentiment"], topics=row["topics"],
            responded_at=row["responded_at"], resolved_at=row["resolved_at"], group=row["group"],
            satisfaction=row["satisfaction"], line=n))
        loaded += 1
        if len(batch) >= DEMO_BATCH:
            flush()
    if batch:
        flush()
    bar.close()
    with runtime.db.session() as session:
        rebuild_rollups(session, calendar=runtime.calendar)
    return loaded


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime_parts(settings, progress=not args.no_progress)
    started = time.monotonic()
    try:
        loaded = load_demo(runtime, messages=args.messages, months=args.months, seed=args.seed,
                           progress=not args.no_progress)
    finally:
        runtime.close()
    print(f"สร้างข้อความตัวอย่าง {loaded:,} ข้อความใน {time.monotonic() - started:,.0f} วินาที")
    return 0
