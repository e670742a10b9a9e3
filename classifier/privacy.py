"""Personal data (PDPA): find and mask names, phones, citizen ids, emails, LINE ids, house numbers and plates.

One function, `mask_personal_data`, serves every analyst view, export and topic. `find_personal_data` gives the
spans it masks as `(start, end, kind)` in the caller's text. Digits may be Thai (๐-๙) or full-width (０-９) and
separators may hide zero-width characters: matching runs on a same-length "shadow" of the text (digits and
full-width Latin folded to ASCII), with invisible characters removed and their offsets mapped back.
Places (ซอย, หมู่, ถนน, ตำบล...), dates, amounts, hotlines (1111, 1669) and ticket numbers are kept.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

NAME_TOKEN = "[ชื่อ]"
PHONE_TOKEN = "[เบอร์โทร]"
CITIZEN_ID_TOKEN = "[เลขบัตรประชาชน]"
EMAIL_TOKEN = "[อีเมล]"
LINE_ID_TOKEN = "[ไลน์ไอดี]"
HOUSE_NUMBER_TOKEN = "[บ้านเลขที่]"
PLATE_TOKEN = "[ทะเบียนรถ]"
BANK_ACCOUNT_TOKEN = "[เลขบัญชี]"

# Kinds in order of precedence when two findings cover the same characters.
TOKENS: dict[str, str] = {
    "email": EMAIL_TOKEN,
    "citizen_id": CITIZEN_ID_TOKEN,
    "bank_account": BANK_ACCOUNT_TOKEN,
    "phone": PHONE_TOKEN,
    "line_id": LINE_ID_TOKEN,
    "plate": PLATE_TOKEN,
    "house_number": HOUSE_NUMBER_TOKEN,
    "name": NAME_TOKEN,
}
KINDS = tuple(TOKENS)
_RANK = {kind: i for i, kind in enumerate(KINDS)}

Span = tuple[int, int, str]

# ---------------------------------------------------------------- shadow text

_FOLD = {ord(t): ord(a) for t, a in zip("๐๑๒๓๔๕๖๗๘๙", "0123456789", strict=True)}
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
_FOLD.update({c: ord(" ") for c in (0x00A0, 0x3000, 0x202F, 0x205F, *range(0x2000, 0x200B))})
_FOLD.update({c: ord("-") for c in (*range(0x2010, 0x2016), 0x2212, 0xFE58, 0xFE63)})
_INVISIBLE = frozenset(
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
)
_INVISIBLE_RE = re.compile("[" + "".join(sorted(_INVISIBLE)) + "]")


def _shadow(text: str) -> tuple[str, list[int] | None]:
    """Fold digits and full-width forms to ASCII, drop invisible characters; the index map when any was dropped."""
    folded = text.translate(_FOLD)
    if not _INVISIBLE_RE.search(folded):
        return folded, None
    kept = [i for i, c in enumerate(folded) if c not in _INVISIBLE]
    return "".join(folded[i] for i in kept), kept


# ---------------------------------------------------------------- character classes and word lists

_TH = "\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e"  # Thai letters and marks (no digits, ๆ or ฯ)
_THAI_WORD_RE = re.compile(f"[{_TH}]+")
_THAI_TAIL_RE = re.compile(f"[{_TH}]*$")
_LONGEST_RUN = 64  # Thai letters read after a title: names are shorter, and long unspaced texts stay linear
# A word starts with a consonant (not one silenced by ์) or a leading vowel.
_WORD_START_RE = re.compile("[\u0e01-\u0e2e](?!\u0e4c)|[\u0e40-\u0e44]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_SPACES_RE = re.compile(r"[ \t]{0,2}")

# Words that end a name: particles, pronouns, verbs and nouns that usually follow a person's name in a message.
_AFTER_NAME = frozenset(
    """ครับ คับ ค่ะ คะ ค่า ค่ะๆ จ้า จ้ะ จ๊ะ นะ น่ะ นะคะ นะครับ ฮะ เลย ด้วย แล้ว ก็ ที่ ซึ่ง ว่า ได้ ให้ มา ไป จะ ไม่ ยัง
    เป็น อยู่ คือ กับ และ หรือ ของ แต่ เพราะ เมื่อ ตอน ตั้งแต่ บอก แจ้ง โทร ติดต่อ ขอ ช่วย เคย ทำ เอา ส่ง พา รับ ร้อง
    ร้องเรียน ฝาก ถาม สอบถาม ขาย ป่วย หาย ตาย เสีย โดน ถูก ไม่ได้ มาแจ้ง โทรมา ทัก ตอบ พูด เห็น รู้ ดู ช่วย
    บ้าน ข้าง หน้า หลัง ร้าน เขต ฝ่าย ซอย หมู่ ถนน ตำบล อำเภอ จังหวัด เบอร์ ไลน์ อีเมล อายุ ปี เจ้าหน้าที่ ที่อยู่
    ผู้ ผม ดิฉัน หนู เรา เขา เค้า มาก จริง จัง สุด กว่า ดี เก่ง น่ารัก โทรศัพท์ มือถือ ประสงค์ ต้องการ""".split()
)
_PARTICLES = frozenset("ครับ คับ ค่ะ คะ ค่า จ้า จ้ะ จ๊ะ นะ น่ะ นะคะ นะครับ ฮะ คร้าบ".split())
_INTENSIFIERS = frozenset("มาก จริง จัง สุด กว่า เลย มากๆ".split())
_SENTENCE_ENDS = tuple(_INTENSIFIERS | _PARTICLES)  # ดีมาก, ค่ะ: the words end a clause, not a family name
# Nouns that follow a title without being a name (พี่ชาย, คุณเจ้าหน้าที่, นายอำเภอ, นางพยาบาล).
_NOT_NAMES = frozenset(
    """ชาย สาว น้อง พี่ ป้า ลุง น้า ยาย ตา แม่ พ่อ ลูก หลาน เจ้าหน้าที่ ผู้ ท่าน ทุก ทั้ง หมา แมว หมู ไก่ เด็ก คน
    เขา เค้า อำเภอ ช่าง จ้าง หน้า ทะเบียน ทุน สิบ ร้อย พัน พล ตรวจ ด่าน ประกัน ท่า ห้าง งาน แพทย์ ทหาร ตำรวจ เรือ
    ธนาคาร พยาบาล ฟ้า งาม แบบ เอก รำ ละคร ร้าย เงือก กำนัล ค้า ผู้หญิง ผู้ชาย นาย นาง ครู หมอ
    ประชาชน ชาวบ้าน เจ้าของ ร้าน กลุ่ม ชุมชน ข้าราชการ พนักงาน ลูกค้า ประธาน สมาชิก คุณ ช่วย ชื่อ""".split()
)
# Common nicknames (not in PyThaiNLP's given-name lists), kept apart from words for animals and things.
_NICKNAMES = frozenset(
    """แดง ดำ น้อย หน่อย ต้อย ต้อม แอน บอย เอ บี ปู นก กุ้ง ต้น เอก ตุ๊ก ติ๋ม แป๋ว จุ๋ม นิด หนิง เล็ก โต้ง ต่าย อ้อย
    แจ๋ว ป้อม ก้อย ฝน มด เปิ้ล เบียร์ โอ๊ต บีม ปอ ปาล์ม มิ้น มายด์ แนน นุ่น ส้ม แพร เจน เก่ง เป้ เต้ ตั้ม ตูน เอ๋ แบงค์
    อุ้ม ออย แอม ฝ้าย จิ๋ว หมวย ตี๋ เปรี้ยว โบว์ กิ๊ฟ แตง โอ๋ ชัย นิ่ม จอย ปุ้ม หมิว พลอย เฟิร์น ตาล ปิง เจี๊ยบ แหม่ม
    ตุ่ม ไข่ หนุ่ม ศักดิ์ ชาติ ทอง บุญ ใหญ่ เบิร์ด กอล์ฟ ตั๊ก ตุ๋ย ปิ่น ปุ๊ก ขาว เขียว เพชร แก้ว เงิน พร""".split()
)

class _Lexicon(NamedTuple):
    """Word lists from PyThaiNLP's bundled corpora."""

    enders: frozenset[str]  # stop words and the words that usually follow a name
    given: frozenset[str]  # given names and common nicknames
    family: frozenset[str]  # family names
    dictionary: frozenset[str]  # every dictionary word
    common: frozenset[str]  # words frequent in ordinary Thai text (รัก, ตลาด), unlike most names (วิไล, ภาณุ)
    prefixes: frozenset[str]  # every beginning of a given or family name, to stop looking early


