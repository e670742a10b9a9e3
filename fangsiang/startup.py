"""A first start that shows its progress: training stages with a bar and time left (terminal and log), what is
still loading (for /readyz), and the line `serve` prints once the service is ready."""
from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

log = logging.getLogger("fangsiang.startup")

STAGE_NAMES = {  # the classifier's training stages (classifier.training.STAGES), as an operator reads them
    "data": "reading the bundled data", "features": "text features", "sentiment": "sentiment model",
    "embeddings": "text embeddings", "intent": "intent model", "router": "unit router", "save": "saving the models",
}
BAR_WIDTH = 24
LOG_EVERY_SECONDS = 10.0


@dataclass
class StartupProgress:
    """Where loading stands; training calls `report` (the classifier's progress callback)."""

    stream: TextIO | None = None  # a terminal gets a redrawn bar; None: log lines only
    stage: str = "classifier"
    fraction: float = 0.0
    seconds_left: float | None = None
    training: bool = False
    _logged_at: float = 0.0
    _logged_stage: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def report(self, stage: str, fraction: float, seconds_left: float | None) -> None:
        """Training moved on: remember it, draw the bar (on a terminal), log a line per stage and every 10 s."""
        with self._lock:
            if self.training and (stage, fraction, seconds_left) == (self.stage, self.fraction, self.seconds_left):
                return  # the same report again (the training process is alive but has not moved): nothing new
            self.training = True
            self.stage, self.fraction, self.seconds_left = stage, max(0.0, min(1.0, fraction)), seconds_left
            now = time.monotonic()
            line = self.describe()
            if stage != self._logged_stage or now - self._logged_at >= LOG_EVERY_SECONDS or fraction >= 1.0:
                log.info("%s", line)
                self._logged_stage, self._logged_at = stage, now
            if self.stream is not None:
                filled = int(self.fraction * BAR_WIDTH)
                self.stream.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {line}\x1b[K")
                if fraction >= 1.0:
                    self.stream.write("\n")
                self.stream.flush()

    def describe(self) -> str:
        """One line: the stage, percent done and time left."""
        name = STAGE_NAMES.get(self.stage, self.stage)
        left = "" if self.seconds_left is None else f", about {_duration(self.seconds_left)} left"
        return f"training the classifier (first start only): {self.fraction:.0%} done, {name}{left}"

    def status(self) -> dict[str, object]:
        """What /readyz shows while loading."""
        if not self.training:
            return {"classifier": "loading"}
        return {"classifier": "training", "stage": STAGE_NAMES.get(self.stage, self.stage),
                "percent": round(self.fraction * 100), "seconds_left": None if self.seconds_left is None
                else round(self.seconds_left)}


def terminal_progress() -> StartupProgress:
    """Progress drawn on stderr when it is a terminal (log lines otherwise)."""
    return StartupProgress(stream=sys.stderr if sys.stderr.isatty() else None)


def _duration(seconds: float) -> str:
    """'1 min 20 s', '45 s'."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def readiness(*, runtime: Any, worker: Any, progress: StartupProgress | None) -> dict[str, object]:
    """What is still loading ({} when ready): the database must answer, the in-process worker must run."""
    waiting: dict[str, object] = {}
    try:
        with runtime.db.read_session() as session:
            session.execute(text("SELECT 1"))
    except OperationalError:
        waiting["database"] = "unavailable"
    if worker is not None and not worker.ready.is_set():
        waiting.update(progress.status() if progress is not None else {"classifier": "loading"})
        waiting["worker"] = "starting"
    return waiting
