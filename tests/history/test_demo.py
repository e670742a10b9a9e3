"""The demo history: exact size, realistic shape, planted spikes that trends and alerts find."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from history.demo import GROUPS, demo_rows, planted_spikes, thai_holidays
from analytics.spikes import detect_spikes_many
from agency.thaitime import bangkok_date
from analytics.trends import TopicMessage, issue_key, rollup, trending_issues

END = dt.date(2025, 10, 31)
STATUSES = {"new", "acknowledged", "in_progress", "resolved", "closed", "forwarded", "rejected"}
CHANNELS = {"line", "facebook", "facebook_comment", "walk_in", "phone", "letter", "email", "comment_box", "website",
            "other"}


@pytest.fixture(scope="module")
def history() -> list[dict]:
    """Six months, 12,000 messages."""
    return list(demo_rows(messages=12_000, months=6, end=END, seed=4))


def test_exactly_the_messages_asked_for_oldest_first_within_the_months(history: list[dict]) -> None:
    assert len(history) == 12_000
    times = [row["received_at"] for row in history]
    assert times == sorted(times)
    assert all(t.tzinfo is not None and t.utcoffset() == dt.timedelta(0) for t in times[:50])
    assert bangkok_date(times[-1]) <= END and bangkok_date(times[0]) >= END - dt.timedelta(days=184)
    assert list(demo_rows(messages=200, months=1, end=END, seed=1)) == list(demo_rows(messages=200, months=1, end=END,
                                                                                      seed=1))


def test_fields_hold_our_vocabulary(history: list[dict]) -> None:
    for row in history:
        assert row["text"].strip() and row["channel"] in CHANNELS and row["status"] in STATUSES
        assert row["group"] is None or row["group"] in GROUPS
        assert row["satisfaction"] is None or 1 <= row["satisfaction"] <= 5
        if row["resolved_at"] is not None:
            assert row["status"] in ("resolved", "closed") and row["resolved_at"] > row["received_at"]
        if row["satisfaction"] is not None:
            assert row["status"] in ("resolved", "closed")
    assert {r["intent"] for r in history} == {"complaint", "question", "suggestion", "praise", "other"}
    assert len({r["unit"] for r in history}) >= 8
    assert len({r["text"] for r in history}) > 6_000  # varied texts
    corpus = [r for r in history if r["topics"] is None]
    assert 0.05 < len(corpus) / len(history) < 0.15


def test_weekends_and_holidays_are_quieter_and_offline_channels_closed(history: list[dict]) -> None:
    holidays = thai_holidays(END - dt.timedelta(days=200), END)
    per_day: Counter[dt.date] = Counter()
    offline_closed = 0
    for row in history:
        day = bangkok_date(row["received_at"])
        per_day[day] += 1
        if (day.weekday() >= 5 or day in holidays) and row["channel"] in ("walk_in", "letter", "comment_box", "phone"):
            offline_closed += 1
    working = [n for d, n in per_day.items() if d.weekday() < 5 and d not in holidays]
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5]
    assert sum(weekend) / len(weekend) < 0.6 * sum(working) / len(working)
    assert offline_closed == 0
    office = [r for r in history if r["channel"] == "walk_in"]
    hours = Counter((r["received_at"] + dt.timedelta(hours=7)).hour for r in office)
    assert set(hours) <= set(range(8, 17))
    statuses = Counter(r["status"] for r in history)
    assert statuses["closed"] > statuses["in_progress"] > 0
    satisfied = Counter(r["satisfaction"] for r in history if r["satisfaction"])
    assert satisfied[5] > satisfied[1]


def test_some_texts_carry_personal_data_for_the_masking(history: list[dict]) -> None:
    details = [r["text"] for r in history if "บ้านเลขที่" in r["text"] or "เบอร์ 08" in r["text"]
               or "ผู้แจ้ง นา" in r["text"] or "เลขบัตรประชาชน" in r["text"]]
    assert 100 < len(details) < 1_000


def test_the_recent_planted_spike_is_the_top_rising_issue_and_every_spike_alerts(history: list[dict]) -> None:
    start = END - dt.timedelta(days=round(6 * 30.44) - 1)
    spikes = planted_spikes(messages=12_000, start=start, end=END)
    messages = [TopicMessage(i, bangkok_date(r["received_at"]), r["topics"], r["unit"], r["channel"])
                for i, r in enumerate(history) if r["topics"]]
    rows = rollup(messages)
    week = (END - dt.timedelta(days=6), END)
    top = trending_issues(rows, date_from=week[0], date_to=week[1], baseline_periods=4)[0]
    recent = max(spikes, key=lambda s: s.first_day)
    assert (top.key, top.trend) == (recent.issue_key, "rising")
    # the worker's series: each issue with its place, and each issue over all places
    series: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for row in rows:
        series[row.issue_key][row.day] += row.count
        if "|" in row.issue_key:
            series[issue_key([row.issue_key.split("|")[0]]).key + " (ทุกพื้นที่)"][row.day] += row.count
    alerts = detect_spikes_many(series, start=start + dt.timedelta(days=56), end=END,
                                holidays=thai_holidays(start, END))
    found = {(key, spike.started_at) for key, spike in alerts}
    for spike in spikes:
        if spike.first_day >= start + dt.timedelta(days=56):
            assert any(key == spike.issue_key and abs((day - spike.first_day).days) <= 1 for key, day in found)
    # the odd real-looking blip at most, never a flood (a planted spike seen again over all places is the same one)
    planted = {(s.issue_key.partition("|")[0], s.first_day) for s in spikes}
    unexplained = [key for key, spike in alerts
                   if not any(key.partition("|")[0].removesuffix(" (ทุกพื้นที่)") == issue
                              and abs((spike.started_at - day).days) <= 1 for issue, day in planted)]
    assert len(unexplained) <= 2, unexplained


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        list(demo_rows(messages=-1, months=3))
    with pytest.raises(ValueError):
        list(demo_rows(messages=10, months=0))
    assert list(demo_rows(messages=0, months=1, end=END)) == []
