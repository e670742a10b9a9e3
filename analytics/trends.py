"""Trending issues: messages grouped into issues a person would name (a problem and, when given, a place), compared
with the preceding period(s) of equal length.

A message's phrases (the classifier's topics: 1–3 short phrases from the masked text) become an issue key with
`issue_key`: the problem phrase, canonical across common wordings ("ไฟทางดับ", "ไฟส่องสว่างดับ" → "ไฟถนนดับ"), and the
most specific place named ("ซ.สุขใจ" → "ซอยสุขใจ", "ม.4" → "หมู่ 4"). Keys are stored in daily rollups
(day, issue_key, unit, channel, count), and a period's trending issues are computed from those rows (or from counts
a database has already summed per key) without touching raw messages.

Score: the log rate ratio of this period to the baseline's mean, shrunk to the edge of its one-sided confidence
interval (0 when the interval holds 1; 95 % shared among all issues and places judged, Bonferroni): a new issue with 40 messages outranks a large one up by 10 %, and a jump from
1 to 3 counts as steady.
"""
from __future__ import annotations

import datetime as dt
import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist
from typing import Literal, NamedTuple

from classifier.thaiscript import THAI_DIGITS

Trend = Literal["rising", "steady", "falling"]
KEY_SEPARATOR = "|"
Z_ONE_SIDED_95 = 1.6449
DOMINANT_SHARE = 0.7

# canonical problem phrase → other wordings citizens and officers use (matched inside a phrase, longest first)
ISSUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "น้ำประปาไม่ไหล": ("น้ำไม่ไหล", "ประปาไม่ไหล", "น้ำประปาไม่มา", "ประปาไม่มา", "น้ำไม่มา", "น้ำประปาไหลอ่อน",
                      "น้ำไหลอ่อน", "ไม่มีน้ำใช้", "น้ำประปาหยุดไหล"),
    "น้ำประปาขุ่น": ("น้ำขุ่น", "ประปาขุ่น", "น้ำประปาสกปรก", "น้ำประปามีตะกอน", "น้ำประปาเป็นสนิม"),
    "ท่อประปาแตก": ("ท่อแตก", "ท่อน้ำแตก", "ท่อประปารั่ว", "ท่อน้ำรั่ว", "น้ำรั่ว"),
    "ไฟฟ้าดับ": ("ไฟดับ", "ไฟฟ้าไม่มา", "ไฟตก", "ไฟฟ้าตก"),
    "ไฟถนนดับ": ("ไฟทางดับ", "ไฟส่องสว่างดับ", "ไฟกิ่งดับ", "ไฟฟ้าส่องสว่างดับ", "ไฟส่องทางดับ", "ไฟถนนไม่ติด",
                "ไฟทางไม่ติด", "ไฟส่องสว่างไม่ติด", "ไฟถนนเสีย", "ไฟทางเสีย", "เสาไฟดับ", "ไฟดับทั้งซอย", "ถนนมืด",
                "ซอยมืด"),
    "ขยะไม่เก็บ": ("ขยะไม่มีคนเก็บ", "ไม่มีคนมาเก็บขยะ", "ไม่มาเก็บขยะ", "ขยะตกค้าง", "ขยะล้นถัง", "ขยะล้น",
                  "รถขยะไม่มา", "ไม่เก็บขยะ", "ขยะเต็มถัง", "ขยะไม่ได้เก็บ"),
    "ถนนเป็นหลุม": ("ถนนพัง", "หลุมบ่อ", "ถนนชำรุด", "ถนนเป็นหลุมเป็นบ่อ", "ถนนแตก", "ถนนยุบ", "ถนนทรุด",
                   "ถนนเป็นบ่อ", "ผิวถนนชำรุด"),
    "ท่อระบายน้ำอุดตัน": ("ท่อตัน", "ท่ออุดตัน", "ท่อระบายน้ำตัน", "รางระบายน้ำตัน", "ท่อระบายน้ำไม่ไหล",
                        "น้ำไม่ระบาย", "ระบายน้ำไม่ทัน"),
    "น้ำท่วมขัง": ("น้ำท่วม", "น้ำขัง", "น้ำท่วมถนน", "น้ำท่วมซอย", "น้ำท่วมบ้าน", "น้ำรอการระบาย"),
    "เสียงดังรบกวน": ("เสียงดัง", "เสียงรบกวน", "เปิดเพลงดัง", "เสียงก่อสร้าง"),
    "สุนัขจรจัด": ("หมาจร", "หมาจรจัด", "สุนัขจร", "หมากัด", "สุนัขกัด", "หมาไล่กัด"),
    "กลิ่นเหม็น": ("เหม็น", "ส่งกลิ่น", "กลิ่นรบกวน", "กลิ่นเน่า"),
    "ควันรบกวน": ("เผาขยะ", "ควันไฟ", "เผาหญ้า", "ฝุ่นควัน", "เผาใบไม้"),
    "ยุงชุม": ("ยุงเยอะ", "ยุงลาย", "ลูกน้ำยุงลาย", "พ่นยุง", "ฉีดพ่นยุง"),
    "ต้นไม้ล้ม": ("ต้นไม้ล้มขวางถนน", "กิ่งไม้หัก", "ต้นไม้หักโค่น", "ต้นไม้โค่น"),
    "ไฟไหม้": ("เพลิงไหม้", "อัคคีภัย", "ไฟไหม้หญ้า", "ไฟป่า"),
}
PLACE_PREFIXES = ("ซอย", "หมู่บ้าน", "หมู่", "ถนน", "ชุมชน", "ตลาด", "โรงเรียน", "วัด", "แยก", "สะพาน", "ตำบล",
                  "คลอง", "สวนสาธารณะ", "สวน", "โครงการ", "บ้าน")
