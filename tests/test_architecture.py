"""The rooms' doors: import-linter's contracts (pyproject.toml) hold, and a worker process loads no web stack."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_worker_process_starts_without_fastapi_or_jinja2() -> None:
    probe = ("import sys, worker.loop, worker.citizen_events, fangsiang.runtime; "
             "print(sorted(m for m in ('fastapi', 'jinja2', 'starlette', 'inbox', 'web') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
