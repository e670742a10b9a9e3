"""What the dashboard and the analytics API read: volumes, trending issues, alerts and key figures, from the rollups.

Every function takes inclusive Bangkok days and a Scope (the user's filters; an officer is always held to their
own unit). Nothing here reads names or raw texts: examples are case ids, shown through the masked case list.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from agency.vocabulary import OPEN_STATUSES
from analytics.models import NONE, DailyIssue, DailyVolume, SpikeAlert
from agency.thaitime import ThaiDateError, bangkok_day_range
from analytics.thaidates import period_key, period_keys
from analytics.trends import KEY_SEPARATOR, baseline_range, rank_issues
from storage.models import Case, User, utcnow

GROUPS = {"channel": DailyVolume.channel, "intent": DailyVolume.intent, "unit": DailyVolume.unit_code,
          "sentiment": DailyVolume.sentiment, "group": DailyVolume.citizen_group}
PERIODS = ("day", "week", "month", "quarter", "fiscal_year")
BASELINE_PERIODS = 3
MAX_DAYS = 3 * 366 + 1


class AnalyticsError(ValueError):
    """A bad parameter, with a Thai message for the 422 answer."""


@dataclass(frozen=True)
class Scope:
    """The days and filters asked for (an officer's unit already applied)."""

    date_from: dt.date
    date_to: dt.date
    channel: str | None = None
    unit: str | None = None
    intent: str | None = None
    sentiment: str | None = None
    group: str | None = None

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.date_to - self.date_from).days + 1


def scope_for(user: User, *, date_from: dt.date, date_to: dt.date, channel: str | None = None,
              unit: str | None = None, intent: str | None = None, sentiment: str | None = None,
              group: str | None = None) -> Scope:
    """The scope a user may read: officers see their own unit only, whatever they ask."""
    if date_to < date_from:
        raise AnalyticsError("วันที่สิ้นสุดต้องไม่อยู่ก่อนวันที่เริ่มต้น")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise AnalyticsError("ช่วงเวลายาวเกินไป กรุณาเลือกไม่เกิน 3 ปี")
    if user.role == "officer":
        unit = user.unit_code
    elif user.role not in ("admin", "analyst"):
        raise AnalyticsError("บัญชีนี้ไม่มีสิทธิ์ดูข้อมูลวิเคราะห์")
    return Scope(date_from=date_from, date_to=date_to, channel=channel or None, unit=unit or None,
                 intent=intent or None, sentiment=sentiment or None, group=group or None)


def _filtered(query: Select, scope: Scope) -> Select:
    query = query.where(DailyVolume.day.between(scope.date_from, scope.date_to))
    for column, value in ((DailyVolume.channel, scope.channel), (DailyVolume.unit_code, scope.unit),
                          (DailyVolume.intent, scope.intent), (DailyVolume.sentiment, scope.sentiment),
                          (DailyVolume.citizen_group, scope.group)):
        if value:
            query = query.where(column == value)
    return query