_COMMON_WORD_COUNT = 1000  # occurrences in the Thai National Corpus above which a word is an everyday word


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    """Load the word lists once."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names, thai_stopwords, thai_words
    from pythainlp.corpus.tnc import word_freqs

    enders = frozenset(thai_stopwords()) | _AFTER_NAME
    given = frozenset(
        n for n in thai_female_names() | thai_male_names() if len(n) > 2 and n not in enders and n not in _NOT_NAMES
    ) | _NICKNAMES
    family = frozenset(n for n in thai_family_names() if len(n) > 2 and n not in enders)
    common = frozenset(w for w, count in word_freqs() if count >= _COMMON_WORD_COUNT) | enders
    prefixes = frozenset(name[:n] for name in given | family for n in range(1, len(name) + 1))
    return _Lexicon(enders, given, family, frozenset(thai_words()), common, prefixes)


@lru_cache(maxsize=1)
def _segmenter() -> Callable[[str], list[str]]:
    """PyThaiNLP's newmm segmenter with its bundled dictionary (the Rust nlpo3 build when installed), offline."""
    if importlib.util.find_spec("nlpo3") is not None:
        from pythainlp.tokenize.nlpo3 import segment
    else:
        from pythainlp.tokenize.newmm import segment
    return segment


@lru_cache(maxsize=20_000)
def _words(text: str) -> tuple[str, ...]:
    """Thai words of a short text, whitespace dropped (cached)."""
    return tuple(w for w in _segmenter()(text) if not w.isspace())


def _first_word(text: str) -> str:
    """First dictionary word of a Thai run ('' when empty)."""
    words = _words(text[:40]) if text else ()
    return words[0] if words else ""


@lru_cache(maxsize=20_000)
def _boundaries(window: str) -> frozenset[int]:
    """Offsets in a short Thai window where one word ends and the next begins (cached)."""
    boundaries = {0, len(window)}
    offset = 0
    for word in _words(window):
        at = window.find(word, offset)
        if at < 0:
            break
        offset = at + len(word)
        boundaries.update((at, offset))
    return frozenset(boundaries)


def _is_whole_word(shadow: str, start: int, end: int) -> bool:
    """True when shadow[start:end] starts and ends on word boundaries of its Thai run (ตา in 'ตาสมหมาย', not 'ตาม')."""
    left = _THAI_TAIL_RE.search(shadow, max(0, start - 30), start).start()  # where the Thai run began (≤ 30 back)
    window = shadow[left : end + 30]  # what follows matters too: นายก|อบจ. is no นาย + a name
    boundaries = _boundaries(window)
    return start - left in boundaries and end - left in boundaries


# ---------------------------------------------------------------- patterns

_SEP = r"(?:[ \t]?[-.][ \t]?|[ \t]{1,2})?"
_MOBILE = (
    rf"(?:[689]\d{_SEP}\d{{3}}{_SEP}\d{{4}}|[689]{_SEP}\d{{4}}{_SEP}\d{{4}}"
    rf"|[689]\d\d{_SEP}\d{{3}}{_SEP}\d{{3}}|[689]\d{_SEP}\d{{4}}{_SEP}\d{{3}}|[689]\d{{3}}{_SEP}\d{{5}})"
)
_LANDLINE = rf"(?:[2-7]{_SEP}\d{{3}}{_SEP}\d{{4}}|[2-7]\d{{3}}{_SEP}\d{{4}}|[3-7]\d{_SEP}\d{{3}}{_SEP}\d{{3}})"
_PHONE_RE = re.compile(
    r"(?<![\d+])(?:"
    rf"0{_SEP}(?:{_MOBILE}|{_LANDLINE})"
    rf"|\([ \t]?0(?:[689]\d|[2-7]\d?)[ \t]?\)[ \t]?\d{{3}}{_SEP}\d{{3,4}}"
    rf"|(?:\+|00)?66{_SEP}(?:\([ \t]?0[ \t]?\){_SEP}|0{_SEP})?(?:{_MOBILE}|{_LANDLINE})"
    r")(?!\d)"
)
_CID_SEP = r"(?:[ \t]?[-.]?[ \t]?)"
_CITIZEN_ID_RE = re.compile(rf"(?<![\d])\d{_CID_SEP}\d{{4}}{_CID_SEP}\d{{5}}{_CID_SEP}\d\d{_CID_SEP}\d(?![\d])")
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*"
    r"(?:@|[ \t]?[(\[](?:at|แอท)[)\]][ \t]?)"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9\-])",
)
_LINE_RE = re.compile(
    r"(?=[ไแaAiIlL])(?:(?P<id>(?:ไลน์|ไลน|line)[ \t]?(?:ไอดี้?|id)|(?:ไอดี้?|id)[ \t]?(?:ไลน์|ไลน|line)"
    r"|แอด[ \t]?(?:ไลน์|ไลน|line)?|add[ \t]?(?:ไลน์|ไลน|line))"
    r"|(?P<bare>(?<![A-Za-z])(?:line|id)(?![A-Za-z])|ไลน์|ไลน|ไอดี))"
    r"(?<!ออนไลน์)(?<!ออนไลน)"
    r"[ \t]*(?:(?P<word>ผม|หนู|ดิฉัน|ฉัน|เรา|ค่ะ|ครับ|คือ|ชื่อ|มาที่|ได้ที่|ที่)|(?P<filler>[\u0e01-\u0e4e]{1,16}))?"
    r"[ \t]*(?P<colon>[:=])?[ \t]*"
    r"(?P<value>@?[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9_])?)(?![A-Za-z0-9._\-@])",
    re.IGNORECASE,
)
_LINE_NOT_IDS = frozenset("oa official app pay man notify group chat call today id line me us http https www".split())
_ID_LOOKING_RE = re.compile(r"[@_.\d]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_LINE_LINK_RE = re.compile(r"line\.me/(?:R/)?(?:ti/p|ti/g)/(?P<value>[~@%\w.\-]+)", re.IGNORECASE)
# Web addresses: ids, numbers and words inside them are no personal data (news/12345..., ?id=), except LINE links.
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.\-])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}/\S*", re.IGNORECASE
)

