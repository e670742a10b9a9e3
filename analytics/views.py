"""The analysts' dashboard (/dashboard, /dashboard/alerts) and the analytics API (/api/analytics/volumes|topics|alerts)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.thaitime import ThaiDateError, day_label, fiscal_quarter, fiscal_year
from agency.vocabulary import INTENT_NAMES, SENTIMENT_NAMES, Role, channel_names
from analytics.rollups import bangkok_day
from analytics.service import (
    AnalyticsError,
    Scope,
    alerts,
    by_dimension,
    overdue_cases,
    scope_for,
    topics,
    totals,
    volumes,
)
from analytics.thaidates import named_period, parse_day_param, period_days, period_label
from agency.config import AgencyConfig
from storage.models import Unit, User, utcnow
from web import charts
from web.deps import CurrentUser, PageUser, ReadSessionDep, RuntimeDep
from web.templating import register_templates, render, templates
from web.thaidate import TypedDateError, parse_typed_day

register_templates(Path(__file__).resolve().parent / "templates")
templates.env.filters["dash_day"] = lambda value: day_label(dt.date.fromisoformat(str(value)), style="long")
router = APIRouter(tags=["analytics"])
READERS = ("admin", "analyst", "officer")
NONE_LABEL = "ไม่ระบุ"


def _unprocessable(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


def _api_scope(user: User, *, date_from: str | None, date_to: str | None, **filters: str | None) -> Scope:
    if user.role not in READERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "บัญชีของท่านไม่มีสิทธิ์ดูข้อมูลวิเคราะห์")
    try:
        today = bangkok_day(utcnow())
        first = parse_day_param(date_from, name="from") if date_from else today - dt.timedelta(days=29)
        last = parse_day_param(date_to, name="to") if date_to else today
        return scope_for(user, date_from=first, date_to=last, **filters)
    except (ThaiDateError, AnalyticsError) as error:
        raise _unprocessable(str(error)) from error


@router.get("/api/analytics/volumes", summary="Messages per period, by channel, intent, unit, sentiment or group")
def volumes_api(request: Request, session: ReadSessionDep, user: CurrentUser, by: str = "day", group: str = "channel",
                channel: str | None = None, unit: str | None = None, intent: str | None = None,
                sentiment: str | None = None) -> dict[str, Any]:
    """`from`/`to` inclusive (Asia/Bangkok, YYYY-MM-DD); by=day|week|month|quarter|fiscal_year (B.E., Oct–Sep)."""
    scope = _api_scope(user, date_from=request.query_params.get("from"), date_to=request.query_params.get("to"),
                       channel=channel, unit=unit, intent=intent, sentiment=sentiment,
                       group=request.query_params.get("citizen_group"))
    try:
        return {"series": volumes(session, scope=scope, by=by, group=group)}
    except AnalyticsError as error:
        raise _unprocessable(str(error)) from error


@router.get("/api/analytics/topics", summary="Trending issues of the period against the three periods before it")
def topics_api(request: Request, session: ReadSessionDep, user: CurrentUser, unit: str | None = None,
               channel: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Issues with count, baseline, score, trend and example case ids, rising first."""
    if not 1 <= limit <= 100:
        raise _unprocessable("limit ต้องอยู่ระหว่าง 1 ถึง 100")
    scope = _api_scope(user, date_from=request.query_params.get("from"), date_to=request.query_params.get("to"),
                       unit=unit, channel=channel)
    return {"topics": topics(session, scope=scope, limit=limit)}


@router.get("/api/analytics/alerts", summary="Spike alerts that started in the period")
def alerts_api(request: Request, session: ReadSessionDep, user: CurrentUser, unit: str | None = None) -> dict[str, Any]:
    """Alerts with their evidence: count, expected, since when, score, example case ids."""
    asked = request.query_params
    since = (bangkok_day(utcnow()) - dt.timedelta(days=3 * 365)).isoformat()  # default: the last three years
    scope = _api_scope(user, date_from=asked.get("from") or since, date_to=asked.get("to"), unit=unit)
    return {"alerts": alerts(session, scope=scope)}