_ABBREVIATIONS = (
    (re.compile(r"^ซ\.\s*"), "ซอย"), (re.compile(r"^ม\.บ\.\s*|^มบ\.\s*"), "หมู่บ้าน"), (re.compile(r"^ม\.\s*(?=\d)"), "หมู่"),
    (re.compile(r"^หมู่ที่\s*"), "หมู่"), (re.compile(r"^ถ\.\s*"), "ถนน"), (re.compile(r"^ต\.\s*"), "ตำบล"),
    (re.compile(r"^รร\.\s*"), "โรงเรียน"),
)
_LOCATORS = re.compile(r"^(?:หน้า|ข้าง|ใกล้|แถว|ตรง|ปาก|ท้าย|ภายใน|ใน|ที่|บริเวณ)\s*(?=" + "|".join(PLACE_PREFIXES)
                       + r"|ซ\.|ม\.|ถ\.)")
# words that make a phrase a problem even when it starts like a place ("ถนนเป็นหลุม", "สะพานชำรุด", "ตลาดสกปรก")
# what a place phrase can start with (before abbreviations and locators are read), to pass over problems quickly
_PLACE_STARTS = (*PLACE_PREFIXES, "ซ.", "ม.", "ถ.", "ต.", "รร.", "มบ.", "หน้า", "ข้าง", "ใกล้", "แถว", "ตรง", "ปาก",
                 "ท้าย", "ภายใน", "ใน", "ที่", "บริเวณ")
_PROBLEM_WORDS = re.compile(
    "ไม่|หลุม|พัง|ชำรุด|ดับ|ท่วม|ตัน|เสีย|แตก|รั่ว|ขาด|ล้ม|เหม็น|ดัง|สกปรก|ลื่น|มืด|ขัง|ยุบ|ทรุด|ไหม้|ขุ่น|ร้อน|ช้า|แพง|เลอะ|รก|"
    "ผุ|หัก|โค่น|อันตราย|ฝุ่น|ควัน|ขยะ|น้ำเสีย"
)
_FILLER = re.compile(r"(?:ค่ะ|ครับ|คะ|นะ|จ้า|แล้ว|มาก|มากๆ|เลย|ด้วย|หน่อย|อีกแล้ว|ทุกวัน)+$")
_SPACES = re.compile(r"\s+")
_SYNONYM_OF: dict[str, str] = {variant.replace(" ", ""): canonical for canonical, variants in ISSUE_SYNONYMS.items()
                                for variant in (canonical, *variants)}
# one alternation, longest wording first, so the most specific known wording inside a phrase wins
_SYNONYM_RE = re.compile("|".join(re.escape(v) for v in sorted(_SYNONYM_OF, key=len, reverse=True)))


@dataclass(frozen=True)
class IssueKey:
    """An issue as a person would name it: the problem and, when known, the place."""

    issue: str
    place: str | None = None

    @property
    def key(self) -> str:
        """The stored key: "issue|place" or "issue"."""
        return f"{self.issue}{KEY_SEPARATOR}{self.place}" if self.place else self.issue

    @property
    def label(self) -> str:
        """What the dashboard shows: "น้ำประปาไม่ไหล ซอยสุขใจ"."""
        return f"{self.issue} {self.place}" if self.place else self.issue


def _clean(phrase: str) -> str:
    """NFC, Thai digits, single spaces, no surrounding punctuation."""
    text = unicodedata.normalize("NFC", str(phrase)).translate(THAI_DIGITS).lower()
    return _SPACES.sub(" ", text).strip(" \t\"'“”‘’,.;:!?()[]{}-–")


