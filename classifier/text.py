"""Thai text utilities: normalisation, tokenisation, topics and personal-data masking (all offline)."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Iterable, Sequence

from pythainlp.corpus import thai_stopwords
from pythainlp.tokenize import word_tokenize
from pythainlp.util import normalize as _thai_normalize

MAX_CHARS = 2000  # longer texts are cut before feature extraction (masking still sees everything)

PHONE_TOKEN = "[เบอร์โทร]"
CITIZEN_ID_TOKEN = "[เลขบัตรประชาชน]"
EMAIL_TOKEN = "[อีเมล]"
PLATE_TOKEN = "[ทะเบียนรถ]"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")
_WS_RE = re.compile(r"\s+")
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[@-_]")
_LAUGH_RE = re.compile(r"5{3,}")
_REPEAT_RE = re.compile(r"(\D)\1{2,}")
_MARKS = "\u0E31\u0E34-\u0E3A\u0E47-\u0E4E"
# Only texts with odd Thai mark sequences need PyThaiNLP's (slow) normaliser; everything else is already normal.
_NEEDS_THAI_NORMALIZE = re.compile(
    "[\u0E48-\u0E4B][\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]|([\u0E30-\u0E4E])\\1|[\u0E31\u0E34-\u0E3A][\u0E31\u0E34-\u0E3A\u0E47]"
    f"|\u0E40\u0E40|\u0E4D|\u0E45|(?:^|\\s)[{_MARKS}]|[\u0E30\u0E32\u0E33\u0E40-\u0E44][{_MARKS}]|[\u0E48-\u0E4C][\u0E48-\u0E4C]"
)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _clean_controls(text: str) -> str:
    """Replace control and zero-width characters with spaces."""
    return _CONTROL_RE.sub(" ", text)


def normalize(text: str) -> str:
    """Normalise Thai text: NFC, Thai vowel/tone order, Thai digits, repeats, case, whitespace, controls."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)[: MAX_CHARS * 2])
    text = _clean_controls(_ANSI_RE.sub(" ", text))
    if _NEEDS_THAI_NORMALIZE.search(text):
        text = _thai_normalize(text)
    text = text.translate(_THAI_DIGITS).lower()
    text = _URL_RE.sub(" url ", text)
    text = _LAUGH_RE.sub("555", text)
    text = _REPEAT_RE.sub(r"\1", text)
    text = _WS_RE.sub(" ", text).strip()
    return text[:MAX_CHARS]


def engine_available(engine: str) -> bool:
    """True when a PyThaiNLP word-tokenizer engine can run offline here (newmm always can)."""
    return engine == "newmm" or (engine == "nlpo3" and importlib.util.find_spec("nlpo3") is not None)


def default_engine() -> str:
    """PyThaiNLP's Rust newmm (nlpo3, ~10x faster) when installed, else the pure-Python newmm."""
    return "nlpo3" if engine_available("nlpo3") else "newmm"


@lru_cache(maxsize=50_000)
def _tokenize_cached(text: str, engine: str = "newmm") -> tuple[str, ...]:
    """Tokenise already-normalised text with a PyThaiNLP newmm engine and its bundled dictionary (cached)."""
    return tuple(t for t in word_tokenize(text, engine=engine, keep_whitespace=False) if t.strip())


