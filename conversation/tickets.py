"""What a citizen's text says about their cases: ticket numbers in every spelling citizens use, status questions,
"another matter" markers, thanks and closings, and "the problem is back"."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from classifier.text import normalize, tokenize

DEFAULT_PREFIX = "FS"
MAX_SEQUENCE = 999_999

# ---------------------------------------------------------------- ticket numbers

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d_")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_YEAR = r"(25[5-9]\d)"
_SEP = r"[\s\-./#:]{0,3}"
# Words that introduce a ticket number; "บ้านเลขที่" (a house number) is excluded where they are used.
_STRONG_KEYWORD = (
    r"(?:เลขที่รับเรื่อง|เลขรับเรื่อง|เลขที่เรื่อง|เลขเรื่อง|เรื่องเลขที่|หมายเลขเรื่อง|เลขที่อ้างอิง|เลขอ้างอิง"
    r"|ticket\s*(?:no\.?|number)?|case\s*(?:no\.?|number)?)"
)
_KEYWORD = rf"(?:{_STRONG_KEYWORD}|เลขที่|เรื่องที่|เลขรับ)"
_TICKET_CONTEXT = re.compile(r"เรื่อง|เลขที่|ticket|ติดตาม|สถานะ|คืบหน้า|เคส|ถึงไหน|ยังไง|ล่ะ", re.IGNORECASE)
_HOUSE_BEFORE = re.compile(r"(?:บ้าน|อยู่|ซอย|หมู่)\s*$")


@dataclass(frozen=True)
class TicketMention:
    """A ticket number found in a citizen's text, in canonical form (FS-2569-000123)."""

    ticket: str
    year_be: int
    number: int
    start: int
    end: int
    year_assumed: bool = False


def canonical_ticket(*, prefix: str, year_be: int, number: int) -> str:
    """The ticket as the agency issues it: PREFIX-YYYY-NNNNNN."""
    return f"{prefix.upper()}-{year_be}-{number:06d}"


def _fold(text: str) -> str:
    """Thai and full-width digits to ASCII, every dash to '-', zero-width to space, keeping each position."""
    out = []
    for ch in text:
        if ch in _DASHES:
            out.append("-")
        elif ch in _INVISIBLE:
            out.append(" ")
        elif "\u0e50" <= ch <= "\u0e59":
            out.append(chr(ord(ch) - 0x0E50 + 48))
        else:
            folded = unicodedata.normalize("NFKC", ch)
            out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _patterns(prefix: str) -> list[tuple[re.Pattern[str], str]]:
    """(pattern, group order) pairs, most specific first: "yn" = (year, number), "ny" = (number, year),
    "n" = number only (this year's)."""
    p = re.escape(prefix)
    return [
        # FS-2569-000123, fs2569000123, FS 2569 123, FS.2569/123
        (re.compile(rf"(?<![a-z]){p}{_SEP}{_YEAR}{_SEP}(\d{{1,6}})(?!\d)", re.IGNORECASE), "yn"),
        # เลขที่เรื่อง 123/2569, เรื่องที่ FS 000123/2569
        (re.compile(rf"{_KEYWORD}\s*[:#.]?\s*(?:{p})?\s*(\d{{1,6}})\s*/\s*{_YEAR}(?!\d)", re.IGNORECASE), "ny"),
        # 2569-000123, 2569/000123 (three digits at least, and not a year range such as 2569-2570)
        (re.compile(rf"(?<![\d/.])(?<!\d-){_YEAR}\s?[-/]\s?(?!25[5-9]\d(?!\d))(\d{{3,6}})(?!\d|[-/.]\d)"), "yn"),
        # FS-123 (this year's)
        (re.compile(rf"(?<![a-z]){p}{_SEP}(\d{{1,6}})(?!\d|{_SEP}\d)", re.IGNORECASE), "n"),
        # เลขที่เรื่อง 123 (this year's)
        (re.compile(rf"{_STRONG_KEYWORD}\s*[:#.]?\s*(?:{p})?\s*(\d{{1,6}})(?!\d|\s*/\s*\d)", re.IGNORECASE), "n"),
    ]