_PLATE_CORE = r"(?:\d{1,2}[ \t]?)?[ก-ฮ]{1,3}[ \t]?-?[ \t]?\d{1,4}|\d{2}[ \t]?-[ \t]?\d{4}"


@lru_cache(maxsize=1)
def _province_pattern() -> str:
    """Alternation of Thai province names (PyThaiNLP's bundled list) and the capital's short forms."""
    from pythainlp.corpus import provinces

    names = {p["name_th"] for p in provinces(details=True)} | {"กรุงเทพ", "กทม.", "กทม"}
    return "|".join(sorted(map(re.escape, names), key=len, reverse=True))


@lru_cache(maxsize=1)
def _plate_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(plate after the word ทะเบียน, plate standing alone) patterns, each with an optional province after it."""
    province = rf"(?:[ \t]{{0,2}}(?P<province>{_province_pattern()})(?![{_TH}]))?"
    after_word = re.compile(rf"ทะเบียน(?:รถ)?[ \t]*[:=]?[ \t]*(?P<plate>{_PLATE_CORE})(?![\d])" + province)
    alone = re.compile(
        rf"(?P<plate>(?:(?<![\d/])(?P<digit>\d))?(?<![{_TH}/])(?P<letters>[ก-ฮ]{{1,2}})"
        rf"[ \t]?-?[ \t]?(?P<number>\d{{1,4}})"
        rf"|(?<![\d/])\d{{2}}-\d{{4}})(?![\d{_TH}]|[./]\d)" + province
    )
    return after_word, alone


# Two-consonant Thai words that often stand before a number (คน 12, กม 5) and are not plates without more evidence.
_PLATE_WORDS = frozenset(
    """คน ผม รถ ชม กม ซม มม กก ตร ลบ จบ ขน ทน รม นม ยม กบ งบ ตก ผล สด ปก ลม ถม คบ ชน พบ รบ หก หม ตม ยก มก ดม ขบ
    ลด นก คด รด ทบ วง ปม กด จด ตบ ถก บด บน ปด มด รก สน หด หน อก อด อบ อม ยศ รส จง ทด ปน สม ตน กง คง ดง ลง ณ ข้อ
    มค กพ มีค มีนา เมย พค มิย กค สค กย ตค พย ธค พศ คศ คห ปวช ปวส""".split()
)
_UNITS = frozenset("มก กก ก กม ม ซม มม มล ล ตร ตรม ชม นท วิ".split())  # 5มก 2 เม็ด is a dose, not a plate

_HOUSE_RE = re.compile(
    r"(?P<trigger>บ้านเลขที่|บ้านเลข|เลขที่บ้าน|เลขที่|ที่อยู่(?:[ \t]?เลขที่)?|อยู่บ้าน|บ้าน|อยู่"
    r"|(?<![ก-ฮ])บ\.?[ \t]?ล\.?[ \t]?ท\.?|บ\.[ \t]?เลขที่|(?<![ก-ฮ.])ล\.[ \t]?ท\.)"
    r"[ \t]*[:=]?[ \t]*(?P<number>\d{1,5}(?:/\d{1,5})?(?:-\d{1,4})?)(?![\d/.,:]\d|[\d/%])"
    r"|(?<![\d/.,\-])(?P<bare>\d{1,5}/\d{1,5})(?![\d/])(?=[ \t]*(?:หมู่|ม\.|ซอย|ซ\.|ถนน|ถ\.|ตำบล|ต\.|แขวง))"
)
_BE_YEAR_END_RE = re.compile(r"/25\d\d$")  # 0123/2568 numbers a letter or an order, not a house
_PLACE_AHEAD_RE = re.compile(r"[ \t]*(?:หมู่|ม\.|ซอย|ซ\.|ถนน|ถ\.|ตำบล|ต\.|แขวง)")
_DOCUMENT_BEFORE_RE = re.compile(
    r"(?:หนังสือ|คำสั่ง|คำร้อง|ใบเสร็จ|ใบแจ้งหนี้|บัญชี|เรื่อง|ประกาศ|โฉนด|สัญญา|ใบอนุญาต|เอกสาร|บัตร|คิว|พัสดุ|ระเบียบ"
    r"|ทะเบียน|ใบ|ฉบับ|คดี|ห้อง)[ \t]*$"
)
_DATE_BEFORE_RE = re.compile(r"(?:วันที่|วัน|เมื่อ|ณ|ตั้งแต่|ถึง|ภายใน|ก่อน|หลัง)[ \t]*$")  # วันที่ 15/3 หมู่ 4: a date
_PLACE_BEFORE_RE = re.compile(r"(?:ซอย|ซ\.|ถนน|ถ\.|หมู่|ม\.|กม\.?|สาย|ชั้น|ห้อง|เฟส|ตึก|อาคาร)[^ \t]*[ \t]*$")

# Titles before a name. Formal ones are names for sure; the weak ones (คุณ, พี่, ป้า, ตา...) need the next word to
# look like a name (a known given name or nickname, or no everyday word).
_RANKS = (
    r"(?:ว่าที่[ \t]?)?(?:พล\.|พ\.|ร\.|ส\.|จ\.ส\.|พ\.จ\.|น\.|จ\.)(?:ต\.|ร\.|อ\.)?[อทต]\.|ด\.ต\.|พลฯ"
    # Two-letter abbreviations stand after a space or a non-Thai character (นสพ. is a newspaper, not สพ. + a name).
    r"|(?<![ก-ฮ])(?:ศ|รศ|ผศ|ดร|นพ|พญ|ทพ|ทพญ|ภก|ภญ|สพ)\.(?:[ \t]?(?:ดร|นพ|พญ)\.)?|น\.[ \t]?พ\.|พ\.[ \t]?ญ\."
)
_FORMAL = rf"นางสาว|นาง|นาย|เด็กชาย|เด็กหญิง|น\.[ \t]?ส\.|นส\.|ด\.[ \t]?ช\.|ด\.[ \t]?ญ\.|ดช\.|ดญ\.|{_RANKS}"
_WEAK = (
    r"คุณ(?:หมอ|ครู|ป้า|ลุง|ยาย|ตา|น้า|พี่|น้อง)?|พี่|ป้า|ลุง|น้า|ยาย|ตา|น้อง|ปู่|ย่า|เจ๊|เฮีย|หมอ|ครู|อาจารย์|อ\."
    r"|ทนาย(?:ความ)?|กำนัน|ผู้ใหญ่(?:บ้าน)?|ผญบ\.|ผอ\.|ปลัด|จ่า|ประธาน|เจ้(?!า)"
)
_NAME_WORD = (
    r"ชื่อ[ \t]?-?[ \t]?(?:นาม)?สกุล|ชื่อจริง|ชื่อเล่น|ชื่อ|ลงชื่อ|แจ้งโดย|ผู้แจ้ง|ผู้ร้อง(?:เรียน)?|ผู้ติดต่อ|ผู้ป่วย|ผู้เสียหาย"
)
_ENGLISH = r"(?<![A-Za-z])(?:[Mm]rs?|[Mm]s|[Mm]iss|[Mm]ister|[Dd]r|[Kk]hun|[Pp]rof)\b\.?|(?<![A-Za-z])K\.|[Mm]y name is"
_PRONOUN = r"ผม|ดิฉัน|กระผม|ข้าพเจ้า"
# First letters of every trigger above: a cheap look-ahead spares the engine trying each alternative everywhere.
_TRIGGER_FIRST = "นดเพรสจวศผทภMmDdKkPpชลแคปยตหอกข"
_NAME_TRIGGER_RE = re.compile(
    rf"(?=[{_TRIGGER_FIRST}])(?:(?P<formal>{_FORMAL})|(?P<english>{_ENGLISH})|(?P<word>{_NAME_WORD})"
    rf"|(?P<weak>{_WEAK})|(?P<pronoun>{_PRONOUN}))"
)
_TITLE_AT_RE = re.compile(rf"(?P<formal>{_FORMAL})|(?P<word>{_NAME_WORD})|(?P<weak>{_WEAK})")
_PERSON_BEFORE_RE = re.compile(
    r"(?:ผม|ดิฉัน|ฉัน|หนู|เรา|กระผม|ข้าพเจ้า|พี่|น้อง|ลูก|ลูกสาว|ลูกชาย|แม่|พ่อ|หลาน|สามี|ภรรยา|เพื่อน|เพื่อนบ้าน"
    r"|ผู้ป่วย|ผู้แจ้ง|ผู้ร้อง|เจ้าหน้าที่|คน|เขา|เค้า|ตัวเอง|ยาย|ตา|ป้า|ลุง)[ \t]?$"
)
_EN_NOT_NAMES = frozenset(
    """a an the at from in on of for and or to is was am are be very so not no please pls thank thanks thai at
    with by i you he she it we they this that my your his her our their sir madam""".split()
)
_COLON_RE = re.compile(r"[ \t]*[:=][ \t]*")
_PHONE_AFTER_RE = re.compile(r"[ \t]{0,3}(?:โทร\.?|เบอร์|tel\.?)?[ \t:]{0,3}0\d{1,2}[ \t\-.]?\d{3}[ \t\-.]?\d{3,4}(?!\d)")
_PAIR_RE = re.compile(rf"(?<![{_TH}])([{_TH}]{{3,20}})(?=[ \t]([{_TH}]{{3,25}})(?![{_TH}]))")  # pairs may overlap


# ---------------------------------------------------------------- names
#
# A trigger sets how much evidence the next word needs to count as a name:
#   "label"   ชื่อ-สกุล:, ผู้แจ้ง:, ผมชื่อ, ลูกสาวชื่อ — any word that is no particle or verb (ชื่อข้าวหอมค่ะ);
#   "formal"  นาย, นางสาว, ด.ญ., ร.ต.อ., Mr — a name is expected there, yet not an everyday word (นายตลาด);
#   "kin"     พี่, ป้า, ลุง, ยาย, น้อง, หมอ, กำนัน... — a known given name or nickname, or no everyday word;
#   "khun"    คุณ, which is also "you": as "kin", but a name that is also an everyday word (รัก, แดง) needs a
#             particle or a family name after it;
#   "named"   ชื่อ on its own (แม่ค้าชื่อ..., ใช้ชื่อพรรค): as "khun", and a space after it is usual;
#   "pronoun" ผม, ดิฉัน: only a known given name that is no dictionary word, or one followed by a family name.
# A space between a weak title and the word raises the bar one step (พี่ กำไรทุกวัน).
_STRICTER = {"label": -1, "formal": 0, "kin": 1, "named": 2, "khun": 2, "pronoun": 3}


def _known_prefix(word: str, names: frozenset[str], shortest: int) -> int:
    """Length of the longest prefix of `word` found in `names` and followed by a possible word start (0 when none)."""
    prefixes = _lexicon().prefixes
    longest = 0
    for n in range(1, min(len(word), 30) + 1):
        head = word[:n]
        if head not in prefixes:
            break
        if n >= shortest and head in names and (n == len(word) or _WORD_START_RE.match(word, n)):
            longest = n
    return longest


def _walk(words: tuple[str, ...], enders: frozenset[str]) -> int:
    """Length of the leading words up to the first word that ends a name (at most about 30 characters)."""
    end = 0
    for i, piece in enumerate(words):
        if (i and piece in enders) or end >= 30:
            break
        end += len(piece)
    return end


def _family_name_end(shadow: str, start: int, *, level: str) -> int | None:
    """End of the family name starting at `start` (after the given name and a space), or None."""
    enders, family = _lexicon().enders, _lexicon().family
    run = _THAI_WORD_RE.match(shadow, start, start + _LONGEST_RUN)
    if not run:
        return None
    word = run.group(0)
    known = _known_prefix(word, family, 3)
    if known == len(word):
        return start + known
    ends_clause = run.end() == len(shadow) or not shadow[run.end()].isalnum()
    if known:
        rest = _first_word(word[known:])
        if rest in _PARTICLES:
            return start + known
        if len(word) - known <= 4 and ends_clause:  # ปัญญาดี, ทองมา: the list knows only the first part
            return run.end()
        if rest in enders and rest not in _INTENSIFIERS:
            return start + known
    if _STRICTER[level] > 0:
        return None
    words = _words(word[:60])
    if not words or words[0] in enders or words[0] in _NOT_NAMES or len(words[0]) < 2:
        return None
    if any(w.endswith(_SENTENCE_ENDS) for w in words[1:]):
        return None  # นายสมชาย ช่วยเหลือดีมาก: the sentence goes on, no family name
    if len(word) <= 20 and ends_clause:
        return run.end()
    end = _walk(words, enders)
    return start + end if end >= 3 else None


def _given_name_end(shadow: str, start: int, *, level: str, spaced: bool) -> int | None:
    """End of the given name that starts at `start` (a Thai run), or None when the words there are not a name."""
    lexicon = _lexicon()
    run = _THAI_WORD_RE.match(shadow, start, start + _LONGEST_RUN)
    if not run or not _WORD_START_RE.match(shadow, start):
        return None  # น้าาาา: a drawn-out particle, not a title and a name
    word = run.group(0)
    if shadow.startswith(("ๆ", "."), run.end()) and _STRICTER[level] > 0:
        return None  # เล็กๆ is a size and รปภ. an abbreviation, not names
    strictness = _STRICTER[level] + (1 if spaced and level in ("kin", "khun") else 0)
    known = _known_prefix(word, lexicon.given, 2)
    after = _first_word(word[known:]) if known else ""
    if known < len(word) and after and (
        (after not in lexicon.enders and after not in lexicon.dictionary)  # สมศรีสุดา: more name follows
        or not _is_whole_word(shadow, start, start + known)  # ส้มตำ, เอกชน: one word, not a name
    ):
        known = 0
    if known:
        name, end = word[:known], start + known
        if name not in lexicon.common or name in _NICKNAMES:
            return end if strictness < 3 or name not in lexicon.dictionary or after in _PARTICLES else None
        if strictness <= 1 and (not after or after in lexicon.enders or after in _NOT_NAMES):
            return end  # นายแดงแจ้งว่า, ยายจันทร์ครับ; not นางรักษาสุขภาพ, หมอเลี้ยงยา
        gap = _SPACES_RE.match(shadow, end).end()
        family = gap > end and _family_name_end(shadow, gap, level="kin") is not None
        return end if family or (strictness == 2 and after in _PARTICLES) else None
    words = _words(word[:60])
    first = words[0] if words else ""
    if first and first not in lexicon.dictionary:  # สุ|นีย์: unknown pieces of one name
        first = "".join(itertools.takewhile(lambda w: w not in lexicon.dictionary, words))
    if first in lexicon.enders or first in _NOT_NAMES or len(first) < 2 or strictness >= 3:
        return None
    if strictness < 0:
        return start + _walk(words, lexicon.enders)
    if first in lexicon.common:
        return None
    if first in lexicon.dictionary and (strictness > 0 or spaced):  # ด.ญ.ปริยา, but not นาง ขายดี
        # คุณนภาค่ะ: a rare dictionary word right before a polite particle is a name; ยายปลิว, ชื่อคนตาย are not.
        polite = strictness == 2 and level == "khun" and len(words) > 1 and words[1] in _PARTICLES
        return start + len(first) if polite else None
    if first not in lexicon.dictionary and len(first) < 3 and strictness > 0:
        return None  # a lone syllable split off a longer word (หมอบอกว่า → บอ|กว่า)
    return start + _walk(words, lexicon.enders)


def _latin_name(shadow: str, start: int, *, level: str) -> tuple[int, int] | None:
    """Span of an English given name (and capitalised family name) at `start`."""
    first = _LATIN_WORD_RE.match(shadow, start)
    if not first or first.group(0).lower() in _EN_NOT_NAMES or len(first.group(0)) < 2:
        return None
    if _STRICTER[level] > 0 and not (first.group(0).istitle() and level != "pronoun"):
        return None  # after พี่/คุณ an English name is Capitalised (not SBC, not isuzu); ผมIsuzu is a car
    end = first.end()
    gap = _SPACES_RE.match(shadow, end)
    second = _LATIN_WORD_RE.match(shadow, gap.end()) if gap and gap.end() > end else None
    if second and second.group(0)[0].isupper() and second.group(0).lower() not in _EN_NOT_NAMES:
        end = second.end()
    return start, end


def _title_level(title: re.Match[str], shadow: str) -> str | None:
    """Evidence level a matched title or name word sets, or None when it is no title here (ตาม, ผู้ป่วยติดเตียง)."""
    kind, text = title.lastgroup, title.group(0)
    if kind != "english" and not _title_is_word(shadow, title.start(), title.end()):
        return None
    if kind in ("formal", "english"):
        return "formal"
    if kind == "pronoun":
        return "pronoun"
    if kind == "word":
        colon = _COLON_RE.match(shadow, title.end())
        labelled = colon or "สกุล" in text
        person = _PERSON_BEFORE_RE.search(shadow, max(0, title.start() - 12), title.start())
        if labelled or (text.startswith("ชื่อ") and person):
            return "label"
        return "named" if text.startswith("ชื่อ") else "kin"
    return "khun" if text == "คุณ" else "kin"


def _name_after(shadow: str, pos: int, *, level: str) -> tuple[int, int] | None:
    """Span of the person's name that follows a title or name word ending at `pos`."""
    spaced = False
    for _ in range(3):  # title chains: คุณหมอ, ศ.ดร., ผู้ป่วยชื่อ นาย...
        colon = _COLON_RE.match(shadow, pos)
        after = colon.end() if colon else _SPACES_RE.match(shadow, pos).end()
        spaced = after > pos
        title = _TITLE_AT_RE.match(shadow, after)
        chained = _title_level(title, shadow) if title else None
        if chained is None:
            pos = after
            break
        level = min(level, chained, key=_STRICTER.__getitem__)
        pos = title.end()
    if pos < len(shadow) and shadow[pos].isascii() and shadow[pos].isalpha():
        return _latin_name(shadow, pos, level=level)
    given_end = _given_name_end(shadow, pos, level=level, spaced=spaced)
    if given_end is None:
        return None
    gap = _SPACES_RE.match(shadow, given_end).end()
    if gap > given_end:
        family_end = _family_name_end(shadow, gap, level=level)
        if family_end is not None:
            return pos, family_end
    return pos, given_end


