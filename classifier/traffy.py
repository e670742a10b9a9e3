"""Real citizen reports (Traffy Fondue, Bangkok): the register CSV for `fangsiang train --router-csv` and routing
measured on the held-out 30 % with the threshold calibrated on the other 70 %.

`python -m classifier.traffy --write-csv F` writes the reports' training part as an agency history
(columns `text`, `unit`: the report's problem types, the most specific first, joined by "|") for
`fangsiang train --router-csv F --text-column text --label-column unit`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from . import data
from .features import FeatureSpace, prepare
from .routing import RoutingCalibration

ROUTING_FOLDS = 5
CURVE_TARGETS = (0.85, 0.88, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.97)


def register_rows(rows: list[dict]) -> list[tuple[str, str]]:
    """(text, units) for reports with a problem type: every type, the most specific (rarest) first, joined by "|"."""
    frequency = data.traffy_unit_frequency(rows)
    return [(row["text"], data.UNIT_SEPARATOR.join(sorted(row["units"], key=lambda u: (frequency.get(u, 0), u))))
            for row in rows if row["units"]]


def write_register_csv(path: Path, *, part: str = "train") -> int:
    """Write the Traffy reports (the training part, or `all`) as an agency history CSV; return the row count."""
    train, held_out = data.traffy_split()
    rows = register_rows(train if part == "train" else train + held_out)
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "unit"])
        writer.writerows(rows)
    return len(rows)


def routing_report(*, target_precisions: tuple[float, ...] = (0.93, 0.95), seed: int = 0) -> dict:
    """Router trained as `train --router-csv` would on the 70 % register (thresholds calibrated there, out of fold),
    then applied to the held-out 30 %: top-1/top-3, share to triage and precision of the routed reports.

    A report filed under several problem types is rightly routed to any of them.
    """
    from .training import fit_router

    train_rows, held_rows = data.traffy_split()
    train = register_rows(train_rows)
    held = [row for row in held_rows if row["units"]]
    space = FeatureSpace()
    X = space.fit_transform(prepare([text for text, _ in train]))
    head, calibration = fit_router(X, [label for _, label in train], seed=seed, folds=ROUTING_FOLDS)
    held_proba = head.proba(space.transform(prepare([row["text"] for row in held])))
    held_cal = RoutingCalibration.from_oof(held_proba, list(head.classes), [row["units"] for row in held])
    report = {
        "split": (f"classifier/data/traffy/reports.jsonl: router fitted on the 70 % ({len(train)} reports, "
                  f"{len(head.classes)} problem types as units, one regression per type), measured on the held-out "
                  f"30 % ({len(held)})"),
        "n_train": len(train), "n_held_out": len(held), "units": len(head.classes),
        "held_out_top1": round(float(held_cal.correct.mean()), 4),
        "held_out_top3": round(float(held_cal.top3_correct.mean()), 4),
        "calibration_top1_oof": round(float(calibration.correct.mean()), 4),
        "targets": [],
        "held_out_curve": held_cal.curve(),
    }
    # The curve: the thresholds the out-of-fold confidences give for a range of targets, each applied to the
    # out-of-fold predictions and to the held-out part (share to triage against precision of the routed reports).
    report["curve"] = [
        {"target_precision": t, "threshold": calibration.threshold(t),
         "calibrated_on_70": calibration.at_threshold(calibration.threshold(t)),
         "held_out_30": held_cal.at_threshold(calibration.threshold(t))}
        for t in CURVE_TARGETS]
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
        f"== routing on real reports [real data nobody here wrote] — {report['split']}",
        f"top-1 {report['held_out_top1']:.4f} (right when it is any of the report's types)   "
        f"top-3 {report['held_out_top3']:.4f}",
    ]
    for row in report["targets"]:
        cal, held = row["calibrated_on_70"], row["held_out_30"]
        lines.append(
            f"target precision {row['target_precision']:.2f}: threshold {cal['threshold']:.4f} "
            f"(out-of-fold on the 70 %: to triage {cal['triage_rate']:.1%}, precision {_fmt(cal['precision'])}) "
            f"→ held-out 30 %: to triage {held['triage_rate']:.1%}, precision of routed {_fmt(held['precision'])}")
    lines.append("curve (share sent to triage → precision of the routed reports), each threshold applied to both parts:")
    lines.append("threshold  out-of-fold 70 %: to triage  precision   held-out 30 %: to triage  precision")
    for row in report["curve"]:
        cal, held = row["calibrated_on_70"], row["held_out_30"]
        lines.append(f"{row['threshold']:9.4f}  {cal['triage_rate']:26.1%}  {_fmt(cal['precision']):>9}   "
                     f"{held['triage_rate']:24.1%}  {_fmt(held['precision']):>9}")
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
