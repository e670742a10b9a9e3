"""Spike alerts: calibrated on steady series, one alert per spike, the evidence it carries."""
from __future__ import annotations

import datetime as dt

from scipy.stats import nbinom, poisson

from history.demo import daily_rates, gamma_poisson_counts, thai_holidays
from analytics.spikes import SpikeSettings, detect_spikes, detect_spikes_many, spike_p_value

START = dt.date(2023, 10, 2)
DAYS = 400
HOLIDAYS = thai_holidays(START, START + dt.timedelta(days=DAYS))


def steady(level: float, *, seed: int, dispersion: float = 0.15) -> dict[dt.date, int]:
    """A steady daily history with weekends, Thai holidays, a yearly swing and overdispersion."""
    rates = daily_rates(start=START, days=DAYS, mean=level, holidays=HOLIDAYS)
    counts = gamma_poisson_counts(rates, dispersion=dispersion, seed=seed)
    return {START + dt.timedelta(days=i): c for i, c in enumerate(counts)}


def test_p_value_is_the_negative_binomial_or_poisson_upper_tail() -> None:
    assert abs(spike_p_value(count=12, expected=4.0, variance=4.0) - poisson.sf(11, 4.0)) < 1e-12
    mean, variance = 10.0, 30.0
    size = mean * mean / (variance - mean)
    expected_p = nbinom.sf(24, size, size / (size + mean))
    assert abs(spike_p_value(count=25, expected=mean, variance=variance) - expected_p) < 1e-12
    assert spike_p_value(count=0, expected=3.0, variance=3.0) == 1.0
    assert spike_p_value(count=3, expected=0.0, variance=0.0) == 0.0


def test_steady_histories_stay_quiet() -> None:
    months = (DAYS - 56) / 30.44
    alerts = sum(len(detect_spikes(steady(level, seed=seed), start=START + dt.timedelta(days=56), holidays=HOLIDAYS))
                 for level in (1.0, 10.0, 60.0) for seed in range(5))
    # bench/analytics_spikes.py measures ≈ 0.025 per series-month; 15 series × 11 months here
    assert alerts / (15 * months) < 0.08


def test_a_planted_three_day_spike_raises_one_alert_with_its_evidence() -> None:
    counts = steady(3.0, seed=11)
    first = dt.date(2024, 6, 11)  # a Tuesday
    for offset, extra in enumerate((6, 25, 18)):
        counts[first + dt.timedelta(days=offset)] += extra
    spikes = detect_spikes(counts, start=dt.date(2024, 5, 1), end=dt.date(2024, 7, 31), holidays=HOLIDAYS)
    assert len(spikes) == 1
    spike = spikes[0]
    assert spike.started_at == first
    assert spike.detected_at in (first, first + dt.timedelta(days=1))
    assert spike.count >= 9 and spike.expected < 5
    assert spike.p_value < 1e-4 and spike.score > 4
    assert spike.days >= 2 and spike.total >= 40 and spike.peak >= 25
    assert not spike.ongoing


def test_an_ongoing_rise_is_one_alert_until_it_ends() -> None:
    counts = steady(5.0, seed=3, dispersion=0.05)
    first = dt.date(2024, 8, 5)
    for offset in range(10):
        counts[first + dt.timedelta(days=offset)] += 20
    spikes = detect_spikes(counts, start=dt.date(2024, 7, 1), end=first + dt.timedelta(days=9), holidays=HOLIDAYS)
    assert len(spikes) == 1 and spikes[0].ongoing and spikes[0].started_at == first
    assert spikes[0].days >= 8
    # after it ends, the same history gives the same single, closed alert
    later = detect_spikes(counts, start=dt.date(2024, 7, 1), end=dt.date(2024, 9, 30), holidays=HOLIDAYS)
    assert [s.started_at for s in later] == [first] and not later[0].ongoing


def test_a_lasting_rise_becomes_the_new_normal() -> None:
    counts = steady(10.0, seed=5, dispersion=0.05)
    first = dt.date(2024, 5, 13)
    for day in list(counts):
        if day >= first:
            counts[day] *= 3
    spikes = detect_spikes(counts, start=dt.date(2024, 4, 1), holidays=HOLIDAYS)
    # one alert for the rise, then its days join the baseline and it ends: no alert ever after
    assert [s.started_at for s in spikes] == [first] and not spikes[0].ongoing
    assert spikes[0].days >= 10


def test_weekends_and_holidays_are_judged_against_their_own_kind_of_day() -> None:
    counts = steady(20.0, seed=8, dispersion=0.05)
    # a Saturday with a Monday's volume is unusual for a Saturday; a quiet Monday is not a spike
    saturday = dt.date(2024, 6, 15)
    counts[saturday] = 30
    spikes = detect_spikes(counts, start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30), holidays=HOLIDAYS)
    assert [s.started_at for s in spikes] == [saturday]


def test_small_counts_never_alert_below_the_minimum() -> None:
    counts = {START + dt.timedelta(days=i): 0 for i in range(120)}
    counts[START + dt.timedelta(days=100)] = 4
    assert detect_spikes(counts, settings=SpikeSettings(min_count=5)) == []
    counts[START + dt.timedelta(days=100)] = 5
    assert len(detect_spikes(counts, settings=SpikeSettings(min_count=5))) == 1
    assert detect_spikes({}) == []


def test_many_series_share_the_alpha() -> None:
    series = {f"issue-{i}": steady(1.0, seed=100 + i) for i in range(20)}
    target = dt.date(2024, 7, 9)
    series["issue-7"][target] += 20
    found = detect_spikes_many(series, start=dt.date(2024, 7, 1), end=dt.date(2024, 7, 31), holidays=HOLIDAYS)
    assert [(key, spike.started_at) for key, spike in found] == [("issue-7", target)]
    lone = detect_spikes(series["issue-7"], start=dt.date(2024, 7, 1), end=dt.date(2024, 7, 31), holidays=HOLIDAYS)
    assert lone[0].p_value == found[0][1].p_value