def place_of(phrase: str) -> str | None:
    """The canonical place a phrase names ("ซ.สุขใจ" → "ซอยสุขใจ", "หมู่ที่ 4" → "หมู่ 4"), or None."""
    return _place(_clean(phrase))


def _place(text: str) -> str | None:
    """place_of for a cleaned phrase."""
    if not text.startswith(_PLACE_STARTS):
        return None
    text = _LOCATORS.sub("", text)
    for pattern, word in _ABBREVIATIONS:
        text = pattern.sub(word, text, count=1)
    prefix = next((p for p in PLACE_PREFIXES if text.startswith(p)), None)
    if prefix is None:
        return None
    rest = text[len(prefix):].strip()
    if not rest or _PROBLEM_WORDS.search(rest) or (prefix == "บ้าน" and not rest[:1].isalpha()):
        return None
    if prefix == "หมู่":
        number = re.match(r"(\d{1,2})(?!\d)", rest)
        return f"หมู่ {int(number.group(1))}" if number else None
    if rest[:1].isdigit():
        return f"{prefix} {rest}"
    return prefix + re.sub(r"\s+(?!\d)", "", rest)


def canonical_issue(phrase: str) -> str:
    """The canonical problem phrase: a known wording found inside it, else the phrase without filler words."""
    return _canonical(_clean(phrase))


def _canonical(text: str) -> str:
    """canonical_issue for a cleaned phrase."""
    text = text.replace(" ", "")
    found = _SYNONYM_RE.search(text)
    return _SYNONYM_OF[found.group(0)] if found else _FILLER.sub("", text)


def _known(text: str) -> bool:
    """True when a cleaned phrase holds a known wording of a problem."""
    return _SYNONYM_RE.search(text.replace(" ", "")) is not None


_PLACE_RANK = {"ซอย": 0, "ถนน": 1, "หมู่บ้าน": 2, "ชุมชน": 3, "ตลาด": 4, "โรงเรียน": 4, "วัด": 4, "แยก": 4,
               "สะพาน": 4, "คลอง": 4, "สวนสาธารณะ": 4, "สวน": 4, "โครงการ": 4, "บ้าน": 5, "หมู่": 6, "ตำบล": 7}


def _most_specific(places: list[str]) -> str:
    """The place a person would name: a soi or road before a village, a numbered soi with its moo."""
    ranked = sorted(places, key=lambda p: _PLACE_RANK.get(next((x for x in PLACE_PREFIXES if p.startswith(x)), ""), 9))
    best = ranked[0]
    moo = next((p for p in places if p.startswith("หมู่ ")), None)
    if moo and best != moo and re.fullmatch(r"ซอย \d.*", best):
        return f"{best} {moo}"
    return best


def issue_key(phrases: Sequence[str]) -> IssueKey | None:
    """The issue a message's phrases name, or None when they name no problem."""
    return _issue_key(tuple(phrases))


@lru_cache(maxsize=65_536)
def _issue_key(phrases: tuple[str, ...]) -> IssueKey | None:
    """issue_key, remembered: citizens name the same problems and places again and again."""
    places: list[str] = []
    problems: list[str] = []
    for phrase in phrases:
        text = _clean(phrase) if phrase else ""
        if not text:
            continue
        place = _place(text)
        if place:
            places.append(place)
        else:
            problems.append(text)
    if not problems:
        return None
    first = problems[0]
    if not _known(first) and len(problems) > 1:
        joined = first + problems[1]
        if _known(joined) or len(first) <= 4:  # "ไฟ" + "ดับ", "ถนน" + "ลื่น"
            first = joined
    issue = _canonical(first)
    if not issue:
        return None
    return IssueKey(issue=issue, place=_most_specific(places) if places else None)


def split_key(key: str) -> IssueKey:
    """The stored key back as an IssueKey."""
    issue, _, place = key.partition(KEY_SEPARATOR)
    return IssueKey(issue=issue, place=place or None)


# ---------------------------------------------------------------- rollups


class TopicMessage(NamedTuple):
    """A classified message as trends need it: its case, Bangkok day, phrases, unit and channel."""

    case_id: int
    day: dt.date
    phrases: Sequence[str]
    unit: str | None
    channel: str


class RollupRow(NamedTuple):
    """One row of the daily rollup the worker keeps: messages of an issue for a day, unit and channel."""

    day: dt.date
    issue_key: str
    unit: str | None
    channel: str
    count: int


