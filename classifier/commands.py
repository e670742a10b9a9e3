"""Helpers for the `fangsiang classify|train|evaluate` commands (no database)."""

from __future__ import annotations

import json
from typing import Iterable, Sequence, TextIO

from .prediction import Prediction
from .text import batch

BATCH_SIZE = 512


def prediction_record(text: str, prediction: Prediction) -> dict:
    """The JSON object printed for one classified line."""
    record = {"text": text}
    record.update(prediction.as_dict())
    return record


def classify_stream(classifier: object, lines: Iterable[str], out: TextIO) -> int:
    """Classify one message per input line, write one JSON object per line to out; return the count."""
    count = 0
    for chunk in batch((line.rstrip("\r\n") for line in lines), BATCH_SIZE):
        predictions: Sequence[Prediction] = classifier.classify_many(chunk)  # type: ignore[attr-defined]
        for text, prediction in zip(chunk, predictions):
            out.write(json.dumps(prediction_record(text, prediction), ensure_ascii=False) + "\n")
            count += 1
        out.flush()
    return count
