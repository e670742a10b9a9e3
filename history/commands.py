"""`fangsiang import FILE` (history from a CSV/XLSX) and `fangsiang demo-data` (a living dashboard for a new user).

The composition root hands its runtime builder down on the parsed arguments (`args.build_runtime`): this room never
imports it."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agency.settings import Settings

if TYPE_CHECKING:
    from runtime import Runtime

TRAINING_STAGES = {"data": "อ่านข้อมูลตัวอย่าง", "features": "สร้างคุณลักษณะข้อความ", "sentiment": "ฝึกโมเดลความรู้สึก",
                   "embeddings": "คำนวณเวกเตอร์ข้อความ", "intent": "ฝึกโมเดลประเภทเรื่อง", "router": "ฝึกโมเดลเลือกหน่วยงาน",
                   "save": "บันทึกโมเดล"}


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


def _runtime_parts(build_runtime: Callable[[Settings], "Runtime"], settings: Settings, *, progress: bool = False):
    """The runtime, with the agency's trained classifier configured (trained first when there is none) — the same
    model the worker uses, so imported history is labelled as live messages are."""
    import classifier
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


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from history.importer import ColumnMapping, ImportFileError

    mapping = ColumnMapping(text=args.text_column, date=args.date_column, channel=args.channel_column,
                            channel_value=args.channel, unit=args.unit_column, status=args.status_column,
                            resolved=args.resolved_column, group=args.group_column, ticket=args.ticket_column,
                            satisfaction=args.satisfaction_column)
    if not args.file.is_file():  # told at once, before a first use trains the classifier for minutes
        print(f"นำเข้าไม่ได้: {ImportFileError(f'ไม่พบไฟล์ {args.file}')}", file=sys.stderr)
        return 2
    from history.service import import_file  # (after the check: it loads what importing needs, ~0.4 s)

    runtime = _runtime_parts(args.build_runtime, settings, progress=not args.no_progress)
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


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from history.service import load_demo

    runtime = _runtime_parts(args.build_runtime, settings, progress=not args.no_progress)
    started = time.monotonic()
    try:
        loaded = load_demo(runtime, messages=args.messages, months=args.months, seed=args.seed,
                           progress=not args.no_progress)
    finally:
        runtime.close()
    print(f"สร้างข้อความตัวอย่าง {loaded:,} ข้อความใน {time.monotonic() - started:,.0f} วินาที")
    return 0