def _title_is_word(shadow: str, start: int, end: int) -> bool:
    """True when a title or name word stands as a word of its own, not inside a longer word or name (ตาม, อารีย์)."""
    if not _THAI_WORD_RE.fullmatch(shadow, start, end):
        return True  # abbreviations with dots, hyphenated form labels
    if not _is_whole_word(shadow, start, end):
        return False
    given, family = _lexicon().given, _lexicon().family
    run = _THAI_WORD_RE.match(shadow, start, start + _LONGEST_RUN)
    word = run.group(0) if run else ""
    return _known_prefix(word, given, end - start + 1) == 0 and _known_prefix(word, family, end - start + 1) == 0


_LATIN_WORDS_FILE = Path(__file__).resolve().parent / "data" / "privacy" / "latin_words.txt"
# Two capitalised Latin words, neither an everyday or brand word: a name in English letters ("Somchai Jaidee").
_LATIN_PAIR_RE = re.compile(r"(?<![A-Za-z0-9@._/\-])([A-Z][a-z]{2,15})[ \t]([A-Z][a-z]{2,20})(?![A-Za-z0-9@._\-])")


@lru_cache(maxsize=1)
def _latin_words() -> frozenset[str]:
    """Everyday and brand words in Latin letters (data/privacy/latin_words.txt), lower case."""
    lines = _LATIN_WORDS_FILE.read_text(encoding="utf-8").splitlines() if _LATIN_WORDS_FILE.is_file() else []
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#")) | _EN_NOT_NAMES | _EN_PLACES


