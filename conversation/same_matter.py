"""Whether a new message from a citizen with an open case continues that case, or is a different matter.

attach: add it to the case (photos, locations, thanks, "เรื่องเดิม", the same subject);
ask:    ask the citizen with quick replies (another subject, another unit or intent, "อีกเรื่อง"/"เรื่องใหม่");
new:    open a new case without asking (clearly another unit's subject, nothing in common with the case).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agency.vocabulary import CASE_INTENTS, INTENT_NAMES
from classifier.text import stop_words, tokenize
from conversation.tickets import Reading, read_message

ALWAYS_ATTACH_KINDS = frozenset({"image", "video", "audio", "file", "location"})
# Words of place and position that say where, not what (ซอย 5, หน้าบ้าน, ตรงนั้น).
PLACE_WORDS = frozenset("ซอย หมู่ บ้าน หน้า หน้าบ้าน ตรง ตรงนั้น ปาก ปากซอย ใกล้ ข้าง ข้างบ้าน หลัง ที่ นั้น นี้ แถว".split())
# e5 cosine similarity between the case's opening message and the new one (see tests/conversation/test_same_matter.py).
# Measured on realistic pairs (tests/conversation/test_same_matter.py): follow-ups 0.85-0.93, other subjects
# 0.79-0.90, so similarity alone decides only at the top; units, intents and shared topic words do the rest.
SIMILAR = 0.89
DIFFERENT = 0.84
CONFIDENT_UNIT = 0.6


@dataclass(frozen=True)
class OpenCase:
    """What is known of the citizen's open case: its intent, unit, topics, and its opening message's embedding."""

    intent: str
    unit: str
    topics: tuple[str, ...] = ()
    embedding: Sequence[float] | None = None


@dataclass(frozen=True)
class NewMessage:
    """The citizen's new message and what the classifier said about it (text messages only)."""

    kind: str
    text: str = ""
    intent: str | None = None
    unit: str | None = None
    unit_confidence: float = 0.0
    topics: tuple[str, ...] = ()
    embedding: Sequence[float] | None = None


@dataclass(frozen=True)
class SameMatter:
    """attach | ask | new, why (in Thai: officers read it in the case history), and the embedding similarity when known."""

    decision: str
    reason: str
    similarity: float | None = None


def _similarity(a: Sequence[float] | None, b: Sequence[float] | None) -> float | None:
    """Cosine similarity of two embeddings, or None when either is missing."""
    if a is None or b is None:
        return None
    va, vb = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    if va.shape != vb.shape or not va.size:
        return None
    denominator = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb) / denominator if denominator else None


def _topic_words(topics: Sequence[str]) -> set[str]:
    """The content words of topic phrases, without places, numbers and stop words."""
    words = set()
    for phrase in topics:
        for word in tokenize(phrase):
            if len(word) >= 2 and not word.isdigit() and word not in PLACE_WORDS and word not in stop_words():
                words.add(word)
    return words


def _shared_topics(case_topics: Sequence[str], message_topics: Sequence[str]) -> tuple[str, ...]:
    """Content words the case's topics and the message's topics share (ขยะ in ขยะ and ขยะกองเต็ม)."""
    return tuple(sorted(_topic_words(case_topics) & _topic_words(message_topics)))


NEW_ACCOUNT_CHARS = 45  # a message this long with two topics of its own tells a matter, not a detail


def _tells_a_matter(message: NewMessage) -> bool:
    """True when the message is a full account of its own (long, with at least two topics), not a short detail."""
    return len(message.text.strip()) >= NEW_ACCOUNT_CHARS and len(message.topics) >= 2


def same_matter(*, case: OpenCase, message: NewMessage, reading: Reading | None = None,
                triage_unit: str = "triage") -> SameMatter:
    """Decide whether the message continues the open case (attach), needs the citizen's word (ask), or is new."""
    if message.kind in ALWAYS_ATTACH_KINDS:
        return SameMatter("attach", "รูปภาพ ตำแหน่ง หรือไฟล์เพิ่มเติมของเรื่องเดิม")
    reading = reading or read_message(message.text, kind=message.kind)
    if message.kind == "sticker" or reading.closing or reading.emoji_only:
        return SameMatter("attach", "คำขอบคุณหรือสติกเกอร์")
    if reading.new_matter:
        return SameMatter("ask", "ประชาชนบอกว่าเป็นอีกเรื่องหนึ่ง")
    if reading.continues or reading.problem_back or reading.asks_status or reading.tickets:
        return SameMatter("attach", "ประชาชนอ้างถึงเรื่องเดิม")
    similarity = _similarity(case.embedding, message.embedding)
    shared = _shared_topics(case.topics, message.topics)
    if message.intent not in CASE_INTENTS:
        return SameMatter("attach", "ไม่มีคำขอใหม่ เป็นรายละเอียดของเรื่องเดิม", similarity)
    if similarity is not None and similarity >= SIMILAR:
        return SameMatter("attach", "เนื้อหาใกล้เคียงกับเรื่องเดิม", similarity)
    if shared and (similarity is None or similarity >= DIFFERENT):
        return SameMatter("attach", f"หัวข้อเดียวกัน: {', '.join(shared)}", similarity)
    other_unit = message.unit not in (None, case.unit, triage_unit)
    if other_unit and message.unit_confidence >= CONFIDENT_UNIT and not shared:
        return SameMatter("new", "เป็นเรื่องของหน่วยงานอื่นอย่างชัดเจน", similarity)
    if other_unit:
        return SameMatter("ask", "อาจเป็นเรื่องของหน่วยงานอื่น", similarity)
    if message.intent != case.intent:
        return SameMatter("ask", f"ประเภทเรื่องต่างกัน ({INTENT_NAMES.get(message.intent, message.intent)} / เรื่องเดิม: {INTENT_NAMES.get(case.intent, case.intent)})", similarity)
    if similarity is not None and similarity < DIFFERENT:
        return SameMatter("ask", "หน่วยงานเดียวกัน แต่เนื้อหาต่างจากเรื่องเดิม", similarity)
    if similarity is not None and similarity < SIMILAR and not shared and _tells_a_matter(message) \
            and not any(word in message.text for word in _topic_words(case.topics)):
        # one unit handles many matters: a full new account with its own topics, none shared, is not sure enough
        return SameMatter("ask", "หน่วยงานเดียวกัน แต่คนละหัวข้อกับเรื่องเดิม", similarity)
    return SameMatter("attach", "หน่วยงานและประเภทเรื่องเดียวกับเรื่องเดิม", similarity)
