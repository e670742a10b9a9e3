"""History import speed: `fangsiang import` of an agency spreadsheet of N rows, then the same file again.

Usage: python bench/analytics_import.py [--rows 100000] [--months 24] [--keep DIR]
Writes a CSV the way agencies keep their complaint registers (Thai column names, dates as "15/03/2568 14:05" in the
Buddhist Era, channels, units and statuses in Thai words, satisfaction 1–5), from the demo history's realistic
texts; imports it into a fresh SQLite database (or DATABASE_URL) through the real command and reports rows per
second for the first import and for the re-import (which must add nothing). Runs the trained classifier from
FANGSIANG_MODEL_DIR (trains first when there is none).
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agency.config import load_agency_config  # noqa: E402
from agency.settings import Settings  # noqa: E402
from agency.thaitime import BANGKOK, BE_OFFSET  # noqa: E402
from agency.vocabulary import STATUS_NAMES, channel_names  # noqa: E402
from history.demo import demo_rows  # noqa: E402

COLUMNS = ("ลำดับ", "วันที่รับเรื่อง", "ช่องทาง", "เรื่องร้องเรียน", "หน่วยงานที่รับผิดชอบ", "สถานะ", "วันที่แล้วเสร็จ",
           "กลุ่มผู้รับบริการ", "ความพึงพอใจ")
CHANNEL_WORDS = {"line": "ไลน์", "facebook": "เฟซบุ๊ก", "facebook_comment": "คอมเมนต์เพจ"}  # as clerks write them


def thai_moment(moment) -> str:  # type: ignore[no-untyped-def]
    """15/03/2568 14:05 (Bangkok time, Buddhist Era)."""
    local = moment.astimezone(BANGKOK)
    return f"{local.day:02d}/{local.month:02d}/{local.year + BE_OFFSET} {local:%H:%M}"


def write_register(path: Path, *, rows: int, months: int) -> None:
    """The agency's complaint register as a CSV (UTF-8 with BOM, as Excel saves it)."""
    settings = Settings()
    agency = load_agency_config(settings.fangsiang_agency_config)
    units = {u.code: u.name for u in agency.units}
    channels = {**channel_names(agency), **CHANNEL_WORDS}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for number, row in enumerate(demo_rows(messages=rows, months=months, seed=3), start=1):
            resolved = row.get("resolved_at")
            out.writerow((number, thai_moment(row["received_at"]), channels.get(row["channel"], row["channel"]),
                          row["text"], units.get(row["unit"], ""), STATUS_NAMES.get(row["status"], row["status"]),
                          thai_moment(resolved) if resolved else "", row.get("group") or "",
                          row.get("satisfaction") or ""))


def run_import(path: Path, env: dict[str, str]) -> tuple[float, str]:
    """Seconds and the summary the command printed."""
    command = [sys.executable, "-m", "fangsiang.cli", "import", str(path), "--text-column", "เรื่องร้องเรียน",
               "--date-column", "วันที่รับเรื่อง", "--channel-column", "ช่องทาง",
               "--unit-column", "หน่วยงานที่รับผิดชอบ", "--status-column", "สถานะ",
               "--resolved-column", "วันที่แล้วเสร็จ", "--group-column", "กลุ่มผู้รับบริการ",
               "--satisfaction-column", "ความพึงพอใจ", "--no-progress"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout.strip()


def main() -> None:
    """Write the register, import it twice, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--keep", type=Path, help="data directory to use and keep (default: a temporary one)")
    args = parser.parse_args()
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="fs-import-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    register = data_dir / "register.csv"
    started = time.perf_counter()
    write_register(register, rows=args.rows, months=args.months)
    print(f"wrote {args.rows:,} rows ({register.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s",
          flush=True)
    env = {**os.environ, "FANGSIANG_DATA_DIR": str(data_dir)}
    for label in ("first import", "re-import (adds nothing)"):
        seconds, summary = run_import(register, env)
        print(f"{label}: {seconds:,.0f} s, {args.rows / seconds:,.0f} rows/s", flush=True)
        print("  " + summary.replace("\n", "\n  "), flush=True)
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