# Thai place words in English letters (Wat Phra Si, Soi Sukjai, Khlong Toei): places, kept for the analysts.
_EN_PLACES = frozenset(
    """wat phra soi thanon moo khet khwaeng tambon amphoe changwat mueang muang ban baan nong khlong klong bang tha
    talat rama road rd street lane alley village mansion condo tower plaza market temple school hospital park
    bridge station city district province office hotel building""".split()
)
_PLACEHOLDER_RE = re.compile("|".join(re.escape(t) for t in TOKENS.values()))


def _find_latin_names(shadow: str) -> Iterator[tuple[int, int]]:
    """Given + family name in English letters without a title, in a message written in Thai."""
    if not _THAI_WORD_RE.search(_PLACEHOLDER_RE.sub("", shadow)):
        return  # an English sentence: its capitalised words are no evidence of a name
    common = _latin_words()
    for m in _LATIN_PAIR_RE.finditer(shadow):
        if m.group(1).lower() not in common and m.group(2).lower() not in common:
            yield m.span()


# ---------------------------------------------------------------- PyThaiNLP's Thai NER (CRF, bundled model)
#
# PyThaiNLP ships the ThaiNER 1.5.1 CRF model file; its own loader asks the corpus catalogue for it (a download)
# and its POS tagger for that model (blackboard) is not bundled either. So the model file is opened here and the
# bundled UD perceptron tagger's tags are mapped to the LST20 tags the model was trained with. It is used where
# patterns stop: the family name after a name they found ("คุณสมชาย ลบข้อมูลดี", a surname of everyday words).
_NER_MODEL = "thainer_crf_1_5_1.model"
_UD_TO_LST20 = {"NOUN": "NN", "PROPN": "NN", "VERB": "VV", "PUNCT": "PU", "NUM": "NU", "ADJ": "AJ", "ADV": "AV",
                "AUX": "AX", "CCONJ": "CC", "SCONJ": "CC", "ADP": "PS", "PRON": "PR", "PART": "PA", "DET": "AJ",
                "INTJ": "IJ", "SYM": "PU", "X": "XX"}
