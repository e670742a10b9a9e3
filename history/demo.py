"""A realistic history of citizens' messages for `fangsiang demo-data`, and the day-by-day volume model behind it.

Volumes: a working-day level with weekends and Thai public holidays lower (off-line channels closed), the first working
day after a long holiday busier, a yearly swing (rainy-season floods and drains, dry-season smoke and fires, tax in
April), day-to-day overdispersion (gamma-Poisson), and a few planted spikes (a water outage in one soi, street lights out
on one road, flooding in one village, a missed waste round). Texts come from Thai templates with slot fillers and, for a
share, from the classifier's bundled corpus. As in a real agency, most citizens write once (a few come back, some about
the same matter), a quarter name a place, and every finished matter is asked for its satisfaction while most never
answer; low scores mostly say why.
"""
from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections import defaultdict, deque
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import holidays as holiday_calendars
import numpy as np

from agency.vocabulary import Channel, Intent, Status
from analytics.trends import place_of

WEEKEND_FACTOR = 0.35
HOLIDAY_FACTOR = 0.3
REBOUND_FACTOR = 1.3
WEEKDAY_PROFILE = (1.15, 1.05, 1.0, 1.0, 0.85)  # Monday's backlog … Friday afternoon


@lru_cache(maxsize=16)
def _thai_holidays(years: tuple[int, ...]) -> frozenset[dt.date]:
    """Thai public holidays of these years (the `holidays` package, offline)."""
    return frozenset(holiday_calendars.country_holidays("TH", years=years))


