"""Bundled training data: Wisesight sentiment (with a fixed held-out split) and the project's intent/unit set."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Iterable

from sklearn.model_selection import train_test_split

from .prediction import INTENTS, SENTIMENTS

DATA_DIR = Path(__file__).resolve().parent / "data"
WISESIGHT_FILE = DATA_DIR / "wisesight" / "train.jsonl"
INTENTS_DIR = DATA_DIR / "intents"
INTENT_TEST_FILE = INTENTS_DIR / "test.jsonl"
# Citizen reports in the style real ones are written (long, structured, repeated, request-phrased, dialect,
# misspelled, English mixed in, sarcastic thanks), written separately from train_reports.jsonl: evaluation only.
REPORTS_TEST_FILE = INTENTS_DIR / "test_reports.jsonl"
URGENCY_TEST_FILE = DATA_DIR / "urgency" / "test.jsonl"
EMBEDDING_CACHE_FILE = DATA_DIR / "embeddings" / "intents-e5.npz"  # e5 vectors of train_*.jsonl (masked)
SENTIMENT_HOLDOUT_FRACTION = 0.15
SENTIMENT_SPLIT_SEED = 20240501  # fixed forever: the held-out split must not move between trainings
# Weak sentiment labels (Wisesight scheme) for the project's own citizen messages, derived from their intent.
# A complaint expresses dissatisfaction (sarcastic "thanks" included) → neg; praise → pos; a question → q;
# a suggestion is a constructive, mostly neutral request → neu. "other" (greetings, spam, mixed) is left out.
DOMAIN_SENTIMENT: dict[str, str] = {"complaint": "neg", "praise": "pos", "question": "q", "suggestion": "neu"}


def read_jsonl(path: Path) -> list[dict]:
    """Read a JSON-lines file, skipping blank lines."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def file_sha256(paths: Iterable[Path]) -> str:
    """SHA-256 over the contents of the given files, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def wisesight_split() -> tuple[list[dict], list[dict]]:
    """Return (train, held_out) Wisesight rows: a fixed, seeded, stratified split."""
    rows = [r for r in read_jsonl(WISESIGHT_FILE) if r.get("label") in SENTIMENTS]
    labels = [r["label"] for r in rows]
    train, held_out = train_test_split(
        rows, test_size=SENTIMENT_HOLDOUT_FRACTION, stratify=labels, random_state=SENTIMENT_SPLIT_SEED
    )
    return list(train), list(held_out)


def intent_train_files() -> list[Path]:
    """The intent/unit training files (never test.jsonl)."""
    return sorted(INTENTS_DIR.glob("train_*.jsonl"))


def _valid_intent_row(row: dict) -> bool:
    """True when a row has text and a known intent."""
    return isinstance(row.get("text"), str) and bool(row["text"].strip()) and row.get("intent") in INTENTS


def intent_train_rows() -> list[dict]:
    """All intent/unit training rows: train_*.jsonl, then the training part of the Traffy reports (no "unit")."""
    rows: list[dict] = []
    for path in intent_train_files():
        rows.extend(r for r in read_jsonl(path) if _valid_intent_row(r))
    rows.extend({"text": r["text"], "intent": r["intent"], "source": "traffy"} for r in traffy_split()[0])
    return rows


def intent_test_rows(path: Path = INTENT_TEST_FILE) -> list[dict]:
    """Held-out intent/unit rows (evaluation only): test.jsonl, or REPORTS_TEST_FILE."""
    if not path.exists():
        return []
    return [r for r in read_jsonl(path) if _valid_intent_row(r)]


def urgency_test_rows() -> list[dict]:
    """{"text", "priority"} rows for measuring the urgency rules (evaluation only)."""
    return read_jsonl(URGENCY_TEST_FILE) if URGENCY_TEST_FILE.exists() else []


def domain_sentiment_rows(rows: Iterable[dict]) -> list[dict]:
    """{"text", "label"} rows with the weak sentiment label of each intent row (intent "other" dropped)."""
    return [{"text": r["text"], "label": DOMAIN_SENTIMENT[r["intent"]]} for r in rows if r.get("intent") in DOMAIN_SENTIMENT]


UNIT_SEPARATOR = "|"  # a register row filed under several units: "ถนน|ทางเท้า"


def split_units(label: str) -> list[str]:
    """The units of a register label ("ถนน|ทางเท้า" → ["ถนน", "ทางเท้า"])."""
    return [u.strip() for u in str(label).split(UNIT_SEPARATOR) if u.strip()]


def read_router_csv(path: Path, text_column: str, label_column: str) -> list[tuple[str, str]]:
    """(text, unit code) pairs from an agency's complaint-register CSV export."""
    pairs: list[tuple[str, str]] = []
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {text_column, label_column} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"CSV {path} has no column(s) {sorted(missing)}; found {reader.fieldnames}")
        for row in reader:
            text = (row.get(text_column) or "").strip()
            label = (row.get(label_column) or "").strip()
            if text and label:
                pairs.append((text, label))
    return pairs


# ---------------------------------------------------------------- Traffy Fondue: real citizen reports
TRAFFY_FILE = DATA_DIR / "traffy" / "reports.jsonl"
TRAFFY_HOLDOUT_PERCENT = 30  # share of reports held out, by a hash of the text (fixed forever)
TRAFFY_META_TYPES = frozenset({"ร้องเรียน", "สอบถาม", "เสนอแนะ"})  # what the citizen wants, not a problem type


def _traffy_held_out(text: str) -> bool:
    """True for the fixed 30 % of Traffy reports held out from every training (by a hash of the text)."""
    return int(hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8], 16) % 100 < TRAFFY_HOLDOUT_PERCENT


def traffy_intent(row: dict) -> str:
    """A Traffy report's intent: a filed problem report is a complaint; one filed only as a question is one."""
    return "question" if row.get("types") == ["สอบถาม"] else "complaint"


def traffy_split() -> tuple[list[dict], list[dict]]:
    """(train, held_out) Traffy reports with "intent" and "units" (problem types) added."""
    if not TRAFFY_FILE.exists():
        return [], []
    train, held_out = [], []
    for row in read_jsonl(TRAFFY_FILE):
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        units = [t for t in row.get("types") or [] if t not in TRAFFY_META_TYPES]
        item = {"text": text, "intent": traffy_intent(row), "units": units}
        (held_out if _traffy_held_out(text) else train).append(item)
    return train, held_out


def traffy_primary_unit(units: list[str], frequency: dict[str, int]) -> str | None:
    """The most specific of a report's problem types (the rarest overall), as its one unit in a register CSV."""
    return min(units, key=lambda u: (frequency.get(u, 0), u)) if units else None


def traffy_unit_frequency(rows: Iterable[dict]) -> dict[str, int]:
    """How many reports carry each problem type."""
    counts: dict[str, int] = {}
    for row in rows:
        for unit in row["units"]:
            counts[unit] = counts.get(unit, 0) + 1
    return counts