def tokenize(text: str, engine: str | None = None) -> list[str]:
    """Normalise and tokenise Thai text into words (newmm dictionary, offline)."""
    norm = normalize(text)
    if not norm:
        return []
    return list(_tokenize_cached(norm, engine or default_engine()))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Thai stop words (PyThaiNLP bundled list) plus polite particles and chat noise."""
    extra = {
        "ครับ", "ค่ะ", "คะ", "คับ", "ค่า", "จ้า", "จ้ะ", "นะ", "น่ะ", "ครับผม", "จ๊ะ", "ฮะ", "อ่ะ", "อะ", "เลย",
        "หน่อย", "ด้วย", "แล้ว", "ๆ", "url", "555", "นะคะ", "นะครับ", "คับผม", "ค่ะๆ", "ที", "กัน", "ไป", "มา",
        "ได้", "ให้", "ว่า", "ขอ", "ช่วย", "มี", "เป็น", "อยู่", "จะ", "ก็", "ไม่", "คือ", "the", "a", "an", "to",
        "of", "and", "is", "it", "in", "on", "for", "please", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด",
        "แปด", "เก้า", "สิบ", "วัน", "เดือน", "ปี", "ชั่วโมง", "นาที", "ครั้ง", "ตอนนี้", "วันนี้", "เมื่อวาน", "พรุ่งนี้",
        "ทุกวัน", "หลาย", "มาก", "มากๆ", "เลยครับ", "เลยค่ะ", "ยัง", "ทำไม", "ไหม", "มั้ย", "อย่างไร", "ยังไง",
        # words every citizen message uses: they would swamp the trends
        "ขอบคุณ", "ทราบ", "อยากทราบ", "สอบถาม", "แจ้ง", "เรื่อง", "ปัญหา", "ต้องการ", "อยาก", "ขอให้", "รบกวน",
        "are", "was", "were", "be", "been", "this", "that", "with", "at", "by", "from", "or", "not", "no", "yes",
        "off", "i", "you", "my", "we", "our", "your", "can", "will", "do", "does", "have", "has",
    }
    return frozenset(thai_stopwords()) | extra


_TOPIC_TOKEN_RE = re.compile(r"^[\u0E00-\u0E7Fa-z][\u0E00-\u0E7Fa-z0-9\-]*$")


def _is_topic_word(tok: str) -> bool:
    """True when a token is a content word worth counting as a topic."""
    if tok in stop_words() or not _TOPIC_TOKEN_RE.match(tok):
        return False
    if tok.startswith("[") or tok.isdigit():
        return False
    # Single Thai syllables of 1-2 characters are rarely meaningful topics.
    return len(tok) >= 2 and not (len(tok) == 2 and tok[1] in "ะาๆ")


def extract_topics(text_or_tokens: str | Sequence[str], k: int = 3) -> tuple[str, ...]:
    """Return up to k normalised content keywords (stop words removed), adjacent pairs joined into phrases."""
    tokens = tokenize(text_or_tokens) if isinstance(text_or_tokens, str) else [t.lower() for t in text_or_tokens]
    content = [t for t in tokens if _is_topic_word(t)]
    if not content or k <= 0:
        return ()
    counts: Counter[str] = Counter(content)
    # Longer words tend to be more specific (ท่อระบายน้ำ vs น้ำ); earlier words break ties.
    first_pos = {}
    for i, tok in enumerate(content):
        first_pos.setdefault(tok, i)
    ranked = sorted(counts, key=lambda t: (-counts[t], -min(len(t), 8), first_pos[t]))
    return tuple(ranked[:k])


# ---------------------------------------------------------------- masking

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# 13 digits, contiguous or grouped 1-4-5-2-1 with dashes/spaces.
_CID_RE = re.compile(r"(?<!\d)(\d[ \-]?\d{4}[ \-]?\d{5}[ \-]?\d{2}[ \-]?\d|\d{13})(?!\d)")
# Thai phone numbers: +66 / 66 / 0 prefix, mobile (0[689]x xxx xxxx), landline (0x xxx xxxx), hotlines 1xxx.
_PHONE_RE = re.compile(
    r"(?<![\d\w])(?:"
    r"(?:\+66|0066)[ \-]?\(?0?\)?[ \-]?[1-9](?:[ \-]?\d){7,8}"
    r"|0[689]\d[ \-]?\d{3}[ \-]?\d{4}"
    r"|0[689][ \-]?\d{4}[ \-]?\d{4}"
    r"|0[2-7][ \-]?\d{3}[ \-]?\d{3,4}"
    r"|0[2-7]\d[ \-]?\d{3}[ \-]?\d{3}"
    r"|0[ \-]\d{4}[ \-]\d{4}"
    r")(?!\d)"
)
# Thai licence plates: optional leading digit, 1-2 Thai consonants, optional space/dash, 1-4 digits.
_PLATE_RE = re.compile(r"(?<![\u0E00-\u0E7F\d])(\d?)([ก-ฮ]{1,2})[ \-]?(\d{1,4})(?![\d\u0E00-\u0E7F])")
_PLATE_NOT = frozenset(
    "คน ผม รถ ชม กม ซม มม กก ตร ลบ จบ ขน ทน รม นม ยม กบ งบ ตก ผล สด ปก ลม ถม คบ ชน พบ รบ หก หม ตม ยก มก ดม "
    "ขบ ลด นก คด รด ทบ วง ปม".split()
)


def citizen_id_valid(digits: str) -> bool:
    """True when a 13-digit Thai citizen id passes the mod-11 checksum."""
    d = [c for c in digits if c.isdigit()]
    if len(d) != 13:
        return False
    total = sum(int(d[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(d[12])


def _mask_cid(match: re.Match[str]) -> str:
    """Replace a checksum-valid citizen id, keep anything else."""
    return CITIZEN_ID_TOKEN if citizen_id_valid(match.group(0)) else match.group(0)


def _mask_plate(match: re.Match[str]) -> str:
    """Replace a licence plate unless the letters form a common Thai word followed by a small number."""
    prefix, letters, number = match.groups()
    if not prefix and (letters in _PLATE_NOT or (len(letters) == 1 and len(number) < 3)):
        return match.group(0)
    return PLATE_TOKEN


def mask_personal_data(text: str) -> str:
    """Replace emails, valid citizen ids, phone numbers and licence plates with placeholder tokens."""
    if not text:
        return ""
    text = str(text)
    text = _EMAIL_RE.sub(EMAIL_TOKEN, text)
    text = _CID_RE.sub(_mask_cid, text.translate(_THAI_DIGITS)) if any(c.isdigit() for c in text) else text
    text = _PHONE_RE.sub(PHONE_TOKEN, text)
    text = _PLATE_RE.sub(_mask_plate, text)
    return text


def batch(iterable: Iterable[str], size: int) -> Iterable[list[str]]:
    """Yield lists of at most size items."""
    chunk: list[str] = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
