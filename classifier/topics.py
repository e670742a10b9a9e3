"""Topics as phrases: keyphrases over newmm tokens of the MASKED text, place names kept together.

Per message, `message_topics(text)` gives 1–3 phrases an analyst can read ("ไฟถนนดับ", "ท่อระบายน้ำอุดตัน",
"ซอยสุขใจ 5"). For many messages, `phrases(texts)` counts keyphrase candidates across them (the analytics
room's trending issues):

    from classifier.topics import phrases
    phrases(["ไฟถนนดับทั้งซอย ซอยสุขใจ 5", "ไฟถนนดับมาสองอาทิตย์"], min_count=2)
    # -> [("ไฟถนนดับ", 2)]

How: personal data is masked first (`mask_personal_data`) and ticket numbers removed; the text is normalised and
tokenised with newmm; tokens are split into chunks at Thai stop words, polite particles, numbers, punctuation
and mask placeholders ("ไม่" and "เป็น" may join two content words: "น้ำประปาไม่ไหล", "ถนนเป็นหลุม"). Chunks
of up to MAX_TOKENS tokens are the candidates, scored by how specific their words are in citizens' messages
(IDF of the trained model's vocabulary when
there is one, word length otherwise). A place head (ซอย, หมู่, ชุมชน, ถนน + a name, optional number) becomes one
phrase. A single token is a topic only when it is a specific content word of 3+ characters.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable
from typing import Iterable, Sequence

from .text import default_engine, mask_personal_data, normalize, stop_words, _tokenize_cached

MAX_TOKENS = 3
MAX_TOPICS = 3
JOINERS = frozenset({"ไม่", "เป็น"})
PLACE_HEADS = frozenset({"ซอย", "ซ.", "หมู่", "หมู่ที่", "หมู่บ้าน", "ชุมชน", "ถนน", "ถ.", "ตำบล", "ต.", "ตลาด", "แยก"})
# Words that follow ถนน/ตลาด as a problem, not as a name ("ถนนพัง" is an issue, "ถนนมิตรภาพ" a place).
PROBLEM_WORDS = frozenset(
    "พัง ชำรุด ทรุด แตก ร้าว ลื่น เป็น หลุม ดับ เสีย สกปรก ท่วม ไม่ ขาด รั่ว อุดตัน ตัน เหม็น มืด ขรุขระ สกปรก "
    "เละ โคลน ขยะ เต็ม ล้น เปลี่ยว ยุบ".split()
)
# Content-free words in citizens' messages: never a topic on their own, and they end a chunk.
GENERIC = frozenset(
    "จุด หมู่ บ้าน คน ที่ ทาง หน้า ข้าง หลัง ตรง แถว บริเวณ เจ้าหน้าที่ ชาวบ้าน เทศบาล ซอย พื้นที่ หน้าบ้าน ข้างบ้าน "
    "หลังบ้าน รายละเอียด จุดเกิดเหตุ สถานที่ พิกัด ประเภท หัวข้อ ที่ตั้ง ลักษณะ หมายเหตุ ผลกระทบ ประเด็น เรียน ถึง "
    "ครั้งที่ รอบ ซ้ำ แจ้งซ้ำ ทุกที ทุกครั้ง สัปดาห์ อาทิตย์ คืน เช้า เย็น กลางคืน กลางวัน เมื่อคืน ตั้งแต่ "
    "ดำเนินการ พิจารณา ความ การ อะไร ใคร ไหน เหมือนเดิม นาน แล้วก็ ชีวิต พี่ น้อง ลุง ป้า ยาย ตา แม่ พ่อ ลูก "
    "คัน ตัว ราย แห่ง ต้น เส้น อัน ชิ้น ด่วน ที ทีครับ หนอ เด้อ เจ้า หนิ นิ จังหู้ หลาย คัก แท้ ขนาด แน่ ตะ นึง หนึ่ง ปล่อย สวัสดี ขอบคุณ โทร ติดต่อ "
    "please check asap report service".split()
)
_TICKET_RE = re.compile(r"\bfs\s?-?\s?\d{2,4}\s?-?\s?\d{1,6}\b", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(r"\[[^\]]{1,30}\]")
_THAI_OR_LATIN = re.compile(r"^[\u0E01-\u0E4Ea-z][\u0E01-\u0E4Ea-z.\-]*$")
_NUMBER = re.compile(r"^\d+(?:/\d+)?$")


def _is_content(tok: str) -> bool:
    """A token that can be part of a topic phrase."""
    return bool(_THAI_OR_LATIN.match(tok)) and tok not in stop_words() and tok not in GENERIC and len(tok) >= 2


def _length_weight(tok: str) -> float:
    """Specificity without corpus statistics: longer words say more (ท่อระบายน้ำ vs ท่อ)."""
    return 1.0 + min(len(tok), 8) / 4.0


def _join(tokens: Sequence[str]) -> str:
    """Join tokens as Thai is written: no space between Thai words, one space around numbers and Latin words."""
    out = ""
    for tok in tokens:
        thai = "\u0E00" <= tok[0] <= "\u0E7F"
        prev_thai = bool(out) and "\u0E00" <= out[-1] <= "\u0E7F"
        out += tok if (not out or (thai and prev_thai)) else " " + tok
    return out


def prepare_tokens(text: str, *, masked: bool = False, engine: str | None = None) -> list[str]:
    """Tokens of a message for topics: masked (unless already), ticket numbers and placeholders removed."""
    clean = text if masked else mask_personal_data(text or "")
    clean = _PLACEHOLDER_RE.sub(" , ", _TICKET_RE.sub(" , ", clean))
    norm = normalize(clean)
    return list(_tokenize_cached(norm, engine or default_engine())) if norm else []


TITLES = frozenset(
    "นาย นาง นางสาว น.ส. คุณ ด.ช. ด.ญ. เด็กชาย เด็กหญิง mr mr. mrs mrs. ms ms. miss dr dr. ผู้ใหญ่ กำนัน ลุง ป้า".split()
)
# Parts of Thai place names that are also stop words ("บางแสม", "ดอนเมือง", "หนองบัว").
PLACE_NAME_PARTS = frozenset("บาง นา ดอน โนน หนอง ท่า วัด ป่า ทุ่ง กลาง ใหม่ เก่า ใต้ เหนือ บน ล่าง ศรี สาม สี่ ห้า".split())
_NAME_BREAKS = frozenset("ที่ และ มี ไม่ เป็น ครับ ค่ะ คะ นะ แล้ว มา ไป ก็ ให้ ว่า ยัง จะ ได้ ของ กับ ตั้งแต่ หน้า ข้าง หลัง".split())


def _is_name_part(tok: str) -> bool:
    """A token that can continue a place name after its head."""
    if tok in PLACE_HEADS or tok in PROBLEM_WORDS or tok in _NAME_BREAKS or tok in GENERIC:
        return False
    return bool(_THAI_OR_LATIN.match(tok)) and (tok in PLACE_NAME_PARTS or tok not in stop_words())


def _places(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Token spans [start, end) of place names: a head, 1–2 name tokens, an optional number (or head + number)."""
    spans = []
    i = 0
    while i < len(tokens):
        village = tokens[i] == "บ้าน" and i + 1 < len(tokens) and tokens[i + 1] in PLACE_NAME_PARTS
        if tokens[i] in PLACE_HEADS or village:
            j = i + 1
            while j < len(tokens) and j - i <= 2 and _is_name_part(tokens[j]):
                j += 1
            names = j - i - 1
            if j < len(tokens) and _NUMBER.match(tokens[j]):
                j += 1
            if j - i >= 2 and (names or tokens[i] in {"ซอย", "ซ.", "หมู่", "หมู่ที่", "ถนน", "ถ.", "แยก"}):
                spans.append((i, j))
                i = j
                continue
        i += 1
    return spans