# 2569-2, 2569/2: a short number after the year, read as a ticket only when the text speaks of a case or is the
# ticket alone (a date such as 2569/2 in a sentence about something else is not one)
_SHORT = re.compile(rf"(?<![\d/.])(?<!\d-){_YEAR}\s?[-/]\s?(\d{{1,6}})(?!\d|[-/.]\d)")
_ALONE = re.compile(r"\s*(?:เรื่อง|เลขที่|เคส|ticket)?\s*\S*?\d{4}\s?[-/]\s?\d{1,6}\s*(?:ค่ะ|คะ|ครับ|คับ|นะคะ|นะครับ|\?)?\s*",
                    re.IGNORECASE)
_COMPACT = re.compile(rf"(?<!\d){_YEAR}(\d{{6}})(?!\d)")


def find_tickets(text: str, *, prefix: str = DEFAULT_PREFIX, default_year_be: int | None = None) -> tuple[TicketMention, ...]:
    """Every ticket number in the text, once each, in order of appearance.

    A number without a year (FS-123, เลขที่เรื่อง 123) counts only when default_year_be (this year) is given.
    """
    if not text:
        return ()
    folded = _fold(str(text)[:5000])
    taken: list[tuple[int, int]] = []
    found: list[TicketMention] = []

    def overlaps(start: int, end: int) -> bool:
        return any(start < b and a < end for a, b in taken)

    def add(start: int, end: int, year: int, number: int, assumed: bool) -> None:
        if overlaps(start, end) or not 0 < number <= MAX_SEQUENCE:
            return
        taken.append((start, end))
        found.append(TicketMention(canonical_ticket(prefix=prefix, year_be=year, number=number),
                                   year, number, start, end, assumed))

    for pattern, order in _patterns(prefix):
        for match in pattern.finditer(folded):
            if _HOUSE_BEFORE.search(folded[max(0, match.start() - 8):match.start()]):
                continue
            if order == "n":
                number = match.group(1)
                if default_year_be is None or re.fullmatch(r"25[5-9]\d", number):
                    continue  # "FS-2569" alone is an unfinished ticket, not number 2569
                add(match.start(), match.end(), default_year_be, int(number), True)
            else:
                year, number = match.groups() if order == "yn" else reversed(match.groups())
                add(match.start(), match.end(), int(year), int(number), False)
    alone = bool(_ALONE.fullmatch(folded))
    if alone or _TICKET_CONTEXT.search(folded):
        for match in _SHORT.finditer(folded):
            if not _HOUSE_BEFORE.search(folded[max(0, match.start() - 8):match.start()]):
                add(match.start(), match.end(), int(match.group(1)), int(match.group(2)), False)
    if _TICKET_CONTEXT.search(folded):
        for match in _COMPACT.finditer(folded):
            add(match.start(), match.end(), int(match.group(1)), int(match.group(2)), False)
    unique: dict[str, TicketMention] = {}
    for mention in sorted(found, key=lambda m: m.start):
        unique.setdefault(mention.ticket, mention)
    return tuple(unique.values())


# ---------------------------------------------------------------- what the citizen means