_NER_WINDOW = 80  # characters given to the tagger around a name
_FAMILY_NAME_MAX = 16  # letters: a longer run after a name is the sentence going on, not a family name


@lru_cache(maxsize=1)
def _ner_tagger() -> Callable[[str], list[tuple[str, str]]] | None:
    """(token, IOB tag) tagging with PyThaiNLP's bundled ThaiNER CRF model, offline; None when it cannot load."""
    try:
        import pycrfsuite
        import pythainlp.corpus
        from pythainlp.tag import pos_tag
        from pythainlp.tag.thainer import ThaiNameTagger

        path = Path(pythainlp.corpus.__file__).resolve().parent / _NER_MODEL
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
    except (ImportError, OSError):
        return None

    def tag(text: str) -> list[tuple[str, str]]:
        tokens = list(_segmenter()(text))
        tagged = [(w, "PU" if w.isspace() else _UD_TO_LST20.get(t, "NN"))
                  for w, t in pos_tag(tokens, engine="perceptron", corpus="orchid_ud")]
        return list(zip(tokens, tagger.tag(ThaiNameTagger._extract_features(tagged))))

    return tag


_NER_CALLS_PER_TEXT = 6  # a text full of titles ("นายนายนาย…") must not run the tagger at every one


def _ner_family_name_end(shadow: str, start: int, end: int) -> int | None:
    """Where the person the NER model reads at shadow[start:end] ends, when it goes on past a space into the next
    Thai word run (a family name the patterns could not tell from ordinary words); None otherwise."""
    gap = _SPACES_RE.match(shadow, end).end()
    run = _THAI_WORD_RE.match(shadow, gap, gap + _LONGEST_RUN)
    tag = _ner_tagger() if gap > end and run else None
    if tag is None:
        return None
    left = max(0, start - 20)
    position, person_end = left, None
    for token, label in tag(shadow[left : min(len(shadow), run.end() + _NER_WINDOW)]):
        token_end = position + len(token)
        if position >= run.end():
            break
        if position >= gap:
            if label != "I-PERSON":
                break
            person_end = token_end
        position = token_end
    if person_end is None or person_end - gap < 2:
        return None
    ends_word = run.end() == len(shadow) or not shadow[run.end()].isalnum()
    if person_end == run.end() and ends_word and run.end() - gap <= _FAMILY_NAME_MAX:
        return run.end()  # the whole next word is the person's: a family name (มีทรัพย์, ลบข้อมูลดี)
    if 2 * (person_end - gap) >= run.end() - gap and _first_word(shadow[gap : run.end()]) not in _lexicon().enders:
        return run.end() if ends_word and run.end() - gap <= _FAMILY_NAME_MAX else person_end
    return None


def _ner_person_after_title(shadow: str, title_start: int, title_end: int) -> tuple[int, int] | None:
    """The name after a formal title (นาย, นาง, นางสาว…) that the NER model reads as one person with the title,
    when the patterns found none (นางบัวผัน: a given name that is also a dictionary word)."""
    run = _THAI_WORD_RE.match(shadow, _SPACES_RE.match(shadow, title_end).end(), title_end + _LONGEST_RUN)
    tag = _ner_tagger() if run else None
    if tag is None:
        return None
    position, end = title_start, None
    for token, label in tag(shadow[title_start : min(len(shadow), run.end() + _NER_WINDOW)]):
        token_end = position + len(token)
        if position >= title_end:
            if label != "I-PERSON" or position >= run.end():
                break
            end = token_end
        elif label not in ("B-PERSON", "I-PERSON"):
            return None
        position = token_end
    if end is None or end - run.start() < 2 or _first_word(shadow[run.start() : run.end()]) in _lexicon().enders:
        return None
    end = max(end, _family_name_end(shadow, _SPACES_RE.match(shadow, end).end(), level="formal") or end)
    return run.start(), end


_ELONGATED_RE = re.compile(r"(.)\1\1")


def _weak_title_word(shadow: str, title_end: int) -> re.Match[str] | None:
    """The word after a kinship or role title worth asking the NER model about: one Thai word, no dictionary or
    everyday word, not the tail of a stretched one (น้าาาา) or chat (แซ่บบบ); None otherwise (the cheap checks)."""
    start = _SPACES_RE.match(shadow, title_end).end()
    run = _THAI_WORD_RE.match(shadow, start, start + _LONGEST_RUN)
    if not run or run.end() - start > _FAMILY_NAME_MAX or (run.end() < len(shadow) and shadow[run.end()].isalnum()):
        return None
    word, lexicon = run.group(0), _lexicon()
    if (len(word) < 3 or word in lexicon.dictionary or word in lexicon.common or not _WORD_START_RE.match(word)
            or _ELONGATED_RE.search(word)):
        return None
    return run


