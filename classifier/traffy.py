"""Real citizen reports (Traffy Fondue, Bangkok): the register CSV for `fangsiang train --router-csv` and routing
measured on the held-out 30 % with the threshold calibrated on the other 70 %.

`python -m classifier.traffy --write-csv F` writes the reports' training part as an agency history
(columns `text`, `unit`: the report's most specific problem type) for
`fangsiang train --router-csv F --text-column text --label-column unit`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from . import data
from .features import FeatureSpace, prepare
from .routing import RoutingCalibration

ROUTING_FOLDS = 5


def register_rows(rows: list[dict]) -> list[tuple[str, str, list[str]]]:
    """(text, unit, every right unit) for reports with a problem type; the unit is the most specific type."""
    frequency = data.traffy_unit_frequency(rows)
    out = []
    for row in rows:
        unit = data.traffy_primary_unit(row["units"], frequency)
        if unit is not None:
            out.append((row["text"], unit, list(row["units"])))
    return out


def write_register_csv(path: Path, *, part: str = "train") -> int:
    """Write the Traffy reports (the training part, or `all`) as an agency history CSV; return the row count."""
    train, held_out = data.traffy_split()
    rows = register_rows(train if part == "train" else train + held_out)
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "unit"])
        writer.writerows((text, unit) for text, unit, _ in rows)
    return len(rows)


def routing_report(*, target_precisions: tuple[float, ...] = (0.93, 0.95), seed: int = 0) -> dict:
    """Router trained as `train --router-csv` would on the 70 %: thresholds calibrated there (5-fold, out of fold),
    then applied to the held-out 30 %: top-1/top-3, share to triage and precision of the routed reports.

    A report filed under several problem types is rightly routed to any of them.
    """
    from .training import ROUTER_C, _cv_folds, _fit_head, _oof_proba

    train_rows, held_rows = data.traffy_split()
    train = register_rows(train_rows)
    held = [(row["text"], None, row["units"]) for row in held_rows if row["units"]]
    texts, labels, right = [t for t, _, _ in train], [u for _, u, _ in train], [r for _, _, r in train]
    prepared = prepare(texts)
    space = FeatureSpace()
    X = space.fit_transform(prepared)
    classes = sorted(set(labels))
    head = _fit_head(X, labels, ROUTER_C, balanced=True)
    folds = _cv_folds(labels, seed, n_splits=ROUTING_FOLDS)
    oof = _oof_proba(X, labels, ROUTER_C, folds, classes, init=head)
    calibration = RoutingCalibration.from_oof(oof, classes, right)
    held_proba = head.proba(space.transform(prepare([t for t, _, _ in held])))
    held_cal = RoutingCalibration.from_oof(held_proba, list(head.classes), [r for _, _, r in held])
    frequency = data.traffy_unit_frequency(train_rows)
    strict_cal = RoutingCalibration.from_oof(
        held_proba, list(head.classes), [data.traffy_primary_unit(r, frequency) or "" for _, _, r in held])
    report = {
        "split": (f"classifier/data/traffy/reports.jsonl: router fitted on the 70 % ({len(train)} reports, "
                  f"{len(classes)} problem types as units), measured on the held-out 30 % ({len(held)})"),
        "n_train": len(train), "n_held_out": len(held), "units": len(classes),
        "held_out_top1": round(float(held_cal.correct.mean()), 4),
        "held_out_top3": round(float(held_cal.top3_correct.mean()), 4),
        "held_out_top1_primary_type_only": round(float(strict_cal.correct.mean()), 4),
        "calibration_top1_oof": round(float(calibration.correct.mean()), 4),
        "targets": [],
        "held_out_curve": held_cal.curve(),
    }
    for target in target_precisions:
        threshold = calibration.threshold(target)
        report["targets"].append({
            "target_precision": target,
            "calibrated_on_70": calibration.at_threshold(threshold),
            "held_out_30": held_cal.at_threshold(threshold),
        })
    return report


def format_routing_report(report: dict) -> str:
    """Human-readable lines for routing_report()."""
    lines = [
        f"== routing on real reports — {report['split']}",
        f"top-1 {report['held_out_top1']:.4f} (any of the report's types; the most specific one only: "
        f"{report['held_out_top1_primary_type_only']:.4f})   top-3 {report['held_out_top3']:.4f}",
    ]
    for row in report["targets"]:
        cal, held = row["calibrated_on_70"], row["held_out_30"]
        lines.append(
            f"target precision {row['target_precision']:.2f}: threshold {cal['threshold']:.4f} "
            f"(out-of-fold on the 70 %: to triage {cal['triage_rate']:.1%}, precision {_fmt(cal['precision'])}) "
            f"→ held-out 30 %: to triage {held['triage_rate']:.1%}, precision of routed {_fmt(held['precision'])}")
    lines.append("held-out curve: coverage  threshold  precision")
    for row in report["held_out_curve"]:
        lines.append(f"{row['coverage']:8.0%}  {row['threshold']:9.4f}  {row['precision']:9.4f}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    """Format a precision that may be missing."""
    return "n/a" if value is None else f"{value:.4f}"


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "--write-csv":
        print(f"{write_register_csv(Path(sys.argv[2]))} reports written to {sys.argv[2]}")
    elif sys.argv[1:] == ["--routing"]:
        print(format_routing_report(routing_report()))
    else:
        print("usage: python -m classifier.traffy --write-csv FILE | --routing")