def rollup(messages: Iterable[TopicMessage]) -> list[RollupRow]:
    """Daily rollup rows from classified messages (messages naming no problem are left out)."""
    counts: Counter[tuple[dt.date, str, str | None, str]] = Counter()
    for message in messages:
        key = issue_key(message.phrases)
        if key is not None:
            counts[(message.day, key.key, message.unit, message.channel)] += 1
    return [RollupRow(day, key, unit, channel, n) for (day, key, unit, channel), n in sorted(
        counts.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "", item[0][3]))]


# ---------------------------------------------------------------- ranking


@dataclass(frozen=True)
class TrendingIssue:
    """One issue of the period with its evidence (the shape of /api/analytics/topics)."""

    key: str
    label: str
    count: int
    baseline: float
    score: float
    trend: Trend
    case_ids: tuple[int, ...] = ()
    places: tuple[tuple[str, int], ...] = field(default=())

    def as_dict(self) -> dict:
        """JSON for the API."""
        return {"key": self.key, "label": self.label, "count": self.count, "baseline": self.baseline,
                "score": self.score, "trend": self.trend, "case_ids": list(self.case_ids),
                "places": [{"place": place, "count": n} for place, n in self.places]}


def baseline_range(date_from: dt.date, date_to: dt.date, *, periods: int = 1) -> tuple[dt.date, dt.date]:
    """The `periods` periods of equal length just before [date_from, date_to] (inclusive days)."""
    length = (date_to - date_from).days + 1
    return date_from - dt.timedelta(days=length * periods), date_from - dt.timedelta(days=1)


def compare_counts(*, count: int, baseline_total: int, periods: int = 1, min_count: int = 3,
                   tests: int = 1) -> tuple[float, float, Trend]:
    """(baseline per period, score, trend) for a period's count against the total of `periods` earlier periods;
    `tests` issues judged together share the 5 % error (Bonferroni)."""
    periods = max(periods, 1)
    baseline = baseline_total / periods
    log_ratio = math.log((count + 0.5) / (baseline_total + 0.5) * periods)
    spread = _z(tests) * math.sqrt(1 / (count + 0.5) + 1 / (baseline_total + 0.5))
    if log_ratio - spread > 0 and count >= min_count:
        score, trend = log_ratio - spread, "rising"
    elif log_ratio + spread < 0 and baseline >= min_count:
        score, trend = log_ratio + spread, "falling"
    else:
        score, trend = 0.0, "steady"
    return round(baseline, 2), round(score, 3), trend


@lru_cache(maxsize=256)
def _z(tests: int) -> float:
    """The one-sided normal quantile for a 5 % error shared by `tests` comparisons."""
    return NormalDist().inv_cdf(1 - 0.05 / max(tests, 1))


def _order(item: TrendingIssue) -> tuple:
    """Rising by score, then steady by count, then falling by how far they fell."""
    rank = {"rising": 0, "steady": 1, "falling": 2}[item.trend]
    return (rank, -item.score if item.trend == "rising" else (-item.count if item.trend == "steady" else item.score),
            -item.count, item.label)


def rank_issues(counts: Mapping[str, tuple[int, int]], *, baseline_periods: int = 1, min_count: int = 3,
                limit: int = 20) -> list[TrendingIssue]:
    """Trending issues from (count this period, baseline total) per stored key, places folded under their issue.

    A place-level issue ("ไฟถนนดับ ถนนเทศบาล 3") is shown when it is rising on its own or holds most (70 %) of its
    issue's messages; the issue itself is then hidden if that place holds most of it. Otherwise the issue is shown with
    its busiest places; when some of its places are shown as rising, the issue is shown for its other places
    ("ขยะไม่เก็บ (พื้นที่อื่น)", counts without them), so one outage does not make the issue rise twice. Every issue and place with at least `min_count` messages in either period is one of the tests
    sharing the 5 % error.
    """
    parents: dict[str, list[int]] = {}
    children: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for key, (count, baseline_total) in counts.items():
        issue, _, place = key.partition(KEY_SEPARATOR)
        sums = parents.get(issue)
        if sums is None:
            parents[issue] = [count, baseline_total]
        else:
            sums[0] += count
            sums[1] += baseline_total
        if place and count > 0:
            children[issue].append((key, place, count, baseline_total))
    threshold = min_count * max(baseline_periods, 1)
    tests = sum(1 for c, b in parents.values() if c >= min_count or b >= threshold) + sum(
        1 for places in children.values() for _, _, c, _ in places if c >= min_count)
    shown: list[TrendingIssue] = []
    for parent, (count, baseline_total) in parents.items():
        hidden = False
        rest_count, rest_baseline = count, baseline_total  # the issue without the places shown as rising
        for key, place, child_count, child_baseline in children.get(parent, ()):
            if child_count < min_count:
                continue
            base, score, trend = compare_counts(count=child_count, baseline_total=child_baseline,
                                                periods=baseline_periods, min_count=min_count, tests=tests)
            dominant = child_count >= DOMINANT_SHARE * count
            if trend == "rising" or dominant:
                shown.append(TrendingIssue(key=key, label=f"{parent} {place}", count=child_count, baseline=base,
                                           score=score, trend=trend))
                hidden = hidden or dominant
                if trend == "rising":
                    rest_count -= child_count
                    rest_baseline -= child_baseline
        if hidden or (count == 0 and baseline_total == 0):
            continue
        split = rest_count != count or rest_baseline != baseline_total
        if split and rest_count == 0 and rest_baseline == 0:
            continue
        base, score, trend = compare_counts(count=rest_count, baseline_total=rest_baseline,
                                            periods=baseline_periods, min_count=min_count, tests=tests)
        rising_keys = {item.key for item in shown if item.trend == "rising"}
        places = heapq.nsmallest(3, ((place, c) for key, place, c, _ in children.get(parent, ())
                                     if key not in rising_keys), key=lambda pair: (-pair[1], pair[0]))
        shown.append(TrendingIssue(key=parent, label=f"{parent} (พื้นที่อื่น)" if split else parent, count=rest_count,
                                   baseline=base, score=score, trend=trend, places=tuple(places)))
    return sorted(shown, key=_order)[:limit]