# ---------------------------------------------------------------- dashboard page

PERIOD_CHOICES = (("last7", "7 วันล่าสุด"), ("last30", "30 วันล่าสุด"), ("last90", "90 วันล่าสุด"),
                  ("month", "เดือนนี้"), ("quarter", "ไตรมาสนี้"), ("fiscal_year", "ปีงบประมาณนี้"))


def _period_choices(today: dt.date) -> list[tuple[str, str]]:
    year, quarter = fiscal_quarter(today)
    choices = list(PERIOD_CHOICES)
    for fy in (year, year - 1):
        choices.append((str(fy), f"ปีงบประมาณ {fy}"))
        choices.extend((f"{fy}-Q{q}", f"ไตรมาส {q}/{fy}") for q in range(1, 5) if fy < year or q <= quarter)
    month = today.replace(day=1)
    for _ in range(12):
        choices.append((month.strftime("%Y-%m"), period_label(month.strftime("%Y-%m"), by="month")))
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return choices


def _by_for(days: int) -> str:
    return "day" if days <= 45 else "week" if days <= 200 else "month"


def _case_link(scope: Scope, **extra: str | None) -> str:
    params = {"date_from": scope.date_from.isoformat(), "date_to": scope.date_to.isoformat(),
              "channel": scope.channel, "unit": scope.unit, "intent": scope.intent, "sentiment": scope.sentiment,
              "group": scope.group}
    params.update(extra)
    return "/inbox?" + urlencode({k: v for k, v in params.items() if v})


def _label(group: str, key: str, names: dict[str, dict[str, str]]) -> str:
    if not key:
        return NONE_LABEL
    return names.get(group, {}).get(key, key)


