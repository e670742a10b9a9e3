"""Routing to units: calibration of the automatic-routing threshold and the coverage–precision curve.

The router's top-1 confidence decides whether a case goes straight to a unit or to triage. Instead of a fixed
number, the threshold comes from out-of-fold predictions on the agency's own data (k-fold cross-validation at
training time): the lowest confidence at which the cases routed automatically are still right at least
`target_precision` of the time. The out-of-fold (confidence, correct) pairs are stored with the model, so a
different target precision needs no retraining.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Sequence

import numpy as np

CURVE_POINTS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)  # coverages reported by the curve
MIN_ROUTED = 10  # a threshold must route at least this many validation cases (or 5 % of them) to be trusted
NEVER = 1.01  # a threshold no confidence reaches: everything goes to triage


@dataclass
class RoutingCalibration:
    """Out-of-fold top-1 confidences of the router and whether the top-1 unit was right, best first."""

    confidences: np.ndarray  # float32, descending
    correct: np.ndarray  # bool, same order
    top3_correct: np.ndarray  # bool: the right unit among the first three candidates

    @classmethod
    def from_oof(cls, proba: np.ndarray, classes: Sequence[str],
                 y: Sequence[str] | Sequence[Collection[str]]) -> "RoutingCalibration":
        """Build from out-of-fold probabilities (n, len(classes)) and the true units.

        Each y is one unit, or the set of units that are right for the case (a report filed under several types).
        """
        right = [{u} if isinstance(u, str) else set(u) for u in y]
        order = np.argsort(-proba, axis=1, kind="stable")
        labels = np.asarray(classes)[order[:, :3]]
        conf = proba[np.arange(len(right)), order[:, 0]]
        correct = np.asarray([row[0] in ok for row, ok in zip(labels, right)], dtype=bool)
        top3 = np.asarray([any(u in ok for u in row) for row, ok in zip(labels, right)], dtype=bool)
        idx = np.argsort(-conf, kind="stable")
        return cls(conf[idx].astype(np.float32), correct[idx], top3[idx])

    @property
    def n(self) -> int:
        """Number of validation cases."""
        return int(self.confidences.size)

    def _precision_at(self) -> np.ndarray:
        """Precision of routing the first k cases (by confidence), for k = 1..n."""
        return np.cumsum(self.correct) / np.arange(1, self.n + 1)

    def threshold(self, target_precision: float) -> float:
        """Lowest confidence threshold whose routed cases reach target_precision (NEVER when none does)."""
        if self.n == 0:
            return NEVER
        precision = self._precision_at()
        ok = np.flatnonzero(precision >= target_precision)
        ok = ok[ok + 1 >= min(MIN_ROUTED, max(1, int(np.ceil(0.05 * self.n))))]
        if ok.size == 0:
            return NEVER
        k = int(ok[-1])  # route the first k+1 cases
        # Cases tied at the cut-off confidence are routed together: move up to the next distinct confidence.
        cut = float(self.confidences[k])
        if k + 1 < self.n and self.confidences[k + 1] == cut:
            higher = self.confidences[: k + 1][self.confidences[: k + 1] > cut]
            return float(higher[-1]) if higher.size else NEVER
        return cut

    def at_threshold(self, threshold: float) -> dict:
        """Coverage (share routed automatically) and precision of routed cases at a threshold."""
        routed = self.confidences >= threshold
        n_routed = int(routed.sum())
        return {
            "threshold": round(float(threshold), 4),
            "coverage": round(n_routed / self.n, 4) if self.n else 0.0,
            "triage_rate": round(1 - n_routed / self.n, 4) if self.n else 1.0,
            "precision": round(float(self.correct[routed].mean()), 4) if n_routed else None,
        }

    def curve(self, coverages: Sequence[float] = CURVE_POINTS) -> list[dict]:
        """Precision of the routed cases and the threshold at each coverage level."""
        rows = []
        precision = self._precision_at()
        for coverage in coverages:
            k = max(1, min(self.n, int(round(coverage * self.n))))
            if self.n:
                rows.append({
                    "coverage": round(k / self.n, 4),
                    "threshold": round(float(self.confidences[k - 1]), 4),
                    "precision": round(float(precision[k - 1]), 4),
                })
        return rows

    def summary(self, target_precision: float) -> dict:
        """Top-1/top-3 accuracy, the calibrated threshold at target_precision and the curve."""
        threshold = self.threshold(target_precision)
        return {
            "n": self.n,
            "top1_accuracy": round(float(self.correct.mean()), 4) if self.n else None,
            "top3_accuracy": round(float(self.top3_correct.mean()), 4) if self.n else None,
            "target_precision": target_precision,
            "calibrated": self.at_threshold(threshold),
            "curve": self.curve(),
        }


def top_candidates(proba_row: np.ndarray, classes: Sequence[str], k: int = 3) -> tuple[tuple[str, float], ...]:
    """The k most likely units with their probabilities, best first."""
    order = np.argsort(-proba_row, kind="stable")[:k]
    return tuple((str(classes[i]), float(proba_row[i])) for i in order)