def _ner_person_after_weak_title(shadow: str, title_start: int, title_end: int) -> tuple[int, int] | None:
    """The word after a kinship or role title (ประธาน, ป้า, เจ๊...) when the NER model reads all of it as a person
    and it is no dictionary or everyday word (ประธาน สุพงค์: a name spelt outside PyThaiNLP's name lists).

    The cue is the title: over whole reports the model calls road names and phrases persons too (236 PERSON
    tags in the 876 Traffy reports, most of them no one), so it is asked only here."""
    run = _weak_title_word(shadow, title_end)
    tag = _ner_tagger() if run else None
    if tag is None:
        return None
    start, lexicon = run.start(), _lexicon()
    position, end, words = title_start, None, []
    for token, label in tag(shadow[title_start : min(len(shadow), run.end() + _NER_WINDOW)]):
        token_end = position + len(token)
        if position >= run.end():
            break
        if position < title_end < token_end:
            return None  # the title is part of a longer word here (ตา|มกฎหมาย is ตาม|กฎหมาย)
        if position >= start:
            if label not in ("B-PERSON", "I-PERSON") or token in lexicon.enders:
                return None  # a particle or a verb (รอรถอยู่คับ): a clause, not a name
            end = token_end
            words.append(token)
        position = token_end
    if end is None or end < run.end() or all(w in lexicon.dictionary for w in words):
        return None  # ordinary words only (ติดเตียง, หูไม่ค่อยดี): no name
    return start, run.end()


def _is_given_name_only(shadow: str, span: tuple[int, int]) -> bool:
    """True when a Thai name found after a title is one word followed by a space and more Thai words."""
    start, end = span
    return (_THAI_WORD_RE.fullmatch(shadow, start, end) is not None and end < len(shadow)
            and shadow[end] in " \t" and _THAI_WORD_RE.match(shadow, _SPACES_RE.match(shadow, end).end()) is not None)


def _find_names(shadow: str) -> Iterator[tuple[int, int]]:
    """Names after titles (นาย, คุณ, ป้า, ร.ต.อ., Mr...), after ชื่อ/ผู้แจ้ง, and known given + family name pairs."""
    last_end = 0
    # The tagger's budget per kind of question: chatty kinship titles (พี่ ป้า น้อง …) never use up the formal titles'
    ner_calls = {"formal": 0, "kin": 0, "family": 0}
    for m in _NAME_TRIGGER_RE.finditer(shadow):
        if m.start() < last_end:
            continue
        level = _title_level(m, shadow)
        span = _name_after(shadow, m.end(), level=level) if level else None
        if span is None and level == "formal" and m.lastgroup == "formal" and ner_calls["formal"] < _NER_CALLS_PER_TEXT:
            ner_calls["formal"] += 1
            span = _ner_person_after_title(shadow, m.start(), m.end())
        elif span is None and level == "kin" and m.lastgroup == "weak" and ner_calls["kin"] < _NER_CALLS_PER_TEXT \
                and _weak_title_word(shadow, m.end()) is not None:  # only a question the tagger is asked counts
            ner_calls["kin"] += 1
            span = _ner_person_after_weak_title(shadow, m.start(), m.end())
        if span:
            if level != "pronoun" and ner_calls["family"] < _NER_CALLS_PER_TEXT and _is_given_name_only(shadow, span):
                ner_calls["family"] += 1
                family_end = _ner_family_name_end(shadow, span[0], span[1])
                span = (span[0], family_end) if family_end else span
            last_end = span[1]
            yield span
    yield from _find_latin_names(shadow)
    given, family = _lexicon().given, _lexicon().family
    for m in _PAIR_RE.finditer(shadow):
        if m.group(1) in given and m.group(1) not in _NICKNAMES and (
            m.group(2) in family or _PHONE_AFTER_RE.match(shadow, m.end(1) + 1 + len(m.group(2)))
        ):
            yield m.start(1), m.end(1) + 1 + len(m.group(2))  # a signature: given + family name, then a phone


# ---------------------------------------------------------------- other kinds


def _find_phones(shadow: str) -> Iterator[tuple[int, int]]:
    """Thai mobile and landline numbers in every common shape, national or +66."""
    for m in _PHONE_RE.finditer(shadow):
        yield m.span()


def _find_citizen_ids(shadow: str) -> Iterator[tuple[int, int]]:
    """13-digit id-shaped numbers, contiguous or grouped 1-4-5-2-1, whatever their checksum."""
    for m in _CITIZEN_ID_RE.finditer(shadow):
        if len(set(m.group(0)) - set(" \t-.")) > 1:  # 5555555555555 is laughter
            yield m.span()


def _find_emails(shadow: str) -> Iterator[tuple[int, int]]:
    """E-mail addresses, also written with (at)."""
    for m in _EMAIL_RE.finditer(shadow):
        yield m.span()


def _find_line_ids(shadow: str) -> Iterator[tuple[int, int]]:
    """LINE ids after ไลน์ไอดี / line id / ไอดีไลน์ / แอดไลน์ / Line: (a bare ไลน์ needs an id-looking value)."""
    for m in _LINE_RE.finditer(shadow):
        value = m.group("value")
        if value.lower().lstrip("@") in _LINE_NOT_IDS:
            continue
        if m.group("bare") and (m.group("filler") or not (m.group("colon") or _ID_LOOKING_RE.search(value))):
            continue  # ไลน์ OA, แลกไลน์กันวันพุธที่ 10: no id there
        if m.group("filler") and not (_ID_LOOKING_RE.search(value) and _LATIN_RE.search(value)):
            continue  # ไอดีไลน์ต้นนะครับ ton_1999 is an id; แอดไลน์มาได้เลยค่ะ Thanks is not
        yield m.span("value")


def _find_plates(shadow: str) -> Iterator[tuple[int, int]]:
    """Thai licence plates (กข 1234, 1กก 2345, 70-5544) with their province when written after them."""
    after_word, alone = _plate_res()
    for m in after_word.finditer(shadow):
        yield m.start("plate"), m.end("province") if m.group("province") else m.end("plate")
    for m in alone.finditer(shadow):
        province = m.group("province")
        if not province:
            if m.group("letters") is None:
                continue
            letters = m.group("letters")
            if (letters in _UNITS and len(m.group("number")) < 3) or (not m.group("digit") and (
                letters in _PLATE_WORDS
                or letters in _lexicon().dictionary
                or (len(letters) == 1 and len(m.group("number")) < 3)
            )):
                continue  # คน 12, รอ 2 เดือน, 21 กพ 2009: a word before a number
        yield m.start("plate"), m.end("province") if province else m.end("plate")


def _find_house_numbers(shadow: str) -> Iterator[tuple[int, int]]:
    """House numbers after บ้านเลขที่/เลขที่/ที่อยู่, or N/N before หมู่/ซอย/ถนน; the place words are kept."""
    for m in _HOUSE_RE.finditer(shadow):
        if m.group("bare"):
            before = max(0, m.start() - 20), m.start()
            if not (_PLACE_BEFORE_RE.search(shadow, *before) or _DATE_BEFORE_RE.search(shadow, *before)):
                yield m.span("bare")
            continue
        trigger, number = m.group("trigger"), m.group("number")
        if trigger in ("บ้าน", "อยู่", "อยู่บ้าน") and "/" not in number and not _PLACE_AHEAD_RE.match(shadow, m.end()):
            continue
        if trigger == "เลขที่" and (
            _DOCUMENT_BEFORE_RE.search(shadow, max(0, m.start() - 12), m.start())
            or _BE_YEAR_END_RE.search(number)
        ):
            continue
        yield m.span("number")


