"""Spike detector: false alerts per month on long steady series, and detection of planted spikes.

Usage: python bench/analytics_spikes.py [--years 3] [--seeds 20] [--json]

Steady series follow the demo's volume model (history/demo.py): weekday profile, weekends at 35 %, Thai public
holidays at 30 % with a busier first working day after a long closure, a ±15 % yearly swing, gamma-Poisson
overdispersion. Levels from 0.5 to 150 messages per working day (an issue in one soi … the whole agency). The first
eight weeks are history only. Planted spikes multiply one to three consecutive days' counts on a random day, with at
least `--min-extra` extra messages; a spike counts as detected when an alert starts inside it within its first two days.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from history.demo import daily_rates, gamma_poisson_counts, thai_holidays  # noqa: E402
from analytics.spikes import SpikeSettings, detect_spikes  # noqa: E402

LEVELS = (0.5, 2.0, 8.0, 30.0, 150.0)
DISPERSIONS = (0.05, 0.15, 0.3)
RATIOS = (2.0, 3.0, 5.0)
START = dt.date(2021, 10, 1)
WARMUP_DAYS = 56


def steady_series(*, level: float, dispersion: float, days: int, seed: int,
                  holidays: frozenset[dt.date]) -> dict[dt.date, int]:
    """A steady history at this level: the demo's seasonality and overdispersion, no spike."""
    rates = daily_rates(start=START, days=days, mean=level, holidays=holidays, trend_per_year=0.05)
    counts = gamma_poisson_counts(rates, dispersion=dispersion, seed=seed)
    return {START + dt.timedelta(days=i): c for i, c in enumerate(counts)}


def false_alert_rates(*, years: float, seeds: int, settings: SpikeSettings, pass_holidays: bool) -> dict:
    """Alerts per series-month on steady series, by level and overall."""
    days = int(365.25 * years) + WARMUP_DAYS
    holidays = thai_holidays(START, START + dt.timedelta(days=days))
    months = (days - WARMUP_DAYS) / 30.44
    by_level: dict[str, float] = {}
    total_alerts = total_series = 0
    for level in LEVELS:
        alerts = 0
        for dispersion in DISPERSIONS:
            for seed in range(seeds):
                counts = steady_series(level=level, dispersion=dispersion, days=days, seed=seed * 7919 + int(level * 10),
                                       holidays=holidays)
                alerts += len(detect_spikes(counts, start=START + dt.timedelta(days=WARMUP_DAYS),
                                            holidays=holidays if pass_holidays else (), settings=settings))
        series = seeds * len(DISPERSIONS)
        by_level[str(level)] = round(alerts / (series * months), 4)
        total_alerts += alerts
        total_series += series
    return {"per_series_month": round(total_alerts / (total_series * months), 4), "by_level": by_level,
            "alerts": total_alerts, "series": total_series, "months_each": round(months, 1)}


def detection_rates(*, seeds: int, settings: SpikeSettings, min_extra: int) -> dict:
    """Share of planted spikes detected within their first two days, by level and ratio; alerts per spike."""
    days = 365 + WARMUP_DAYS
    holidays = thai_holidays(START, START + dt.timedelta(days=days))
    table: dict[str, dict[str, float]] = {}
    delays: list[int] = []
    alerts_per_detected: list[int] = []
    for level in LEVELS:
        row: dict[str, float] = {}
        for ratio in RATIOS:
            detected = planted = 0
            for seed in range(seeds):
                rng = random.Random(seed * 31 + int(level * 100) + int(ratio * 10))
                dispersion = DISPERSIONS[seed % len(DISPERSIONS)]
                counts = steady_series(level=level, dispersion=dispersion, days=days, seed=seed + 100_000,
                                       holidays=holidays)
                rates = daily_rates(start=START, days=days, mean=level, holidays=holidays, trend_per_year=0.05)
                first = WARMUP_DAYS + rng.randrange(days - WARMUP_DAYS - 10)
                length = rng.choice((1, 2, 3))
                for offset in range(first, first + length):
                    day = START + dt.timedelta(days=offset)
                    counts[day] += max(min_extra, round((ratio - 1) * rates[offset]))
                spike_start = START + dt.timedelta(days=first)
                found = detect_spikes(counts, start=START + dt.timedelta(days=WARMUP_DAYS), holidays=holidays,
                                      settings=settings)
                inside = [s for s in found if spike_start <= s.detected_at <= spike_start + dt.timedelta(days=1)]
                planted += 1
                if inside:
                    detected += 1
                    delays.append((inside[0].detected_at - spike_start).days)
                    near = [s for s in found if abs((s.started_at - spike_start).days) <= length + 2]
                    alerts_per_detected.append(len(near))
            row[f"x{ratio:g}"] = round(detected / planted, 3)
        table[str(level)] = row
    return {"detected_share": table, "mean_delay_days": round(sum(delays) / max(len(delays), 1), 2),
            "alerts_per_detected_spike": round(sum(alerts_per_detected) / max(len(alerts_per_detected), 1), 3),
            "min_extra": min_extra}


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--min-extra", type=int, default=6)
    parser.add_argument("--alpha", type=float, default=SpikeSettings().alpha)
    parser.add_argument("--weeks", type=int, default=SpikeSettings().weeks)
    parser.add_argument("--min-dispersion", type=float, default=SpikeSettings().min_dispersion)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = SpikeSettings(alpha=args.alpha, weeks=args.weeks, min_dispersion=args.min_dispersion)
    began = time.perf_counter()
    report = {
        "settings": settings.__dict__,
        "false_alerts": false_alert_rates(years=args.years, seeds=args.seeds, settings=settings, pass_holidays=True),
        "false_alerts_without_holiday_calendar": false_alert_rates(years=args.years, seeds=max(args.seeds // 4, 1),
                                                                   settings=settings, pass_holidays=False),
        "detection": detection_rates(seeds=args.seeds * 2, settings=settings, min_extra=args.min_extra),
    }
    report["seconds"] = round(time.perf_counter() - began, 1)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    fa = report["false_alerts"]
    print(f"false alerts per series-month: {fa['per_series_month']} ({fa['alerts']} alerts, {fa['series']} series "
          f"× {fa['months_each']} months); by level {fa['by_level']}")
    nh = report["false_alerts_without_holiday_calendar"]
    print(f"  without the holiday calendar: {nh['per_series_month']} by level {nh['by_level']}")
    det = report["detection"]
    print(f"planted spikes detected (≥{det['min_extra']} extra): {det['detected_share']}")
    print(f"  mean delay {det['mean_delay_days']} days; alerts per detected spike {det['alerts_per_detected_spike']}")
    print(f"({report['seconds']} s)")


if __name__ == "__main__":
    main()
