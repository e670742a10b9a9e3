"""The dashboard's links into the case list: date range (Bangkok days), sentiment, citizen group, issue, open only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agency.vocabulary import SENTIMENT_NAMES
from agency.thaitime import ThaiDateError, bangkok_day_range
from analytics.thaidates import parse_day_param


@dataclass(frozen=True)
class LinkedFilters:
    """Keyword arguments for cases.queries.filtered_cases, and the query parameters to keep in page links."""

    query: dict[str, Any] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


def dashboard_filters(*, date_from: str | None, date_to: str | None, sentiment: str | None, group: str | None,
                      topic: str | None, open_only: bool) -> LinkedFilters:
    """Filters from a dashboard link; a malformed date or unknown sentiment is left out rather than failing the page."""
    query: dict[str, Any] = {}
    params: dict[str, str] = {}
    try:
        first = parse_day_param(date_from, name="date_from") if date_from else None
        last = parse_day_param(date_to, name="date_to") if date_to else None
    except ThaiDateError:
        first = last = None
    if first is not None or last is not None:
        try:
            start, end = bangkok_day_range(first or last, last or first)
        except ThaiDateError:
            start = end = None
        if start is not None:
            query["created_from"] = start if first else None
            query["created_before"] = end if last else None
            params.update({k: v.isoformat() for k, v in (("date_from", first), ("date_to", last)) if v})
    if sentiment in SENTIMENT_NAMES:
        query["sentiment"] = params["sentiment"] = sentiment
    if group and group.strip():
        query["group"] = params["group"] = group.strip()[:100]
    if topic and topic.strip():
        query["topic"] = params["topic"] = topic.strip()[:300]
    if open_only:
        query["open_only"] = True
        params["open"] = "1"
    return LinkedFilters(query=query, params=params)