_STATUS = re.compile(
    r"ติดตาม\s*(?:เรื่อง(?!ข่าว)|ผล|ความคืบหน้า|สถานะ|เคส|คำร้อง|การแก้ไข|การดำเนินการ|งานที่แจ้ง|ที่แจ้ง)"
    r"|ความคืบหน้า|คืบหน้า(?:ยัง|ไป|บ้าง|ไหม|มั้ย|หรือยัง)"
    r"|(?:ไป)?ถึงไหน(?:แล้ว|กัน)?"
    r"|(?:เช็ค|เช็ก|ตรวจสอบ|ดู|ขอทราบ|สอบถาม)\s*สถานะ|สถานะ(?:ของ)?\s*(?:เรื่อง|คำร้อง|เคส)"
    r"|ได้เรื่อง(?:ไหม|มั้ย|ยัง|หรือยัง|รึยัง|บ้าง|อะไร)"
    r"|(?:เรื่อง|แจ้ง)[^.?!]{0,20}?เงียบ|เงียบหาย|เงียบกริบ"
    r"|ไม่มี(?:ใคร|การ|เจ้าหน้าที่)?\s*ติดต่อกลับ|ไม่มีใครตอบ|ไม่ตอบ(?:กลับ)?(?:เลย|สักที)"
    r"|(?:ขอ)?(?:อัพเดท|อัปเดต|อัพเดต|อัปเดท|update)\s*(?:เรื่อง|หน่อย|ด้วย|ความคืบหน้า|สถานะ|ครับ|ค่ะ|คะ|$)"
    r"|ผลการ(?:ดำเนินการ|พิจารณา|แก้ไข)(?:เป็น|ยัง|ถึง|ไปถึง|ได้|ล่ะ|คะ|ครับ|\s*$)"
    r"|(?:ดำเนินการ|แก้ไข|แก้|ซ่อม|จัดการ|ลงพื้นที่|มาดู|มาซ่อม|มาแก้|มาเก็บ|มาตรวจ|ทำ|ตรวจสอบ)\s*(?:ให้)?\s*(?:แล้ว)?\s*"
    r"(?:หรือ|รึ|หรือว่า)?\s*ยัง(?=\s*(?:ครับ|คะ|ค่ะ|คับ|ค่า|จ้า|นะ|\?|$|เนี่ย|เอ่ย|ฮะ|คะ))"
    r"|(?:จะ)?(?:ดำเนินการ|แก้ไข|ซ่อม|มาซ่อม|มาแก้|มาดู)\s*(?:ให้)?\s*เสร็จ\s*(?:เมื่อไ(?:หร่|ร)|ตอนไหน|วันไหน)",
    re.IGNORECASE,
)
_PRIOR_REPORT = re.compile(
    r"(?:ที่|เคย|ได้|ผม|ฉัน|หนู|ดิฉัน|เรา)\s*(?:แจ้ง|ร้องเรียน|ร้องทุกข์)\s*(?:ไป|ไว้|มา|เรื่อง)"
    r"|(?:แจ้ง|ร้องเรียน)\s*(?:ไป|ไว้)\s*(?:แล้ว|ตั้งแต่|เมื่อ|นาน|หลาย|ตั้ง)|เรื่องที่(?:แจ้ง|ร้องเรียน)|เรื่องเดิม"
)
_ASKING = re.compile(
    r"ยัง(?:ไม่)?|ไหม|มั้ย|ม๊ย|เมื่อไ(?:หร่|ร)|ถึงไหน|อย่างไร|ยังไง|ไงบ้าง|บ้าง|\?|หรือเปล่า|รึเปล่า|เป็นไง|ล่ะ|สักที|ซะที"
)
_NEW_MATTER = re.compile(
    r"(?<!ไม่ใช่)(?<!ไม่ใช่ )(?:อีก\s*(?:หนึ่ง|1)?\s*เรื่อง|เรื่องใหม่|เรื่องอื่น|คนละเรื่อง|แยกเรื่อง|อีก\s*ปัญหา|ปัญหาใหม่"
    r"|ปัญหาอื่น|แจ้งเพิ่มอีก|ขอแจ้งอีก|แจ้งใหม่|เคสใหม่|ไม่ใช่เรื่องเดิม|ไม่เกี่ยวกับเรื่อง(?:เดิม|ที่แจ้ง|ก่อน))"
)
_CONTINUES = re.compile(
    r"(?<!ไม่ใช่)(?<!ไม่ใช่ )(?:เรื่องเดิม|ที่แจ้งไป(?:เมื่อ(?:กี้|กี๊|กี้นี้|สักครู่|ครู่|เช้า|วาน))|เพิ่มเติม(?:จาก|เรื่อง|ข้อมูล|รูป)"
    r"|ข้อมูลเพิ่มเติม|ส่งรูปเพิ่ม|รูปเพิ่ม|ภาพเพิ่ม|ต่อจาก(?:เรื่อง|ที่)|ตามที่แจ้ง|จุดเดิม|ที่เดิม|เรื่องเมื่อ(?:กี้|วาน))"
)
_PROBLEM_BACK = re.compile(
    r"ยัง\s*ไม่\s*(?:ได้\s*)?(?:รับการ)?\s*(?:แก้|ซ่อม|เก็บ|ดำเนินการ|เรียบร้อย|เสร็จ|หาย|ดีขึ้น|มีใครมา|มีคนมา|มีเจ้าหน้าที่มา|มา(?:ดู|ซ่อม|แก้|เก็บ|ทำ))"
    r"|ไม่ได้\s*รับการแก้ไข|ไม่ได้แก้(?:ไข)?(?:อะไร)?(?:เลย|ให้)"
    r"|กลับมา\s*(?:เป็น|เสีย|ดับ|พัง|ท่วม|รั่ว|ตัน|เหม็น|ดัง|ล้น|มืด)?\s*(?:อีก|ใหม่)"
    r"|(?:เป็น|เสีย|ดับ|พัง|ท่วม|รั่ว|ตัน|เหม็น|ดัง|ล้น|แตก|หัก)\s*(?:อีก\s*แล้ว|อีกรอบ|อีกครั้ง|ซ้ำ)"
    r"|(?:ซ่อม|แก้)\S{0,20}?(?:เสีย|ดับ|พัง|รั่ว|ตัน|แตก|หัก)\s*อีก(?!\s*(?:เรื่อง|ที่|จุด|แห่ง))"
    r"|(?:เป็น|มี)\s*หลุม\s*(?:อีก\s*แล้ว|อีกรอบ|อีกครั้ง|ใหม่)"
    r"|ยัง\s*(?:คง)?\s*(?:ดับ|พัง|เสีย|รั่ว|ท่วม|ตัน|เหม็น|ส่งเสียงดัง|ดังอยู่|มืด|ล้น|เป็นหลุม|ไม่ติด|ไม่ไหล|ไม่มา|ไม่มีใครมา|ไม่มีคนมา|อยู่ที่เดิม)"
    r"|ยัง\s*เหมือนเดิม|เหมือนเดิม\s*(?:เลย|ทุกอย่าง|ไม่มีอะไรเปลี่ยน)|ก็\s*เหมือนเดิม|ไม่ดีขึ้น|ไม่เปลี่ยนแปลง"
    r"|แก้\s*ไม่\s*(?:หาย|ตรงจุด|เสร็จ)|(?:ซ่อม|ทำ)\s*ไม่\s*เสร็จ|(?:ซ่อม|แก้)แล้ว\s*(?:ก็)?\s*(?:เสีย|พัง|ดับ|รั่ว)"
    r"|ปิดเรื่อง\s*(?:ทั้งที่|แต่|ได้ยังไง|ทำไม)"
)
_CLOSING = re.compile(
    r"ขอบคุณ|ขอบใจ|ขอบพระคุณ|thank\s*(?:s|you|u)|thx|tks|\bty\b|โอเค|โอเคร|\bok(?:ay)?\b|\bเค\b|รับทราบ|ทราบแล้ว"
    r"|เข้าใจแล้ว|ได้เลย|เรียบร้อย|ดีมาก|เยี่ยม|สุดยอด|ชื่นใจ|ปลื้ม|ซึ้งใจ|ประทับใจ|ดีใจ|ขอบคุณค่ะ|ขอบคุณครับ"
    r"|^(?:ครับ|ค่ะ|คะ|คับ|ค่า|จ้า|จ้ะ|ครับผม|ได้ครับ|ได้ค่ะ|ได้คะ|ได้จ้า|ok)$",
    re.IGNORECASE,
)
_THANKS = re.compile(r"ขอบคุณ|ขอบใจ|ขอบพระคุณ|thank|thx|ขอบคุง", re.IGNORECASE)
# Words that may surround a thank-you without making it a new request.
_FILLER = frozenset(
    "ครับ ค่ะ คะ คับ ค่า จ้า จ้ะ จ๊ะ ครับผม นะ นะคะ นะครับ น่ะ มาก มากๆ ๆ เลย แล้ว ที่ ช่วย แก้ไข แก้ ดำเนินการ ให้ รวดเร็ว "
    "เร็ว เร็วมาก ทุก ท่าน ทุกท่าน คน ทุกคน เจ้าหน้าที่ พี่ๆ พี่ น้อง ทาง เทศบาล ทต อบต . ด้วย สำหรับ การ บริการ ดี "
    "ข้อมูล คำตอบ ตอบ ทราบ จริงๆ จริง หลาย ได้ ซ่อม เก็บ มา ทำ งาน ไว ไวมาก ค่ะๆ ครับๆ สุดๆ กับ และ ดีใจ ใจ เป็น อย่าง "
    "ยิ่ง ๆ ขอให้ สบาย สุขภาพ แข็งแรง ดูแล เป็นอย่างดี อย่างดี ประชาชน พวก เรา ผม ดิฉัน หนู คุณ ok okay แก้ปัญหา ปัญหา "
    "เรียบร้อย ทั้งหมด ทีม สำนักงาน อีกครั้ง ครั้ง นี้ ค่า จ้าา โอเค เยี่ยม สุดยอด ประทับใจ".split()
)
_NEGATIVE_EMOJI = frozenset("😡😠👎😢😭😤🤬💢😞😒🙄😩😫☹😟😔😣😖😑😐🤔😓😰😱")