def _personal_names(tokens: Sequence[str]) -> set[int]:
    """Token positions of a person's name after a title (นาย, นางสาว, คุณ, Mr…): never part of a topic."""
    skip: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok in TITLES:
            skip.update(range(i, min(i + 3, len(tokens))))
    return skip


def _chunks(tokens: Sequence[str], skip: set[int]) -> list[list[str]]:
    """Runs of content tokens (joiners allowed inside), outside place spans and names."""
    chunks: list[list[str]] = []
    run: list[str] = []
    for i, tok in enumerate(tokens):
        if i not in skip and (_is_content(tok) or (tok in JOINERS and run)):
            run.append(tok)
            continue
        if run:
            chunks.append(run)
        run = []
    if run:
        chunks.append(run)
    trimmed = []
    for chunk in chunks:
        while chunk and chunk[-1] in JOINERS:
            chunk = chunk[:-1]
        if chunk:
            trimmed.append(chunk)
    return trimmed


def _windows(chunk: Sequence[str], max_tokens: int) -> list[tuple[str, ...]]:
    """Candidate phrases of one chunk: the chunk itself when short, else every window of max_tokens tokens."""
    if len(chunk) <= max_tokens:
        return [tuple(chunk)]
    out = []
    for i in range(len(chunk) - max_tokens + 1):
        window = tuple(chunk[i : i + max_tokens])
        if window[0] not in JOINERS and window[-1] not in JOINERS:
            out.append(window)
    return out