def thai_holidays(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """Thai public holidays between two days (inclusive)."""
    days = _thai_holidays(tuple(range(start.year, end.year + 1)))
    return frozenset(day for day in days if start <= day <= end)


def daily_rates(*, start: dt.date, days: int, mean: float, holidays: Collection[dt.date] = frozenset(),
                weekend_factor: float = WEEKEND_FACTOR, holiday_factor: float = HOLIDAY_FACTOR,
                rebound_factor: float = REBOUND_FACTOR, yearly_amplitude: float = 0.15, peak_month: int = 9,
                trend_per_year: float = 0.0) -> list[float]:
    """Expected messages per day: `mean` on an ordinary working day, shaped by weekends, holidays and the season."""
    rates: list[float] = []
    closed_before = 0
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        season = 1 + yearly_amplitude * np.cos(2 * np.pi * ((day.timetuple().tm_yday - 30 * peak_month + 15) / 365.25))
        level = mean * season * (1 + trend_per_year * offset / 365.25)
        if day in holidays:
            factor = holiday_factor
        elif day.weekday() >= 5:
            factor = weekend_factor
        elif closed_before >= 3:
            factor = rebound_factor
        else:
            factor = WEEKDAY_PROFILE[day.weekday()]
        closed_before = closed_before + 1 if (day in holidays or day.weekday() >= 5) else 0
        rates.append(float(level * factor))
    return rates


def gamma_poisson_counts(rates: Sequence[float], *, dispersion: float, seed: int) -> list[int]:
    """Counts drawn around the rates with overdispersion φ (variance μ + φμ²)."""
    rng = np.random.default_rng(seed)
    mu = np.asarray(rates, dtype=float)
    if dispersion > 0:
        mu = rng.gamma(shape=1 / dispersion, scale=mu * dispersion)
    return [int(c) for c in rng.poisson(mu)]


# ---------------------------------------------------------------- the citizens' messages

GROUPS = ("ประชาชนทั่วไป", "ผู้ประกอบการ", "ผู้สูงอายุ/ผู้พิการ", "นักเรียน/นักศึกษา", "หน่วยงานภาครัฐ",
          "องค์กรชุมชน/ภาคประชาสังคม")
ONLINE_CHANNELS = (Channel.LINE, Channel.FACEBOOK, Channel.FACEBOOK_COMMENT, "website", "email")
# share of messages per channel on a working day and on a day the office is closed
CHANNEL_MIX_OPEN = {Channel.LINE: 42, Channel.FACEBOOK: 17, Channel.FACEBOOK_COMMENT: 9, "phone": 11, "walk_in": 8,
                    "letter": 3, "email": 2, "comment_box": 2, "website": 5, "other": 1}
CHANNEL_MIX_CLOSED = {Channel.LINE: 62, Channel.FACEBOOK: 22, Channel.FACEBOOK_COMMENT: 10, "website": 5, "email": 1}
# every finished matter is asked for its satisfaction; most citizens never answer (about 28% do, LINE the most)
SURVEY_RESPONSE_RATE = {Channel.LINE: 0.38, Channel.FACEBOOK: 0.28, Channel.FACEBOOK_COMMENT: 0.1, "phone": 0.2,
                        "walk_in": 0.3, "letter": 0.05, "email": 0.15, "comment_box": 0.1, "website": 0.2, "other": 0.1}
LOW_SCORE_REASON_SHARE = 0.7  # of scores 1–2, the share that say why (the survey's follow-up question)
# why a low score, for a slow and for a quick resolution: slow | unresolved | communication | other
_REASONS_SLOW = (("slow", 0.55), ("unresolved", 0.25), ("communication", 0.12), ("other", 0.08))
_REASONS_QUICK = (("slow", 0.1), ("unresolved", 0.5), ("communication", 0.28), ("other", 0.12))
# who writes: most messages come from a citizen writing once; a few from one who wrote before, some of them about
# the same matter again (a real repeat), the rest about another one
RETURNING_SHARE = 0.07
SAME_MATTER_SHARE = 0.4
_RETURNING_POOL = 400  # the latest citizens of a channel one may come back from
# where: a named place (soi, หมู่, road, community) in about a quarter of the messages; the rest say "in front of my
# house" or send a pin, which names no place
PLACE_NAMED_SHARE = 0.25
PLACE_ZIPF = 0.5
_VAGUE_PLACES = ("หน้าบ้าน", "ข้างบ้าน", "หลังบ้าน", "ใกล้บ้าน", "บริเวณบ้าน", "หน้าบ้านผม", "แถวบ้าน")
SENTIMENT_OF_INTENT = {Intent.COMPLAINT: "neg", Intent.QUESTION: "q", Intent.SUGGESTION: "neu", Intent.PRAISE: "pos",
                       Intent.OTHER: "neu"}
# seasons: month → multiplier
SEASONS: dict[str, dict[int, float]] = {
    "rain": {7: 1.6, 8: 2.2, 9: 2.8, 10: 2.4, 11: 1.3},
    "dry": {1: 1.6, 2: 2.2, 3: 2.6, 4: 2.0},
    "tax": {2: 1.8, 3: 2.6, 4: 3.0},
    "dengue": {5: 1.5, 6: 2.0, 7: 2.2, 8: 2.0, 9: 1.5},
}

_SOI_NAMES = ("สุขใจ", "ร่วมใจ", "มิตรภาพ", "วัดใหม่", "ประชาร่วมใจ", "บ้านสวน", "เจริญสุข", "รุ่งเรือง", "สามัคคี",
              "ร่มเย็น", "ทองหล่อ", "พัฒนา")
_ROADS = ("เทศบาล 1", "เทศบาล 3", "สุขาภิบาล 2", "ประชาอุทิศ", "มิตรภาพ", "ริมคลอง", "เลี่ยงเมือง")
_COMMUNITIES = ("ชุมชนบ้านหนองบัว", "ชุมชนตลาดเก่า", "ชุมชนริมน้ำ", "ชุมชนโนนสูง", "ชุมชนหลังวัด")
_LANDMARKS = ("ตลาดสดเทศบาล", "โรงเรียนวัดใหม่", "วัดป่าสามัคคี", "สวนสาธารณะเทศบาล", "โรงเรียนอนุบาลเทศบาล",
              "ตลาดนัดคลองถม")
# the citizen's own voice: particles and openers of a woman (ค่ะ/คะ) or a man (ครับ), never mixed in one message
_PARTICLES_F = ("ค่ะ", "นะคะ", "ค่ะ ขอบคุณค่ะ", "ค่ะ รบกวนด้วยค่ะ", "", "ด้วยค่ะ")
_PARTICLES_M = ("ครับ", "ครับผม", "ด้วยนะครับ", "นะครับ", "", "ครับ ขอบคุณครับ")
_QUESTIONS_F = ("คะ", "คะ ขอบคุณค่ะ", "", "คะ รบกวนด้วยค่ะ")
_QUESTIONS_M = ("ครับ", "ครับผม", "", "ครับ ขอบคุณครับ")
_OPENERS_F = ("", "", "", "สวัสดีค่ะ ", "เรียนเจ้าหน้าที่ ", "แจ้งเรื่องค่ะ ", "รบกวนหน่อยค่ะ ")
_OPENERS_M = ("", "", "", "สวัสดีครับ ", "เรียนเจ้าหน้าที่ ", "แจ้งเรื่องครับ ", "รบกวนหน่อยครับ ")
_DURATIONS = (" 2 วัน", " 3 วัน", "สามวัน", "หลายวัน", "เกือบอาทิตย์", "สัปดาห์นึง", "เดือนนึง", " 5 วัน")

# (unit, intent, issue or "", season or "", weight, text); {place} {landmark} {p} {q} {days} {n} are filled in
TEMPLATES: tuple[tuple[str, str, str, str, float, str], ...] = (
    ("public_works", "complaint", "ถนนเป็นหลุม", "rain", 3, "ถนน{place}เป็นหลุมเป็นบ่อ รถจักรยานยนต์ล้มไปหลายคันแล้ว{p}"),
    ("public_works", "complaint", "ถนนเป็นหลุม", "rain", 2, "{place} ถนนพังมา{days}แล้ว ฝนตกทีน้ำขังเต็มหลุม{p}"),
    ("public_works", "complaint", "ถนนเป็นหลุม", "", 1.5, "ขอให้มาซ่อมถนน{place}ด้วย{p} ผิวถนนชำรุดหนักมาก"),
    ("public_works", "complaint", "ไฟถนนดับ", "", 3, "ไฟถนน{place}ดับมา{days}แล้ว กลางคืนมืดมาก กลัวขโมย{p}"),
    ("public_works", "complaint", "ไฟถนนดับ", "", 2, "ไฟทางดับทั้งแถว{place} เด็กกลับจากโรงเรียนมืดอันตราย{p}"),
    ("public_works", "complaint", "ไฟถนนดับ", "", 1.5, "แจ้งไฟส่องสว่างเสีย {place} เสาต้นที่ {n} ไม่ติดเลย{p}"),
    ("public_works", "complaint", "ท่อระบายน้ำอุดตัน", "rain", 2, "ท่อระบายน้ำ{place}อุดตัน น้ำเน่าส่งกลิ่นเหม็น{p}"),
    ("public_works", "complaint", "ท่อระบายน้ำอุดตัน", "rain", 1.5, "ฝนตกนิดเดียวน้ำก็ไม่ระบาย ท่อตันแถว{place}{p}"),
    ("public_works", "complaint", "น้ำประปาไม่ไหล", "dry", 2, "น้ำประปาไม่ไหลมา{days}แล้ว {place} ไม่มีน้ำใช้เลย{p}"),
    ("public_works", "complaint", "น้ำประปาไม่ไหล", "dry", 1.5, "{place} น้ำไม่ไหลตั้งแต่เมื่อคืน ประปาจะมาเมื่อไหร่{q}"),
    ("public_works", "complaint", "น้ำประปาไม่ไหล", "dry", 1, "ประปาไหลอ่อนมาก {place} รองน้ำไม่ได้เลย{p}"),
    ("public_works", "complaint", "ทางเท้าชำรุด", "", 1, "ทางเท้า{place}ชำรุด กระเบื้องหลุด คนแก่เดินสะดุดล้ม{p}"),
    ("public_works", "question", "ขออนุญาตก่อสร้าง", "", 1.5, "ขออนุญาตต่อเติมบ้านต้องใช้เอกสารอะไรบ้าง{q}"),
    ("public_works", "question", "ลาดยางถนน", "", 1, "ถนน{place}จะมีโครงการลาดยางปีนี้ไหม{q}"),
    ("public_works", "suggestion", "ติดไฟส่องสว่างเพิ่ม", "", 1, "อยากให้ติดไฟส่องสว่างเพิ่มที่{place} ช่วงหัวโค้งมืดมาก{p}"),
    ("public_works", "suggestion", "ลูกระนาดชะลอความเร็ว", "", 0.7, "เสนอให้ทำลูกระนาดชะลอความเร็วหน้า{landmark} รถซิ่งบ่อยมาก{p}"),
    ("public_works", "praise", "", "", 0.8, "ขอบคุณกองช่างที่มาซ่อมไฟถนน{place}ให้เร็วมาก{p}"),
    ("environment", "complaint", "ขยะไม่เก็บ", "", 3.5, "ขยะ{place}ไม่มีคนมาเก็บ{days}แล้ว ส่งกลิ่นเหม็นมาก{p}"),
    ("environment", "complaint", "ขยะไม่เก็บ", "", 2, "รถขยะไม่มาเก็บตามวันนัด {place} ขยะล้นถังแล้ว{p}"),
    ("environment", "complaint", "ขยะไม่เก็บ", "", 1, "ถังขยะหน้า{landmark}ล้นออกมาถึงถนน หมาคุ้ยกระจาย{p}"),
    ("environment", "complaint", "เสียงดังรบกวน", "", 1.5, "ร้านคาราโอเกะ{place}เปิดเพลงเสียงดังถึงตีสองทุกคืน นอนไม่ได้เลย{p}"),
    ("environment", "complaint", "เสียงดังรบกวน", "", 1, "โรงงานแถว{place}เสียงดังตั้งแต่เช้ามืด{p}"),
    ("environment", "complaint", "ควันรบกวน", "dry", 1.5, "มีคนเผาขยะ{place} ควันเข้าบ้าน เด็กไอทั้งคืน{p}"),
    ("environment", "complaint", "ควันรบกวน", "dry", 1, "ฝุ่นควันจากการเผาหญ้า{place} หายใจไม่ออก{p}"),
    ("environment", "complaint", "สุนัขจรจัด", "", 1.5, "หมาจรจัด{place}เยอะมาก ไล่กัดเด็กนักเรียน{p}"),
    ("environment", "complaint", "ยุงชุม", "dengue", 1.5, "ยุงเยอะมาก{place} ขอให้มาฉีดพ่นยุงด้วย{p} บ้านข้าง ๆ เป็นไข้เลือดออก"),
    ("environment", "complaint", "กลิ่นเหม็น", "", 1, "ฟาร์มหมู{place}ส่งกลิ่นเหม็นทั้งวัน{p}"),
    ("environment", "suggestion", "ถังขยะแยกประเภท", "", 0.8, "อยากให้เพิ่มถังขยะแยกประเภทที่{landmark}{p}"),
    ("disaster", "complaint", "น้ำท่วมขัง", "rain", 2, "น้ำท่วมขัง{place}สูงเกือบเข่า รถเล็กผ่านไม่ได้{p}"),
    ("disaster", "complaint", "น้ำท่วมขัง", "rain", 1.5, "ฝนตกหนักเมื่อคืน น้ำท่วมบ้าน{place}แล้ว ขอกระสอบทรายด้วย{p}"),
    ("disaster", "complaint", "ต้นไม้ล้ม", "rain", 1, "ต้นไม้ล้มขวางถนน{place} รถผ่านไม่ได้{p} รีบมาช่วยด้วย"),
    ("disaster", "complaint", "ไฟไหม้", "dry", 0.8, "ไฟไหม้หญ้าที่ว่าง{place} ลามใกล้บ้านแล้ว{p}"),
    ("disaster", "question", "กระสอบทราย", "rain", 0.8, "ขอรับกระสอบทรายได้ที่ไหน{q}"),
    ("disaster", "question", "เงินช่วยเหลือน้ำท่วม", "rain", 0.8, "บ้านน้ำท่วมเสียหาย จะได้รับเงินช่วยเหลือไหม{q}"),
    ("civil_registration", "question", "ย้ายทะเบียนบ้าน", "", 2, "ย้ายทะเบียนบ้านเข้าต้องใช้เอกสารอะไรบ้าง{q}"),
    ("civil_registration", "question", "ทำบัตรประชาชน", "", 2, "ทำบัตรประชาชนใหม่ วันเสาร์เปิดไหม{q}"),
    ("civil_registration", "question", "แจ้งเกิด", "", 1, "แจ้งเกิดลูกต้องใช้เอกสารอะไรบ้าง{q}"),
    ("civil_registration", "complaint", "รอคิวนาน", "", 1, "รอคิวทำบัตรประชาชนนานมาก ตั้งแต่เช้ายังไม่ได้เลย{p}"),
    ("revenue", "question", "ภาษีที่ดิน", "tax", 2, "ภาษีที่ดินและสิ่งปลูกสร้างปีนี้ต้องจ่ายภายในวันไหน{q}"),
    ("revenue", "question", "ภาษีป้าย", "tax", 1, "จ่ายภาษีป้ายผ่านแอปธนาคารได้ไหม{q}"),
    ("revenue", "question", "ค่าธรรมเนียมขยะ", "", 1, "ค่าธรรมเนียมเก็บขยะเดือนละเท่าไหร่ จ่ายที่ไหนได้บ้าง{q}"),
    ("revenue", "complaint", "ภาษีที่ดิน", "tax", 1, "ใบแจ้งภาษีที่ดินไม่ถูกต้อง คิดเนื้อที่เกินจริง{p}"),
    ("social_welfare", "question", "เบี้ยยังชีพผู้สูงอายุ", "", 2.5, "เบี้ยยังชีพผู้สูงอายุเดือนนี้เข้าวันไหน{q}"),
    ("social_welfare", "question", "เบี้ยความพิการ", "", 1, "สมัครเบี้ยความพิการต้องใช้อะไรบ้าง{q}"),
    ("social_welfare", "question", "ลงทะเบียนผู้สูงอายุ", "", 1, "พ่อจะอายุครบ 60 ปีเดือนหน้า ลงทะเบียนรับเบี้ยได้เมื่อไหร่{q}"),
    ("social_welfare", "complaint", "เบี้ยยังชีพไม่เข้า", "", 1, "เบี้ยยังชีพเดือนนี้ยังไม่เข้าเลย{p} ยายรออยู่"),
    ("general_affairs", "complaint", "เจ้าหน้าที่ไม่สุภาพ", "", 0.8, "เจ้าหน้าที่ที่เคาน์เตอร์พูดจาไม่สุภาพ{p}"),
    ("general_affairs", "complaint", "โทรไม่มีคนรับสาย", "", 1, "โทรไปเทศบาลไม่มีคนรับสายเลยทั้งวัน{p}"),
    ("general_affairs", "question", "รับสมัครงาน", "", 1, "เทศบาลเปิดรับสมัครพนักงานจ้างไหม{q}"),
    ("general_affairs", "question", "เวลาทำการ", "", 1, "สำนักงานเทศบาลวันเสาร์เปิดไหม{q}"),
    ("general_affairs", "suggestion", "ชำระเงินผ่านคิวอาร์โค้ด", "", 0.8, "อยากให้มีบริการชำระค่าธรรมเนียมผ่านคิวอาร์โค้ด{p}"),
    ("general_affairs", "praise", "", "", 1, "ขอบคุณเจ้าหน้าที่ที่บริการดีมาก ยิ้มแย้มแจ่มใส{p}"),
    ("triage", "other", "", "", 1, "สวัสดี{p}"),
)

# planted spikes: (issue, unit, place text, where in the history 0–1 (or days before the end if negative), days)
PLANTED: tuple[tuple[str, str, str, float, int], ...] = (
    ("น้ำประปาไม่ไหล", "public_works", "ซอยสุขใจ", 0.3, 3),
    ("ไฟถนนดับ", "public_works", "ถนนเทศบาล 3", 0.55, 2),
    ("น้ำท่วมขัง", "disaster", "หมู่ 4", 0.8, 4),
    ("ขยะไม่เก็บ", "environment", "หมู่ 7", -4, 3),
)
_HOURS_ONLINE = (1, 0.5, 0.3, 0.2, 0.3, 1, 3, 6, 9, 10, 9, 8, 7, 7, 7, 6, 6, 7, 8, 9, 9, 7, 4, 2)
_HOURS_OFFICE = (0, 0, 0, 0, 0, 0, 0, 0, 6, 10, 10, 8, 3, 8, 9, 7, 3, 0, 0, 0, 0, 0, 0, 0)
_RESOLVE_MEDIAN_DAYS = {"complaint": 4.0, "suggestion": 10.0, "question": 0.6, "praise": 0.3, "other": 0.3}
_SATISFACTION_FAST_CUM = tuple(accumulate((0.02, 0.03, 0.10, 0.35)))  # 1–4; the rest is 5
_SATISFACTION_SLOW_CUM = tuple(accumulate((0.14, 0.16, 0.25, 0.27)))
_TITLES = ("นาย", "นาง", "นางสาว")
_FIRST_NAMES = ("สมชาย", "สมศรี", "มาลี", "ประยูร", "วันเพ็ญ", "สุนทร", "อำไพ", "บุญมี")
_SURNAMES = ("ใจดี", "รักถิ่น", "ศรีสุข", "มั่นคง", "แก้วมณี", "บุญเรือง")


@dataclass(frozen=True)
class PlantedSpike:
    """A spike the demo history holds on purpose (what the dashboard should show as rising and alert on)."""

    issue_key: str
    label: str
    unit: str
    first_day: dt.date
    days: int
    messages: int


def _corpus() -> list[dict]:
    """The classifier's bundled citizen messages that name a unit (text, intent, unit)."""
    from classifier.data import intent_train_rows

    return [row for row in intent_train_rows() if row.get("unit")]


def _place_forms() -> list[tuple[str, str]]:
    """(as a citizen writes it, canonical place) for every place the templates use."""
    forms: list[tuple[str, str]] = []
    for name in _SOI_NAMES:
        forms += [(f"ซอย{name}", f"ซอย{name}"), (f"ซ.{name}", f"ซอย{name}")]
    for number in range(1, 151):
        forms.append((f"ซอย {number}", f"ซอย {number}"))
    for moo in range(1, 16):
        forms += [(f"หมู่ {moo}", f"หมู่ {moo}"), (f"ม.{moo}", f"หมู่ {moo}"), (f"หมู่ที่ {moo}", f"หมู่ {moo}")]
    for road in _ROADS:
        forms += [(f"ถนน{road}", f"ถนน{road}"), (f"ถ.{road}", f"ถนน{road}")]
    forms += [(name, name) for name in _COMMUNITIES]
    return forms


def _busy_places(forms: list[tuple[str, str]], *, busiest: Sequence[str]) -> tuple[list[tuple[str, ...]], list[float]]:
    """The places with the ways each is written, busiest first, and the cumulative share of messages naming each:
    a town's places are not equally busy (Zipf-like; the planted spikes' places among the busier, so that they
    have a history before their spike)."""
    written: dict[str, list[str]] = defaultdict(list)
    for text, canonical in forms:
        written[canonical].append(text)
    others = [c for c in written if c not in busiest]
    random.Random(0).shuffle(others)
    order = others[:]
    for rank, canonical in zip(range(1, 2 * len(busiest), 2), busiest, strict=False):
        order.insert(rank, canonical)
    weights = [1 / (rank + 1) ** PLACE_ZIPF for rank in range(len(order))]
    total = sum(weights)
    return [(c, *written[c]) for c in order], list(accumulate(w / total for w in weights))


def planted_spikes(*, messages: int, start: dt.date, end: dt.date) -> list[PlantedSpike]:
    """The spikes a history of this size and span holds."""
    span = (end - start).days
    spikes = []
    for issue, unit, place, where, days in PLANTED:
        first = end + dt.timedelta(days=int(where)) if where < 0 else start + dt.timedelta(days=int(span * where))
        first = max(first, start + dt.timedelta(days=min(56, span // 2)))
        count = max(12, min(int(messages * 0.004), 400 * days))
        canonical = place_of(place) or place
        spikes.append(PlantedSpike(issue_key=f"{issue}|{canonical}", label=f"{issue} {canonical}", unit=unit,
                                   first_day=first, days=days, messages=count))
    return spikes


def _history_bounds(*, months: int, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """First and last day of a history of `months` months ending on `end` (yesterday in Bangkok by default)."""
    if months < 1:
        raise ValueError("ต้องมีอย่างน้อย 1 เดือน")
    last = end or (dt.datetime.now(tz=BANGKOK_TZ).date() - dt.timedelta(days=1))
    return last - dt.timedelta(days=round(months * 30.44) - 1), last


BANGKOK_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Bangkok")  # fixed offset: Thailand keeps no summer time


def _probabilities(weights: Sequence[float]) -> np.ndarray:
    """Weights as probabilities."""
    array = np.asarray(weights, dtype=float)
    return array / array.sum()


def demo_rows(*, messages: int, months: int, end: dt.date | None = None, seed: int = 0,
              corpus_share: float = 0.1) -> Iterator[dict]:
    """A realistic history of `messages` citizens' messages over `months` months, oldest first, as plain dicts:
    text, received_at (UTC), channel, unit, intent, sentiment, status, responded_at, resolved_at, group,
    satisfaction (1–5 or None), topics (the issue phrase and place; None for corpus texts, which need classifying)."""
    if messages < 0:
        raise ValueError("จำนวนข้อความต้องไม่ติดลบ")
    start, last = _history_bounds(months=months, end=end)
    days = (last - start).days + 1
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    holidays = thai_holidays(start, last)
    spikes = planted_spikes(messages=messages, start=start, end=last) if messages >= 500 else []
    base = max(messages - sum(s.messages for s in spikes), 0)
    rates = np.asarray(daily_rates(start=start, days=days, mean=1.0, holidays=holidays, yearly_amplitude=0.1))
    rates = nprng.gamma(shape=1 / 0.08, scale=rates * 0.08)
    per_day = nprng.multinomial(base, rates / rates.sum())
    spike_days: dict[dt.date, list[tuple[PlantedSpike, int]]] = defaultdict(list)
    for spike in spikes:
        profile = np.asarray((0.45, 0.3, 0.15, 0.1)[:spike.days])
        for offset, count in enumerate(nprng.multinomial(spike.messages, profile / profile.sum())):
            spike_days[spike.first_day + dt.timedelta(days=offset)].append((spike, int(count)))
    corpus = _corpus() if corpus_share > 0 else []
    places, places_cum = _busy_places(_place_forms(), busiest=[place_of(p) or p for _, _, p, _, _ in PLANTED])
    with_place: dict[str, list[int]] = defaultdict(list)
    for index, template in enumerate(TEMPLATES):
        if "{place}" in template[5]:
            with_place[template[2]].append(index)
    month_p = {month: _probabilities([w * SEASONS.get(season, {}).get(month, 1.0)
                                      for _, _, _, season, w, _ in TEMPLATES]) for month in range(1, 13)}
    open_names, open_p = list(CHANNEL_MIX_OPEN), _probabilities(list(CHANNEL_MIX_OPEN.values()))
    closed_names, closed_p = list(CHANNEL_MIX_CLOSED), _probabilities(list(CHANNEL_MIX_CLOSED.values()))
    online_of = {name: name in ONLINE_CHANNELS for name in CHANNEL_MIX_OPEN}
    hours_online, hours_office = _probabilities(_HOURS_ONLINE), _probabilities(_HOURS_OFFICE)
    groups_p = _probabilities((70, 9, 10, 4, 3, 4))
    now = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=BANGKOK_TZ).astimezone(dt.UTC)
    recent: dict[str, deque[tuple[int, tuple[int, str | None] | None]]] = defaultdict(
        lambda: deque(maxlen=_RETURNING_POOL))
    next_citizen = 0
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        closed = day in holidays or day.weekday() >= 5
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=BANGKOK_TZ).astimezone(dt.UTC)
        count = int(per_day[offset])
        templates = nprng.choice(len(TEMPLATES), size=count, p=month_p[day.month]).tolist()
        forced: list[str | None] = [None] * count
        for spike, n in spike_days.get(day, ()):
            issue, _, place = spike.issue_key.partition("|")
            templates += [rng.choice(with_place[issue]) for _ in range(n)]
            forced += [place] * n
        size = len(templates)
        if not size:
            continue
        from_corpus = (nprng.random(size) < corpus_share) if corpus else np.zeros(size, dtype=bool)
        from_corpus[count:] = False
        names = closed_names if closed else open_names
        # every random draw of the day at once (numpy), read back as plain Python lists
        channels = nprng.choice(len(names), size=size, p=closed_p if closed else open_p).tolist()
        online_hours = nprng.choice(24, size=size, p=hours_online).tolist()
        office_hours = nprng.choice(24, size=size, p=hours_office).tolist()
        seconds = nprng.integers(0, 3600, size=size).tolist()
        picks = nprng.random((size, 16)).tolist()
        respond = nprng.lognormal(0.0, 1.0, size=size).tolist()
        resolve = nprng.lognormal(0.0, 0.9, size=size).tolist()
        groups = nprng.choice(len(GROUPS), size=size, p=groups_p).tolist()
        from_corpus = from_corpus.tolist()
        rows = []
        for i in range(size):
            channel = names[channels[i]]
            online = online_of[channel]
            hour = online_hours[i] if (online or closed) else office_hours[i]
            received = midnight + dt.timedelta(seconds=hour * 3600 + seconds[i])
            pick = picks[i]
            earlier = recent[channel]
            if earlier and i < count and pick[12] < RETURNING_SHARE:  # (a spike's writers are new citizens)
                citizen, matter = earlier[int(pick[13] * len(earlier))]
                if matter is not None and pick[13] * len(earlier) % 1 < SAME_MATTER_SHARE:
                    templates[i], forced[i], from_corpus[i] = *matter, False  # the same problem again
            else:
                citizen, next_citizen = next_citizen, next_citizen + 1
            if from_corpus[i]:
                row = corpus[int(pick[0] * len(corpus))]
                text, unit, intent, topics = row["text"], row["unit"], row["intent"], None
                matter = None
            else:
                unit, intent, issue, _, _, body = TEMPLATES[templates[i]]
                if forced[i]:
                    place_text, place_canonical = forced[i], forced[i]
                elif pick[14] < PLACE_NAMED_SHARE:
                    rank = min(bisect(places_cum, pick[0]), len(places) - 1)
                    place_canonical, *spellings = places[rank]
                    place_text = spellings[int(pick[1] * len(spellings))]
                else:
                    place_text, place_canonical = _VAGUE_PLACES[int(pick[0] * len(_VAGUE_PLACES))], None
                matter = (templates[i], place_canonical if place_canonical else None)
                landmark = _LANDMARKS[int(pick[1] * len(_LANDMARKS))]
                female = pick[2] < 0.55
                particles = _PARTICLES_F if female else _PARTICLES_M
                questions = _QUESTIONS_F if female else _QUESTIONS_M
                openers = _OPENERS_F if female else _OPENERS_M
                text = openers[int(pick[3] * len(openers))] + body.format(
                    place=f" {place_text} ", landmark=landmark, p=particles[int(pick[4] * len(particles))],
                    q=questions[int(pick[5] * len(questions))], days=_DURATIONS[int(pick[6] * len(_DURATIONS))],
                    n=1 + int(pick[7] * 40))
                text = " ".join(text.split())
                if not issue:
                    topics = ()
                elif "{place}" in body:
                    topics = (issue, place_canonical) if place_canonical else (issue,)
                elif "{landmark}" in body:
                    topics = (issue, landmark)
                else:
                    topics = (issue,)
                if pick[8] < 0.04:
                    text += _personal_detail(rng)
            rows.append(_case_fields(
                pick=pick, text=text, received=received, channel=channel, online=online, unit=unit, intent=intent,
                topics=topics, now=now, respond=respond[i], resolve=resolve[i],
                group=GROUPS[groups[i]], citizen=citizen))
            earlier.append((citizen, matter))
        rows.sort(key=lambda r: r["received_at"])
        yield from rows


def _personal_detail(rng: random.Random) -> str:
    """A detail with personal data, as citizens do write them (for the masking to catch)."""
    choice = rng.randrange(4)
    if choice == 0:
        return f" ติดต่อกลับเบอร์ 08{rng.randint(1, 9)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    if choice == 1:
        return f" บ้านเลขที่ {rng.randint(1, 299)}/{rng.randint(1, 30)}"
    if choice == 2:
        return f" ผู้แจ้ง {rng.choice(_TITLES)}{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
    digits = [rng.randint(1, 8)] + [rng.randint(0, 9) for _ in range(11)]
    check = (11 - sum(d * (13 - i) for i, d in enumerate(digits)) % 11) % 10
    return " เลขบัตรประชาชน " + "".join(map(str, digits + [check]))


def _case_fields(*, pick: list[float], text: str, received: dt.datetime, channel: str, online: bool, unit: str,
                 intent: str, topics: tuple[str, ...] | None, now: dt.datetime, respond: float, resolve: float,
                 group: str, citizen: int) -> dict:
    """One row: the case's status, response and resolution times, citizen group, and the survey asked when it was
    finished (answered by a minority, with a reason for most low scores).

    `respond` and `resolve` are lognormal draws with median 1; `pick` holds uniform draws (slots 9–11, 15 used here)."""
    responded = received + dt.timedelta(hours=respond * (2.5 if online else 20))
    resolve_days = resolve * _RESOLVE_MEDIAN_DAYS[intent]
    resolved = responded + dt.timedelta(days=resolve_days)
    roll = pick[9]
    if roll < 0.02:
        status = Status.FORWARDED
    elif roll < 0.03 or intent == Intent.OTHER:
        status = Status.CLOSED if resolved <= now else Status.NEW
    elif resolved <= now:
        status = Status.RESOLVED if (now - resolved).days < 7 else Status.CLOSED
    elif responded > now:
        status = Status.NEW
    else:
        status = Status.IN_PROGRESS if roll < 0.6 else Status.ACKNOWLEDGED
    done = status in (Status.RESOLVED, Status.CLOSED)
    surveyed = done and intent != Intent.OTHER
    satisfaction = reason = answered_at = None
    answer, rate = pick[10], SURVEY_RESPONSE_RATE.get(channel, 0.1)
    if surveyed and answer < rate:
        weights = _SATISFACTION_FAST_CUM if resolve < 1.5 else _SATISFACTION_SLOW_CUM
        satisfaction = 1 + bisect(weights, answer / rate)
        answered_at = min(resolved + dt.timedelta(hours=0.2 + 30 * pick[15] ** 3), now)
        if satisfaction <= 2 and pick[15] < LOW_SCORE_REASON_SHARE:
            reasons = _REASONS_QUICK if resolve < 1.5 else _REASONS_SLOW
            draw = pick[15] / LOW_SCORE_REASON_SHARE
            reason = next((code for code, cum in zip((c for c, _ in reasons),
                                                     accumulate(w for _, w in reasons), strict=True) if draw < cum),
                          reasons[-1][0])
    other = pick[11]
    if unit == "social_welfare" and other < 0.5:
        group = "ผู้สูงอายุ/ผู้พิการ"
    elif unit == "revenue" and other < 0.4:
        group = "ผู้ประกอบการ"
    citizen_group: str | None = None if online and other > 0.75 else group  # a quarter skip the question online
    return {
        "text": text, "received_at": received, "channel": channel, "unit": unit, "intent": intent,
        "sentiment": SENTIMENT_OF_INTENT[intent], "status": status,
        "responded_at": responded if responded <= now and status != Status.NEW else None,
        "resolved_at": resolved if done else None, "group": citizen_group, "satisfaction": satisfaction,
        "topics": topics, "citizen": citizen, "surveyed": surveyed, "survey_reason": reason,
        "survey_answered_at": answered_at,
    }