@dataclass(frozen=True)
class Reading:
    """What a citizen's message says about their cases, beside what the classifier says about its subject."""

    tickets: tuple[str, ...] = ()
    asks_status: bool = False
    new_matter: bool = False
    continues: bool = False
    closing: bool = False
    problem_back: bool = False
    emoji_only: bool = False
    thanks: bool = False  # thanks in the message, maybe with more words ("ขอบคุณมากค่ะ ไฟติดแล้ว")

    @property
    def kind(self) -> str:
        """The strongest cue: problem_back, new_matter, status, continues, closing, or "" for none."""
        if self.problem_back:
            return "problem_back"
        if self.new_matter:
            return "new_matter"
        if self.asks_status or self.tickets:
            return "status"
        if self.continues:
            return "continues"
        return "closing" if self.closing else ""


def _is_symbol(ch: str) -> bool:
    """Emoji, symbols, punctuation, joiners and spaces: characters that say no words."""
    return unicodedata.category(ch)[0] in "SPZ" or ch in "\u200d\ufe0f\ufe0e" or unicodedata.category(ch) == "Mn" and ord(ch) > 0x0E7F


def _only_filler(rest: str) -> bool:
    """True when what is left of a message after its closing words says nothing new."""
    words = [w for w in tokenize(rest) if not all(_is_symbol(c) for c in w)]
    return all(w in _FILLER or w.isdigit() and len(w) <= 1 for w in words)


