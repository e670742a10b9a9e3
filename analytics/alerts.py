"""The daily spike job: issues (with and without their place) and units' cases against their own weekday baseline.

Each spike is raised once (unique on series and first day), audited, with its evidence: the count, what was
expected, since when, and example cases. Officers of the unit and admins see it on their inbox and the dashboard.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.thaitime import WorkingCalendar, bangkok_day_range
from agency.vocabulary import AuditAction
from analytics.models import DailyIssue, DailyVolume, SpikeAlert
from analytics.rollups import bangkok_day
from analytics.service import Scope, example_cases
from analytics.spikes import Spike, SpikeSettings, detect_spikes_many
from analytics.trends import KEY_SEPARATOR
from storage.audit import record
from storage.models import Case, Unit, utcnow

log = logging.getLogger(__name__)
HISTORY_DAYS = 140  # 8 weeks of baseline and 16 of dispersion need about this much
RECENT_DAYS = 3  # a spike is raised when it is still running or ended in the last few days


def _closed_days(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> set[dt.date]:
    days, day = set(), start
    while day <= end:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            days.add(day)
        day += dt.timedelta(days=1)
    return days


def daily_series(session: Session, *, start: dt.date, end: dt.date) -> tuple[dict, dict[str, str | None]]:
    """Daily counts per series key ("issue:<key>", "unit:<code>") and the unit each series belongs to."""
    series: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    unit_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, key, unit, count in session.execute(
            select(DailyIssue.day, DailyIssue.issue_key, DailyIssue.unit_code, func.sum(DailyIssue.count))
            .where(DailyIssue.day.between(start, end))
            .group_by(DailyIssue.day, DailyIssue.issue_key, DailyIssue.unit_code)):
        issue = key.split(KEY_SEPARATOR, 1)[0]
        for name in {f"issue:{key}", f"issue:{issue}"}:
            series[name][day] += int(count)
            unit_counts[name][unit] += int(count)
    for day, unit, count in session.execute(
            select(DailyVolume.day, DailyVolume.unit_code, func.sum(DailyVolume.cases))
            .where(DailyVolume.day.between(start, end)).group_by(DailyVolume.day, DailyVolume.unit_code)):
        series[f"unit:{unit}"][day] += int(count or 0)
        unit_counts[f"unit:{unit}"][unit] += int(count or 0)
    for counts in series.values():
        counts[start] += 0  # history starts at `start` for every series: a new issue's quiet weeks count too
    units = {name: max(counts.items(), key=lambda item: item[1])[0] or None for name, counts in unit_counts.items()}
    return series, units


def _label(series_key: str, unit_names: dict[str, str]) -> str:
    kind, _, key = series_key.partition(":")
    if kind == "unit":
        return f"เรื่องของ{unit_names.get(key, key)}"
    issue, _, place = key.partition(KEY_SEPARATOR)
    return f"{issue} {place}".strip()


def _unit_examples(session: Session, *, unit: str, first: dt.date, last: dt.date, limit: int = 5) -> list[int]:
    start, end = bangkok_day_range(first, last)
    return list(session.scalars(select(Case.id).where(Case.unit_code == unit, Case.created_at >= start,
                                                      Case.created_at < end).order_by(Case.id.desc()).limit(limit)))


def _excess(spike: Spike) -> float:
    return spike.total - spike.total_expected


def _overlap(a: Spike, b: Spike) -> bool:
    return a.started_at <= b.last_day and b.started_at <= a.last_day


def _one_per_event(found: list[tuple[str, Spike]], units: dict[str, str | None]) -> list[tuple[str, Spike]]:
    """One alert per event: an issue's spike explained (half its excess or more) by one of its places' spikes is
    left to the place, and a unit's spike explained by one of its issues is left to the issue."""
    kept: list[tuple[str, Spike]] = []
    places = [(k, s) for k, s in found if k.startswith("issue:") and KEY_SEPARATOR in k]
    issues = [(k, s) for k, s in found if k.startswith("issue:")]
    for key, spike in found:
        if key.startswith("issue:") and KEY_SEPARATOR not in key:
            parent = key + KEY_SEPARATOR
            if any(k.startswith(parent) and _overlap(s, spike) and _excess(s) >= 0.5 * _excess(spike)
                   for k, s in places):
                continue
        if key.startswith("unit:"):
            unit = key.partition(":")[2]
            if any(units.get(k) == unit and _overlap(s, spike) and _excess(s) >= 0.5 * _excess(spike)
                   for k, s in issues):
                continue
        kept.append((key, spike))
    return kept


def raise_alerts(session: Session, *, calendar: WorkingCalendar, today: dt.date,
                 settings: SpikeSettings | None = None, recent_days: int = RECENT_DAYS,
                 history_days: int = HISTORY_DAYS) -> list[SpikeAlert]:
    """Find spikes in the days up to `today` and store the new ones (each once), audited; returns those added."""
    start = today - dt.timedelta(days=history_days)
    series, units = daily_series(session, start=start, end=today)
    holidays = _closed_days(calendar, start, today)
    found = detect_spikes_many(series, start=today - dt.timedelta(days=recent_days + 14), end=today,
                               holidays=holidays, settings=settings or SpikeSettings())
    unit_names = dict(session.execute(select(Unit.code, Unit.name)).all())
    known = {(key, first) for key, first in session.execute(
        select(SpikeAlert.series_key, SpikeAlert.started_at).where(SpikeAlert.started_at >= start))}
    added: list[SpikeAlert] = []
    for series_key, spike in _one_per_event(found, units):
        if spike.last_day < today - dt.timedelta(days=recent_days) or (series_key, spike.started_at) in known:
            continue
        unit = units.get(series_key)
        kind, _, key = series_key.partition(":")
        if kind == "unit":
            ids = _unit_examples(session, unit=key, first=spike.started_at, last=spike.last_day)
        else:
            ids = example_cases(session, scope=Scope(date_from=spike.started_at, date_to=spike.last_day, unit=unit),
                                keys=[key]).get(key, [])
        alert = SpikeAlert(series_key=series_key[:400], label=_label(series_key, unit_names)[:300], unit_code=unit,
                           started_at=spike.started_at, last_day=spike.last_day, detected_at=utcnow(),
                           count=spike.total, expected=float(spike.total_expected), score=float(spike.score),
                           p_value=float(spike.p_value), case_ids=ids)
        session.add(alert)
        session.flush()
        known.add((series_key, spike.started_at))
        record(session, actor="system", action=AuditAction.SPIKE_ALERT, entity="spike_alert", entity_id=str(alert.id),
               label=alert.label, unit=unit, started_at=spike.started_at.isoformat(), count=spike.total,
               expected=round(float(spike.total_expected), 2), score=round(float(spike.score), 3), case_ids=ids)
        added.append(alert)
    return added


def spike_job(runtime) -> list[SpikeAlert]:
    """Periodic job: raise the spike alerts of today (Bangkok), once each."""
    today = bangkok_day(utcnow())
    with runtime.db.session() as session:
        added = raise_alerts(session, calendar=runtime.calendar, today=today)
    for alert in added:
        log.info("spike alert: %s (%d vs %.1f expected since %s)", alert.label, alert.count, alert.expected,
                 alert.started_at)
    return added
