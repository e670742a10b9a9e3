"""How long the `fangsiang` commands that need no models take, from launch to exit (goal: < 2 s on a quiet machine).

Run by hand (not a test):  .venv/bin/python bench/cli_start.py [--runs 5]

Each command runs `--runs` times on a fresh data directory without channel tokens (`users add`, `import` of a
missing file, `db upgrade` on an up-to-date database, `--help`); the table shows the median wall time and the median
CPU time (user + system) of the process, which a busy machine stretches less than the wall time, plus the machine's
load average before and after. It also checks that none of them prints anything about channel tokens.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, float, str]:
    """Run once, reading the child's own CPU time from wait4."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(stdin)
    process.stdin.close()
    output = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped here: keep Popen from waiting again
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "fangsiang.cli"]
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FANGSIANG_DATA_DIR": f"{tmp}/data", "FANGSIANG_MODEL_DIR": f"{tmp}/models"}
        for name in ("DATABASE_URL", "REDIS_URL", "LINE_CHANNEL_ACCESS_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN"):
            env.pop(name, None)
        run([*cli, "db", "upgrade"], env)  # the database exists: every timed command sees an up-to-date one
        commands = {
            "fangsiang --help": lambda n: ([*cli, "--help"], ""),
            "fangsiang users add": lambda n: ([*cli, "users", "add", f"officer{n}@example.go.th", "--role", "admin",
                                               "--password-stdin"], "a long passphrase 42\n"),
            "fangsiang import (missing file)": lambda n: ([*cli, "import", f"{tmp}/missing.csv", "--text-column",
                                                           "text"], ""),
            "fangsiang db upgrade": lambda n: ([*cli, "db", "upgrade"], ""),
        }
        for label, build in commands.items():
            walls, cpus, token_lines = [], [], 0
            for n in range(args.runs):
                command, stdin = build(n)
                wall, cpu, output = run(command, env, stdin)
                walls.append(wall)
                cpus.append(cpu)
                token_lines += sum("TOKEN" in line for line in output.splitlines())
            rows.append((label, statistics.median(walls), statistics.median(cpus), token_lines))
    load_after = os.getloadavg()
    print(f"\n{args.runs} runs each, {os.cpu_count()} cores; load average before {load_before[0]:.2f}, "
          f"after {load_after[0]:.2f}\n")
    print(f"{'command':34} {'wall s (median)':>16} {'CPU s (median)':>15} {'token lines':>12}")
    for label, wall, cpu, tokens in rows:
        print(f"{label:34} {wall:16.2f} {cpu:15.2f} {tokens:12d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