def dashboard_data(session: Session, *, agency: AgencyConfig, scope: Scope) -> dict[str, Any]:
    """Every figure and chart of the dashboard for a scope."""
    now = utcnow()
    by = _by_for(scope.days)
    unit_names = dict(session.execute(select(Unit.code, Unit.name)).all())
    names = {"channel": channel_names(agency), "intent": INTENT_NAMES, "unit": unit_names,
             "sentiment": SENTIMENT_NAMES, "group": {}}
    figures = totals(session, scope=scope)
    by_channel = volumes(session, scope=scope, by=by, group="channel")
    by_intent = volumes(session, scope=scope, by=by, group="intent")
    units = by_dimension(session, scope=scope, group="unit")
    overdue = overdue_cases(session, scope=scope, now=now)
    issues = topics(session, scope=scope, limit=10)
    raised = alerts(session, scope=Scope(date_from=scope.date_from - dt.timedelta(days=14),
                                         date_to=scope.date_to, unit=scope.unit), limit=10)
    periods = [p["period"] for p in by_channel[0]["points"]] if by_channel else []
    categories = [period_label(p, by=by) for p in periods]

    def period_link(period: str, **extra: str) -> str:
        first, last = period_days(period, by=by)
        narrowed = Scope(date_from=max(first, scope.date_from), date_to=min(last, scope.date_to),
                         channel=scope.channel, unit=scope.unit, intent=scope.intent, sentiment=scope.sentiment,
                         group=scope.group)
        return _case_link(narrowed, **extra)

    def series_of(found: list[dict], group: str) -> list[charts.ChartSeries]:
        top = found[:6]
        return [charts.ChartSeries(label=_label(group, s["key"], names),
                                   values=[p["count"] for p in s["points"]],
                                   links=[period_link(p["period"], **{group: s["key"] or None}) for p in s["points"]])
                for s in top]

    width = 640
    volume_chart = charts.column_chart(title="ข้อความตามช่องทาง", categories=categories,
                                       series=series_of(by_channel, "channel"), unit="ข้อความ", width=width)
    intent_chart = charts.line_chart(title="ข้อความตามประเภทเรื่อง", categories=categories,
                                     series=series_of(by_intent, "intent"), unit="ข้อความ", width=width)
    unit_chart = charts.bar_chart(title="เรื่องตามหน่วยงาน", width=width, bars=[
        charts.Bar(label=_label("unit", key, names), value=row["cases"], link=_case_link(scope, unit=key or None),
                   note=f"ค้าง {row['open']:,}") for key, row in units if row["cases"]])
    responded, resolved, rated = figures["responded"], figures["resolved"], figures["rated"]
    service = {
        "response_days": figures["response_days"] / responded if responded else None,
        "response_on_time": 100 * figures["responded_on_time"] / responded if responded else None,
        "resolution_days": figures["resolution_days"] / resolved if resolved else None,
        "resolution_on_time": 100 * figures["resolved_on_time"] / resolved if resolved else None,
        "satisfaction": figures["rating_sum"] / rated if rated else None, "rated": rated,
    }
    open_cases = sum(row["open"] for _, row in units)
    issue_chart = charts.bar_chart(title="ประเด็นที่พบมาก", width=1100, unit="ข้อความ", bars=[
        charts.Bar(label=item["label"], value=item["count"],
                   link=_case_link(scope, topic=item["key"]),
                   note={"rising": "เพิ่มขึ้น", "falling": "ลดลง"}.get(item["trend"], "คงที่"))
        for item in issues])
    return {"figures": figures, "service": service, "open_cases": open_cases, "overdue": overdue,
            "volume_chart": volume_chart, "intent_chart": intent_chart, "unit_chart": unit_chart,
            "issue_chart": issue_chart, "issues": issues, "alerts": raised, "unit_names": unit_names,
            "links": {"all": _case_link(scope), "open": _case_link(scope, open="1"),
                      "overdue": _case_link(scope, overdue="1")},
            "case_link": lambda **extra: _case_link(scope, **extra)}


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, runtime: RuntimeDep, session: ReadSessionDep, user: PageUser, period: str = "last30",
              date_from: str | None = None, date_to: str | None = None, channel: str | None = None,
              unit: str | None = None, intent: str | None = None, sentiment: str | None = None,
              group: str | None = None) -> HTMLResponse:
    """The analysts' dashboard (officers: their own unit), every figure linking to the filtered case list."""
    if user.role not in READERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "บัญชีของท่านไม่มีสิทธิ์ดูแดชบอร์ด")
    today = bangkok_day(utcnow())
    error = None
    try:
        if period == "custom":
            first = parse_typed_day(date_from, label="ตั้งแต่วันที่")
            last = parse_typed_day(date_to, label="ถึงวันที่")
        else:
            first, last = named_period(period, today=today)
        scope = scope_for(user, date_from=first, date_to=last, channel=channel, unit=unit, intent=intent,
                          sentiment=sentiment, group=group)
    except (ThaiDateError, TypedDateError, AnalyticsError) as exc:
        error, period = str(exc), "last30"
        scope = scope_for(user, date_from=today - dt.timedelta(days=29), date_to=today)
    data = dashboard_data(session, agency=runtime.agency, scope=scope)
    return render(request, "dashboard.html", user=user, scope=scope, period=period, error=error,
                  periods=_period_choices(today), period_text=f"{day_label(scope.date_from, style='long')} – "
                  f"{day_label(scope.date_to, style='long')}", fiscal_year=fiscal_year(scope.date_to),
                  channels=channel_names(runtime.agency), intents=INTENT_NAMES, sentiments=SENTIMENT_NAMES,
                  groups=runtime.agency.citizen_groups, status_code=422 if error else 200, **data)


@router.get("/dashboard/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, session: ReadSessionDep, user: PageUser) -> HTMLResponse:
    """Every spike alert (officers: their unit's), newest first, with its evidence."""
    if user.role not in READERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "บัญชีของท่านไม่มีสิทธิ์ดูการแจ้งเตือน")
    found = alerts(session, unit=user.unit_code if user.role == Role.OFFICER else None, limit=200)
    unit_names = dict(session.execute(select(Unit.code, Unit.name)).all())
    return render(request, "alerts.html", user=user, alerts=found, unit_names=unit_names)
