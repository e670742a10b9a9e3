"""The worst cases the tests check for behaviour, timed here (speed is not asserted in tests/).

Run by hand:  .venv/bin/python bench/worst_cases.py

- parse_body on hostile webhook bodies (deep nesting, huge integers, invalid UTF-8): each must be refused in well
  under a second (it runs on the web's event loop);
- personal-data masking: CPU per 1,000 real messages, one 10,000-character text and three adversarial repetitions
  (linear, not quadratic);
- trending-issue ranking over 20,000 keys.
CPU time (this process only) is shown next to wall time, with the machine's load average.
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.trends import rank_issues  # noqa: E402
from classifier.privacy import _words, find_personal_data  # noqa: E402
from listeners.base import WebhookRejected, parse_body  # noqa: E402

PRIVACY_DATA = ROOT / "tests" / "classifier" / "data" / "pdpa_messages.jsonl"
HOSTILE_BODIES = {
    "invalid UTF-8": b"\xff\xfe\x00t",
    "1,000 nested arrays": b"[" * 1_000 + b"]" * 1_000,
    "100,000 nested objects": b'{"events": [' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"]}",
    "4,301-digit integer": b'{"events": [], "n": ' + b"9" * 4_301 + b"}",
    "5,000 unclosed arrays": b'{"events": [' + b"[" * 5_000,
}


def timed(work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(wall seconds, CPU seconds of this process) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def refuse(body: bytes) -> None:
    """parse_body must refuse the body."""
    try:
        parse_body(body)
    except WebhookRejected:
        return
    raise AssertionError("accepted a hostile body")


def main() -> int:
    rows: list[tuple[str, float, float, str]] = []
    for name, body in HOSTILE_BODIES.items():
        rows.append((f"parse_body: {name}", *timed(lambda body=body: refuse(body)), "< 1 s"))
    texts = [json.loads(line)["text"] for line in PRIVACY_DATA.read_text(encoding="utf-8").splitlines() if line]
    find_personal_data(texts[0])  # word lists load once per process
    _words.cache_clear()
    batch = (texts * 3)[:1000]
    rows.append(("masking: 1,000 messages", *timed(lambda: [find_personal_data(t) for t in batch]), "< 1 s CPU"))
    long_text = " ".join(texts * 20)[:10_000]
    rows.append(("masking: one 10,000-character text", *timed(lambda: find_personal_data(long_text)), "< 0.3 s CPU"))
    for pattern in ("คุณสมชายพี่ตาป้า0812345678บ้านเลขที่99/1", "นาย", "พี่ตา"):
        text = (pattern * 4000)[:10_000]
        rows.append((f"masking: '{pattern[:12]}' repeated to 10,000 chars",
                     *timed(lambda text=text: find_personal_data(text)), "< 1.5 s CPU"))
    rng = random.Random(3)
    counts = {f"ปัญหา{i % 1000}|ซอย {i // 1000}": (rng.randint(0, 30), rng.randint(0, 30)) for i in range(20_000)}
    rows.append(("trending issues: rank 20,000 keys",
                 *timed(lambda: rank_issues(counts, baseline_periods=1, limit=20)), "< 2 s"))
    load = os.getloadavg()
    print(f"\n{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print(f"{'case':58} {'wall ms':>9} {'CPU ms':>9}  goal")
    for name, wall, cpu, goal in rows:
        print(f"{name:58} {wall * 1000:9.1f} {cpu * 1000:9.1f}  {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