def period_counts(rows: Iterable[RollupRow], *, date_from: dt.date, date_to: dt.date, baseline_periods: int = 1,
                  unit: str | None = None, channel: str | None = None) -> dict[str, tuple[int, int]]:
    """(count in [from, to], total in the baseline periods) per key, from rollup rows (what SQL would GROUP BY)."""
    base_from, _ = baseline_range(date_from, date_to, periods=baseline_periods)
    current: Counter[str] = Counter()
    earlier: Counter[str] = Counter()
    for day, key, row_unit, row_channel, count in rows:
        if (unit is not None and row_unit != unit) or (channel is not None and row_channel != channel):
            continue
        if date_from <= day <= date_to:
            current[key] += count
        elif base_from <= day < date_from:
            earlier[key] += count
    return {key: (current[key], earlier[key]) for key in current.keys() | earlier.keys()}


Examples = Callable[[Sequence[str]], Mapping[str, Sequence[int]]]


def trending_issues(rows: Iterable[RollupRow], *, date_from: dt.date, date_to: dt.date, baseline_periods: int = 1,
                    unit: str | None = None, channel: str | None = None, examples: Examples | None = None,
                    min_count: int = 3, limit: int = 20) -> list[TrendingIssue]:
    """The period's trending issues from daily rollup rows, with example case ids for the ones shown."""
    counts = period_counts(rows, date_from=date_from, date_to=date_to, baseline_periods=baseline_periods, unit=unit,
                           channel=channel)
    ranked = rank_issues(counts, baseline_periods=baseline_periods, min_count=min_count, limit=limit)
    if examples is None or not ranked:
        return ranked
    found = examples([item.key for item in ranked])
    return [TrendingIssue(key=item.key, label=item.label, count=item.count, baseline=item.baseline, score=item.score,
                          trend=item.trend, case_ids=tuple(found.get(item.key, ())), places=item.places)
            for item in ranked]


def examples_from_messages(messages: Iterable[TopicMessage], *, date_from: dt.date, date_to: dt.date,
                           unit: str | None = None, channel: str | None = None, limit: int = 5) -> Examples:
    """Example case ids per shown key (an issue's key matches all its places), latest first: the in-memory version
    of the query the database makes."""
    by_key: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for message in messages:
        if not date_from <= message.day <= date_to:
            continue
        if (unit is not None and message.unit != unit) or (channel is not None and message.channel != channel):
            continue
        key = issue_key(message.phrases)
        if key is not None:
            by_key[key.key].append((message.day, message.case_id))
            if key.place:
                by_key[key.issue].append((message.day, message.case_id))

    def lookup(keys: Sequence[str]) -> dict[str, list[int]]:
        """Up to `limit` distinct case ids per key, latest first."""
        result: dict[str, list[int]] = {}
        for key in keys:
            ids: list[int] = []
            for _, case_id in sorted(by_key.get(key, ()), key=lambda pair: (pair[0], pair[1]), reverse=True):
                if case_id not in ids:
                    ids.append(case_id)
                if len(ids) >= limit:
                    break
            result[key] = ids
        return result

    return lookup