def volumes(session: Session, *, scope: Scope, by: str = "day", group: str = "channel",
            measure: Literal["messages", "cases"] = "messages") -> list[dict]:
    """Counts per period and per key of `group`, every period present (zeros included), keys by total."""
    if by not in PERIODS:
        raise AnalyticsError("by ต้องเป็น day, week, month, quarter หรือ fiscal_year")
    if group not in GROUPS:
        raise AnalyticsError("group ต้องเป็น channel, intent, unit, sentiment หรือ group")
    column = GROUPS[group]
    counter = getattr(DailyVolume, measure)
    rows = session.execute(_filtered(select(DailyVolume.day, column, func.sum(counter)), scope)
                           .group_by(DailyVolume.day, column)).all()
    keys = period_keys(scope.date_from, scope.date_to, by=by)
    series: dict[str, dict[str, int]] = {}
    for day, key, count in rows:
        points = series.setdefault(key or NONE, dict.fromkeys(keys, 0))
        points[period_key(day, by=by)] += int(count or 0)
    ordered = sorted(series.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return [{"key": key, "points": [{"period": period, "count": n} for period, n in points.items()]}
            for key, points in ordered if sum(points.values()) > 0]


def totals(session: Session, *, scope: Scope) -> dict[str, int]:
    """Messages, cases, responses, resolutions, on-time counts, working days and ratings over the scope."""
    names = ("messages", "cases", "responded", "response_days", "responded_on_time", "resolved", "resolution_days",
             "resolved_on_time", "rated", "rating_sum")
    row = session.execute(_filtered(select(*(func.coalesce(func.sum(getattr(DailyVolume, n)), 0) for n in names)),
                                    scope)).one()
    return {name: int(value) for name, value in zip(names, row, strict=True)}


def by_dimension(session: Session, *, scope: Scope, group: str) -> list[tuple[str, dict[str, int]]]:
    """Per key of `group`: messages, cases, open cases, responded/resolved and on-time counts, ratings."""
    column = GROUPS[group]
    open_cases = func.sum(when((DailyVolume.status_bucket == "open", DailyVolume.cases), else_=0))
    rows = session.execute(_filtered(select(
        column, func.sum(DailyVolume.messages), func.sum(DailyVolume.cases), open_cases,
        func.sum(DailyVolume.responded), func.sum(DailyVolume.responded_on_time), func.sum(DailyVolume.resolved),
        func.sum(DailyVolume.resolved_on_time), func.sum(DailyVolume.rated), func.sum(DailyVolume.rating_sum)),
        scope).group_by(column)).all()
    names = ("messages", "cases", "open", "responded", "responded_on_time", "resolved", "resolved_on_time", "rated",
             "rating_sum")
    found = [(key or NONE, {n: int(v or 0) for n, v in zip(names, values, strict=True)}) for key, *values in rows]
    return sorted(found, key=lambda item: (-item[1]["cases"], -item[1]["messages"], item[0]))


def overdue_cases(session: Session, *, scope: Scope, now: dt.datetime) -> int:
    """Open cases past their deadline, opened in the scope's days (from the cases table: it changes by the minute)."""
    start, end = bangkok_day_range(scope.date_from, scope.date_to)
    query = select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES), Case.due_at < now,
                                                         Case.created_at >= start, Case.created_at < end)
    for column, value in ((Case.channel, scope.channel), (Case.unit_code, scope.unit), (Case.intent, scope.intent),
                          (Case.sentiment, scope.sentiment), (Case.citizen_group, scope.group)):
        if value:
            query = query.where(column == value)
    return int(session.scalar(query) or 0)


def _issue_filter(query: Select, scope: Scope) -> Select:
    if scope.unit:
        query = query.where(DailyIssue.unit_code == scope.unit)
    if scope.channel:
        query = query.where(DailyIssue.channel == scope.channel)
    return query


_TOPICS_CACHE: dict[tuple, tuple[float, list[dict]]] = {}
TOPICS_CACHE_SECONDS = 30.0  # the worker refreshes the rollups every 45 s: a ranking may be reused for 30 s


def topics(session: Session, *, scope: Scope, limit: int = 20, examples: int = 5, cached: bool = True) -> list[dict]:
    """Trending issues of the period against the 3 periods before it (fewer if history is shorter), rising first;
    the same question within 30 s is answered from memory (per database)."""
    key = (str(session.get_bind().url), scope, limit, examples)
    hit = _TOPICS_CACHE.get(key) if cached else None
    if hit is not None and time.monotonic() - hit[0] < TOPICS_CACHE_SECONDS:
        return hit[1]
    found = _topics(session, scope=scope, limit=limit, examples=examples)
    if len(_TOPICS_CACHE) > 256:
        _TOPICS_CACHE.clear()
    _TOPICS_CACHE[key] = (time.monotonic(), found)
    return found