def _score(window: Sequence[str], weight: Callable[[str], float]) -> float:
    """Specificity of a candidate phrase: summed weights (IDF) of its content words."""
    return sum(weight(t) for t in window if t not in JOINERS)


def _single_ok(tok: str) -> bool:
    """A lone token is a topic only when it is a specific content word of 3+ characters."""
    return len(tok) >= 3 and _is_content(tok) and tok not in PLACE_HEADS


def candidates(
    tokens: Sequence[str],
    *,
    max_tokens: int = MAX_TOKENS,
    weight: Callable[[str], float] | None = None,
    best_per_chunk: bool = True,
) -> tuple[list[tuple[str, float]], list[str]]:
    """(issue phrases with scores, best first; place phrases) of one tokenised message.

    best_per_chunk keeps only the best window of a long chunk (per-message topics); False keeps every window
    (counting across messages).
    """
    weight = weight or _length_weight
    spans = _places(tokens)
    places: list[str] = []
    for a, b in spans:
        phrase = _join(tokens[a:b])
        if phrase not in places:
            places.append(phrase)
    skip = {i for a, b in spans for i in range(a, b)} | _personal_names(tokens)
    scored: dict[str, float] = {}
    for chunk in _chunks(tokens, skip):
        windows = [w for w in _windows(chunk, max_tokens) if len(w) > 1 or _single_ok(w[0])]
        if best_per_chunk and windows:
            windows = [max(windows, key=lambda w: _score(w, weight))]
        for window in windows:
            phrase = _join(window)
            scored[phrase] = max(scored.get(phrase, 0.0), _score(window, weight))
    return sorted(scored.items(), key=lambda kv: -kv[1]), places


def topics_from_tokens(
    tokens: Sequence[str], k: int = MAX_TOPICS, *, weight: Callable[[str], float] | None = None
) -> tuple[str, ...]:
    """Up to k phrases for one message's topic tokens (see prepare_tokens): best issue phrases, then a place.

    A single-word phrase is kept only when the message has no multi-word issue phrase to say it better.
    """
    issues, places = candidates(tokens, weight=weight)
    multi = [(p, v) for p, v in issues if " " in p or len(_tokenize_cached(p, default_engine())) > 1]
    pool = multi or issues[:1]
    chosen: list[str] = []
    for phrase, _value in pool:
        if len(chosen) >= max(k - (1 if places else 0), 1):
            break
        if not any(phrase in c or c in phrase for c in chosen):
            chosen.append(phrase)
    for place in places:
        if len(chosen) < k and place not in chosen:
            chosen.append(place)
    return tuple(chosen[:k])


def message_topics(
    text: str, k: int = MAX_TOPICS, *, masked: bool = False, weight: Callable[[str], float] | None = None
) -> tuple[str, ...]:
    """1–3 topic phrases of one message (personal data masked first unless masked=True)."""
    return topics_from_tokens(prepare_tokens(text, masked=masked), k, weight=weight)


def phrases(
    texts: Iterable[str],
    *,
    top: int = 50,
    min_count: int = 2,
    max_tokens: int = MAX_TOKENS,
    masked: bool = False,
) -> list[tuple[str, int]]:
    """Keyphrase candidates across many messages with the number of messages containing each, most frequent first.

    Issue phrases and place names both count. A phrase contained in a longer phrase with the same count is left
    out (only "ไฟถนนดับ", not also "ไฟถนน"). Texts are masked first unless masked=True.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        tokens = prepare_tokens(text, masked=masked)
        issues, places = candidates(tokens, max_tokens=max_tokens, best_per_chunk=False)
        counts.update({p for p, _ in issues} | set(places))
    frequent = [(p, c) for p, c in counts.items() if c >= min_count]
    closed = [
        (p, c) for p, c in frequent if not any(q != p and p in q and cq == c for q, cq in frequent)
    ]
    closed.sort(key=lambda pc: (-pc[1], -len(pc[0]), pc[0]))
    return closed[:top]
