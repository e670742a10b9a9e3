"""Spike alerts on daily counts: each day against its own weekday's recent history, with an overdispersed tail test.

The model, for a day t of type w (its weekday; a public holiday counts as a Sunday):
- expected μ = mean count of the last `weeks` days of type w (holidays and days inside earlier spikes left out);
- overdispersion φ by moments over a longer window (`dispersion_weeks`, each day against its weekday's mean), Var(Y) = μ + φμ² (shrunk toward prior_dispersion with the weight of `prior_weight` in Σμ², then clamped);
- the predictive variance adds the uncertainty of μ itself: V = μ(1 + φμ)(1 + 1/n_w);
- p = P(Y ≥ count) under a negative binomial with mean μ and variance V (Poisson when V = μ).
A spike starts on a day with p ≤ alpha / tests (Bonferroni over the series tested together), count ≥ min_count and
count ≥ min_ratio·μ. It goes on, as one alert, while days stay unusual (p ≤ continue_alpha and count > μ) and ends after
`quiet_days_to_end` days at or below normal (days above normal but not unusual, such as a busy weekend, are neutral); its start is the first of the unusual days that led to it. Days inside a spike stay
out of later baselines for at most `max_spike_days`, after which a lasting rise becomes the new normal.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from scipy.special import betainc, gammainc

Key = TypeVar("Key", bound=Hashable)
HOLIDAY_TYPE = 6  # a public holiday is expected to look like a Sunday


@dataclass(frozen=True)
class SpikeSettings:
    """How the detector decides; the defaults are what bench/analytics_spikes.py measured."""

    weeks: int = 8
    dispersion_weeks: int = 16
    alpha: float = 3e-4
    continue_alpha: float = 0.05
    min_count: int = 5
    min_ratio: float = 1.5
    min_history: int = 4
    max_spike_days: int = 14
    quiet_days_to_end: int = 2
    min_dispersion: float = 0.02
    prior_dispersion: float = 0.1
    prior_weight: float = 200.0
    max_dispersion: float = 1.0


@dataclass(frozen=True)
class Spike:
    """One alert: a run of unusual days, with the evidence of the day it was detected."""

    started_at: dt.date
    detected_at: dt.date
    count: int
    expected: float
    p_value: float
    score: float
    last_day: dt.date
    days: int
    total: int
    total_expected: float
    peak: int
    ongoing: bool


def spike_p_value(*, count: int, expected: float, variance: float) -> float:
    """P(Y ≥ count) for a negative binomial with this mean and variance (Poisson when variance ≤ mean)."""
    if count <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    if variance <= expected * (1 + 1e-9):
        return float(gammainc(count, expected))
    size = expected * expected / (variance - expected)
    return float(betainc(count, size, expected / (size + expected)))


class _Window:
    """The recent non-excluded days of one day type, with running sums."""

    __slots__ = ("days", "squares", "total")

    def __init__(self) -> None:
        self.days: deque[tuple[int, int]] = deque()
        self.total = 0
        self.squares = 0

    def add(self, index: int, count: int) -> None:
        """Keep a day in the history."""
        self.days.append((index, count))
        self.total += count
        self.squares += count * count

    def forget_before(self, index: int) -> None:
        """Drop days older than the window."""
        while self.days and self.days[0][0] < index:
            _, count = self.days.popleft()
            self.total -= count
            self.squares -= count * count

    def forget_from(self, index: int) -> None:
        """Drop days from `index` on (they turned out to be part of a spike)."""
        while self.days and self.days[-1][0] >= index:
            _, count = self.days.pop()
            self.total -= count
            self.squares -= count * count


def _dispersion(windows: list[_Window], settings: SpikeSettings) -> float:
    """Moment estimate of φ in Var = μ + φμ² over all day types' windows, clamped."""
    excess = mean_total = mean_squares = 0.0
    for window in windows:
        n = len(window.days)
        if n < 2:
            continue
        mean = window.total / n
        spread = (window.squares - n * mean * mean) / (n - 1)
        excess += n * (spread - mean)
        mean_total += n * mean
        mean_squares += n * mean * mean
    # shrunk toward a typical φ: sparse series say little about their overdispersion, busy ones say enough
    estimate = (excess + settings.prior_dispersion * settings.prior_weight) / (mean_squares + settings.prior_weight)
    return min(max(estimate, settings.min_dispersion), settings.max_dispersion)