def _topics(session: Session, *, scope: Scope, limit: int, examples: int) -> list[dict]:
    first = session.scalar(select(func.min(DailyIssue.day)))
    periods = BASELINE_PERIODS if first is None else max(1, min(BASELINE_PERIODS, (scope.date_from - first).days
                                                               // scope.days))  # only periods with history
    base_from, _ = baseline_range(scope.date_from, scope.date_to, periods=periods)
    current = func.sum(when((DailyIssue.day >= scope.date_from, DailyIssue.count), else_=0))
    rows = session.execute(_issue_filter(
        select(DailyIssue.issue_key, current, func.sum(DailyIssue.count))
        .where(DailyIssue.day.between(base_from, scope.date_to)), scope).group_by(DailyIssue.issue_key)).all()
    covered = (scope.date_from - max(base_from, first)).days if first is not None else 0
    stretch = (scope.date_from - base_from).days / covered if 0 < covered else 1.0  # baseline days before history
    counts = {key: (int(now or 0), round((int(total or 0) - int(now or 0)) * stretch)) for key, now, total in rows}
    ranked = rank_issues(counts, baseline_periods=periods, limit=limit)
    found = example_cases(session, scope=scope, keys=[item.key for item in ranked], limit=examples) if examples else {}
    return [{"label": item.label, "count": item.count, "baseline": round(item.baseline, 2),
             "score": round(item.score, 3), "trend": item.trend, "case_ids": found.get(item.key, []),
             "key": item.key, "places": [{"place": p, "count": n} for p, n in item.places]} for item in ranked]


def example_cases(session: Session, *, scope: Scope, keys: list[str], limit: int = 5) -> dict[str, list[int]]:
    """Latest example case ids per issue key in the period (an issue without a place matches all its places)."""
    if not keys:
        return {}
    # "issue|place" keys of an issue: a prefix match (LIKE, not a BETWEEN range: PostgreSQL's locale collation
    # ignores "|" and "}" when it orders text, so such a range misses keys there).
    matches = [DailyIssue.issue_key == key if KEY_SEPARATOR in key else
               or_(DailyIssue.issue_key == key,
                   DailyIssue.issue_key.startswith(key + KEY_SEPARATOR, autoescape=True))
               for key in keys]
    rows = session.execute(_issue_filter(
        select(DailyIssue.issue_key, DailyIssue.day, DailyIssue.case_ids)
        .where(DailyIssue.day.between(scope.date_from, scope.date_to), or_(*matches)), scope)
        .order_by(DailyIssue.day.desc())).all()
    found: dict[str, list[int]] = {key: [] for key in keys}
    for stored, _day, ids in rows:
        issue = stored.split(KEY_SEPARATOR, 1)[0]
        for key in {stored, issue} & found.keys():
            bucket = found[key]
            if len(bucket) < limit:
                bucket.extend(i for i in ids if i not in bucket)
                del bucket[limit:]
    return found


def alerts(session: Session, *, scope: Scope | None = None, unit: str | None = None, limit: int = 100) -> list[dict]:
    """Spike alerts that started in the scope's days (all when no scope), newest first."""
    query = select(SpikeAlert).order_by(SpikeAlert.started_at.desc(), SpikeAlert.score.desc()).limit(limit)
    if scope is not None:
        query = query.where(SpikeAlert.started_at.between(scope.date_from, scope.date_to))
        unit = unit or scope.unit
    if unit:
        query = query.where(SpikeAlert.unit_code == unit)
    found = list(session.scalars(query))
    tickets = _tickets(session, found)
    return [{"label": a.label, "unit": a.unit_code, "started_at": a.started_at.isoformat(), "count": a.count,
             "expected": round(a.expected, 2), "score": round(a.score, 3), "case_ids": list(a.case_ids or []),
             "examples": _examples(a, tickets), "last_day": a.last_day.isoformat(), "series": a.series_key}
            for a in found]


def recent_alerts(session: Session, *, unit: str | None, days: int = 7) -> list[dict]:
    """Alerts still fresh (started or running in the last `days` days), for a unit's officers or for admins."""
    since = (utcnow() + dt.timedelta(hours=7)).date() - dt.timedelta(days=days)
    query = select(SpikeAlert).where(SpikeAlert.last_day >= since).order_by(SpikeAlert.score.desc()).limit(5)
    if unit:
        query = query.where(SpikeAlert.unit_code == unit)
    found = list(session.scalars(query))
    tickets = _tickets(session, found)
    return [{"label": a.label, "count": a.count, "expected": a.expected, "case_ids": list(a.case_ids or []),
             "examples": _examples(a, tickets)} for a in found]


def _tickets(session: Session, found: list[SpikeAlert]) -> dict[int, str]:
    """The ticket of every example case of these alerts."""
    ids = {int(i) for a in found for i in a.case_ids or []}
    return dict(session.execute(select(Case.id, Case.ticket).where(Case.id.in_(ids))).tuples().all()) if ids else {}


def _examples(alert: SpikeAlert, tickets: dict[int, str]) -> list[dict[str, Any]]:
    """An alert's example cases as people name them: their tickets (a case since erased is left out)."""
    return [{"id": int(i), "ticket": tickets[int(i)]} for i in alert.case_ids or [] if int(i) in tickets]


__all__ = ["AnalyticsError", "Scope", "ThaiDateError", "alerts", "by_dimension", "example_cases", "overdue_cases",
           "scope_for", "topics", "totals", "volumes"]