# Digits spelt in Thai words ("ศูนย์แปดหนึ่ง สองสามสี่ ห้าหกเจ็ดแปด"), mixed with written digits or not.
_DIGIT_WORDS = {"ศูนย์": "0", "สูญ": "0", "หนึ่ง": "1", "เอ็ด": "1", "สอง": "2", "โท": "2", "สาม": "3", "สี่": "4",
                "ห้า": "5", "หก": "6", "เจ็ด": "7", "แปด": "8", "เก้า": "9"}
_DIGIT_WORD = "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True))
_SPELT_SEP = r"[ \t\-.,]{0,2}"
_SPELT_NUMBER_RE = re.compile(rf"(?:(?:{_DIGIT_WORD}|\d)(?![่้๊๋]){_SPELT_SEP})+(?:{_DIGIT_WORD}|\d)(?![่้๊๋])")
_SPELT_DIGIT_RE = re.compile(rf"{_DIGIT_WORD}|\d")
_MIN_SPELT_DIGITS = 9  # fewer are prices, dates or counts ("สามสี่วัน"), not a number that identifies someone

# Bank accounts: 10-12 digits after บัญชี / เลขบัญชี / บช. / account (a bank's name may stand between), or the
# banks' printed shape 123-4-56789-0 anywhere.
_ACCOUNT_WORD_RE = re.compile(
    r"(?:เลข(?:ที่)?[ \t]?)?บัญชี|บ/ช|บช\.?|(?<![A-Za-z])(?:acc(?:oun)?t?\.?(?:[ \t]?no\.?)?|a/c)(?![A-Za-z])",
    re.IGNORECASE)
_ACCOUNT_NUMBER_RE = re.compile(r"(?<![\d\-])\d(?:[ \t\-.]?\d){9,11}(?![\d]|-\d)")
_ACCOUNT_SHAPE_RE = re.compile(r"(?<![\d\-])\d{3}-\d-\d{5}-\d(?![\d]|-\d)")
_ACCOUNT_GAP = 40  # characters between the word and the number (bank name, ธ.กสิกรไทย, สาขา...)


def _find_spelt_numbers(shadow: str) -> Iterator[tuple[int, int, str]]:
    """Phone numbers, citizen ids and accounts spelt in Thai number words, alone or mixed with digits."""
    for m in _SPELT_NUMBER_RE.finditer(shadow):
        digits = "".join(_DIGIT_WORDS.get(w, w) for w in _SPELT_DIGIT_RE.findall(m.group(0)))
        if len(digits) < _MIN_SPELT_DIGITS or not any(w in m.group(0) for w in _DIGIT_WORDS):
            continue
        before = shadow[max(0, m.start() - _ACCOUNT_GAP) : m.start()]
        if len(digits) == 13:
            yield m.start(), m.end(), "citizen_id"
        elif _ACCOUNT_WORD_RE.search(before):
            yield m.start(), m.end(), "bank_account"
        else:
            yield m.start(), m.end(), "phone"


def _find_bank_accounts(shadow: str) -> Iterator[tuple[int, int]]:
    """Account numbers after an account word, and numbers in the banks' 3-1-5-1 shape."""
    for m in _ACCOUNT_SHAPE_RE.finditer(shadow):
        yield m.span()
    for word in _ACCOUNT_WORD_RE.finditer(shadow):
        number = _ACCOUNT_NUMBER_RE.search(shadow, word.end(), word.end() + _ACCOUNT_GAP + 16)
        if number and "\n" not in shadow[word.end() : number.start()]:
            yield number.span()


_FINDERS: tuple[tuple[str, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    ("email", _find_emails),
    ("citizen_id", _find_citizen_ids),
    ("bank_account", _find_bank_accounts),
    ("phone", _find_phones),
    ("line_id", _find_line_ids),
    ("plate", _find_plates),
    ("house_number", _find_house_numbers),
    ("name", _find_names),
)


def _merge(spans: list[Span]) -> list[Span]:
    """Union overlapping findings; the widest finding (then the higher-precedence kind) names the union."""
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0]), _RANK[s[2]]))
    merged: list[Span] = []
    for start, end, kind in spans:
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            if end > last_end:
                widest = kind if end - start > last_end - last_start else last_kind
                merged[-1] = (last_start, end, widest)
            continue
        merged.append((start, end, kind))
    return merged


_DIGIT_RE = re.compile(r"\d")
_KINDS_IN_URLS = frozenset({"email", "phone"})


def find_personal_data(text: str) -> list[Span]:
    """Personal-data spans `(start, end, kind)` in `text`, sorted and non-overlapping; kinds are those of TOKENS."""
    if not text:
        return []
    shadow, kept = _shadow(str(text))
    found: list[Span] = []
    has_digit = _DIGIT_RE.search(shadow) is not None
    for kind, finder in _FINDERS:
        if not has_digit and kind in ("citizen_id", "bank_account", "phone", "plate", "house_number"):
            continue
        found.extend((start, end, kind) for start, end in finder(shadow) if end > start)
    found.extend(_find_spelt_numbers(shadow))
    if "/" in shadow:
        urls = [m.span() for m in _URL_RE.finditer(shadow)]
        found = [f for f in found if f[2] in _KINDS_IN_URLS or not any(s <= f[0] and f[1] <= e for s, e in urls)]
        found.extend((m.start("value"), m.end("value"), "line_id") for m in _LINE_LINK_RE.finditer(shadow))
    spans = _merge(found)
    if kept is None:
        return spans
    return [(kept[start], kept[end - 1] + 1, kind) for start, end, kind in spans]


def warm_up() -> None:
    """Load the word lists and the NER model now (about a second) rather than on the first message with a name."""
    _lexicon()
    _plate_res()
    _segmenter()("คุณสมชาย")
    tag = _ner_tagger()
    if tag is not None:
        tag("คุณสมชาย ใจดี")  # also loads the POS tagger the NER features come from


def mask_personal_data(text: str) -> str:
    """Replace names, phones, 13-digit ids, emails, LINE ids, house numbers and plates with Thai placeholder tokens."""
    if not text:
        return ""
    text = str(text)
    parts: list[str] = []
    last = 0
    for start, end, kind in find_personal_data(text):
        parts.append(text[last:start])
        parts.append(TOKENS[kind])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def citizen_id_valid(digits: str) -> bool:
    """True when a 13-digit Thai citizen id passes the mod-11 checksum (masking does not depend on it)."""
    d = [c for c in str(digits).translate(_FOLD) if c.isdigit()]
    if len(d) != 13:
        return False
    total = sum(int(d[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(d[12])