@dataclass
class _Run:
    """A spike being followed day by day."""

    started: int
    detected: int
    count: int
    expected: float
    p_value: float
    last: int
    days: int
    total: int
    total_expected: float
    peak: int
    quiet: int = 0

    def extend(self, last: int, count: int, expected: float) -> None:
        """Count one more unusual day into the spike."""
        self.last, self.days, self.quiet = last, self.days + 1, 0
        self.total += count
        self.total_expected += expected
        self.peak = max(self.peak, count)

    def close(self, first_day: dt.date, *, ongoing: bool) -> Spike:
        """The alert as reported."""
        return Spike(
            started_at=first_day + dt.timedelta(days=self.started),
            detected_at=first_day + dt.timedelta(days=self.detected),
            count=self.count, expected=round(self.expected, 2), p_value=self.p_value,
            score=round(-math.log10(max(self.p_value, 1e-300)), 2),
            last_day=first_day + dt.timedelta(days=self.last), days=self.days, total=self.total,
            total_expected=round(self.total_expected, 2), peak=self.peak, ongoing=ongoing,
        )


def detect_spikes(counts: Mapping[dt.date, int], *, start: dt.date | None = None, end: dt.date | None = None,
                  holidays: Collection[dt.date] = (), settings: SpikeSettings = SpikeSettings(),
                  tests: int = 1) -> list[Spike]:
    """Spikes detected between `start` and `end` in daily counts (missing days are 0; earlier days are history)."""
    if not counts:
        return []
    first_day = min(counts)
    last_day = end or max(counts)
    start = start or first_day
    if last_day < first_day:
        return []
    alpha = settings.alpha / max(tests, 1)
    span = settings.weeks * 7
    windows = [_Window() for _ in range(7)]
    spread_windows = [_Window() for _ in range(7)]  # a longer history for the overdispersion
    spikes: list[Spike] = []
    run: _Run | None = None
    # the last days' (count, expected, p), to find where the unusual stretch that led to a spike began
    recent: deque[tuple[int, float, float]] = deque(maxlen=7)
    for index in range((last_day - first_day).days + 1):
        day = first_day + dt.timedelta(days=index)
        count = counts.get(day, 0)
        holiday = day in holidays
        window = windows[HOLIDAY_TYPE if holiday else day.weekday()]
        for each in windows:
            each.forget_before(index - span)
        for each in spread_windows:
            each.forget_before(index - settings.dispersion_weeks * 7)
        n = len(window.days)
        expected, p_value = math.inf, 1.0
        if n >= settings.min_history:
            expected = window.total / n if window.total else 0.5 / n
            if count > expected:
                variance = expected * (1 + _dispersion(spread_windows, settings) * expected) * (1 + 1 / n)
                p_value = spike_p_value(count=count, expected=expected, variance=variance)
        unusual = p_value <= settings.continue_alpha
        if run is not None:
            if unusual:
                run.extend(index, count, expected)
            elif count <= expected:  # a day above normal but not unusual neither extends nor ends a spike
                run.quiet += 1
                if run.quiet >= settings.quiet_days_to_end:
                    if first_day + dt.timedelta(days=run.detected) >= start:
                        spikes.append(run.close(first_day, ongoing=False))
                    run = None
        elif p_value <= alpha and count >= settings.min_count and count >= settings.min_ratio * expected:
            run = _Run(started=index, detected=index, count=count, expected=expected, p_value=p_value, last=index,
                       days=1, total=count, total_expected=expected, peak=count)
            for past_count, past_expected, past_p in reversed(recent):
                if past_p > settings.continue_alpha:
                    break
                run.started -= 1
                run.extend(run.last, past_count, past_expected)
            for each in (*windows, *spread_windows):
                each.forget_from(run.started)
        recent.append((count, expected, p_value))
        in_spike = run is not None and unusual and index - run.started < settings.max_spike_days
        if not holiday and not in_spike:
            window.add(index, count)
            spread_windows[day.weekday()].add(index, count)
    if run is not None and first_day + dt.timedelta(days=run.detected) >= start:
        spikes.append(run.close(first_day, ongoing=True))
    return spikes


def detect_spikes_many(series: Mapping[Key, Mapping[dt.date, int]], *, start: dt.date | None = None,
                       end: dt.date | None = None, holidays: Collection[dt.date] = (),
                       settings: SpikeSettings = SpikeSettings()) -> list[tuple[Key, Spike]]:
    """Spikes over many series (issues, units) tested together: alpha is shared out among them (Bonferroni)."""
    tested = [key for key, counts in series.items() if counts and max(counts.values()) >= settings.min_count]
    found = [
        (key, spike)
        for key in tested
        for spike in detect_spikes(series[key], start=start, end=end, holidays=holidays, settings=settings,
                                   tests=len(series))
    ]
    return sorted(found, key=lambda item: (item[1].detected_at, -item[1].score))
