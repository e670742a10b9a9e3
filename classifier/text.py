"""Thai text utilities: normalisation, tokenisation, stop words and personal-data masking (all offline)."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from pythainlp.corpus import thai_stopwords
from pythainlp.tokenize import word_tokenize
from pythainlp.util import normalize as _thai_normalize

from classifier.thaiscript import THAI_DIGITS

MAX_CHARS = 2000  # longer texts are cut before feature extraction (masking still sees everything)

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
    text = text.translate(THAI_DIGITS).lower()
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


# ---------------------------------------------------------------- masking
# Personal-data masking lives in classifier.privacy (one function for every analyst view, export and topic);
# re-exported here for the modules that import it from classifier.text.
from classifier.privacy import (  # noqa: E402
    CITIZEN_ID_TOKEN,
    EMAIL_TOKEN,
    PHONE_TOKEN,
    PLATE_TOKEN,
    citizen_id_valid,
    mask_personal_data,
)


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