def read_message(text: str, *, kind: str = "text", prefix: str = DEFAULT_PREFIX,
                 default_year_be: int | None = None) -> Reading:
    """Read the cues in one citizen message (kind is the message kind: text, sticker, image, location...)."""
    if kind == "sticker":
        return Reading(closing=True, emoji_only=True)
    raw = str(text or "")
    tickets = tuple(m.ticket for m in find_tickets(raw, prefix=prefix, default_year_be=default_year_be))
    norm = normalize(raw)
    if not norm:
        return Reading(tickets=tickets)
    if all(_is_symbol(c) for c in norm):
        displeased = any(c in _NEGATIVE_EMOJI for c in norm)
        return Reading(tickets=tickets, closing=not displeased, emoji_only=True)
    prior = _PRIOR_REPORT.search(norm)
    problem_back = bool(_PROBLEM_BACK.search(norm))
    asks_status = bool(_STATUS.search(norm)) or bool(prior and _ASKING.search(norm, prior.end()))
    new_matter = bool(_NEW_MATTER.search(norm))
    continues = bool(_CONTINUES.search(norm)) and not new_matter
    closing = False
    if not (problem_back or asks_status or new_matter or tickets) and _CLOSING.search(norm):
        closing = _only_filler(_CLOSING.sub(" ", norm))
    thanks = bool(_THANKS.search(norm)) and not (problem_back or asks_status or new_matter)
    return Reading(tickets=tickets, asks_status=asks_status, new_matter=new_matter, continues=continues,
                   closing=closing, problem_back=problem_back, thanks=thanks)
