"""Topics are phrases from masked text: no personal data, no lone stop words, places kept together."""

from __future__ import annotations

from classifier.text import stop_words
from classifier.topics import GENERIC, message_topics, phrases

PERSONAL = [
    "นางสาวมาลี ศรีสุข โทร 081-234-5678 ถนนหน้าบ้านพังเป็นหลุมใหญ่ อีเมล malee.s@example.com",
    "ผมนายสมชาย ใจดี เบอร์ 0812345678 แจ้งไฟถนนดับ ซอยสุขใจ 5",
    "คุณวิภา รักษ์ดี ไลน์ 089 999 1234 ขยะไม่มีคนมาเก็บ somchai@mail.co.th",
    "เรื่อง FS-2569-000123 ยังไม่ได้รับการแก้ไข ท่อระบายน้ำอุดตัน",
]
FORBIDDEN = ("มาลี", "ศรีสุข", "สมชาย", "ใจดี", "วิภา", "รักษ์ดี", "malee", "somchai", "081", "089", "fs-", "2569")


def test_topics_hold_no_personal_data() -> None:
    for text in PERSONAL:
        topics = message_topics(text)
        assert 1 <= len(topics) <= 3, (text, topics)
        joined = " ".join(topics).lower()
        for word in FORBIDDEN:
            assert word not in joined, (text, topics)


def test_no_single_stop_word_or_generic_topics() -> None:
    texts = [
        "ถนนหน้าบ้านพังครับ ช่วยซ่อมถนนด้วยนะครับ ไฟถนนก็ดับ", "ปัญหา: ไฟฟ้าส่องสว่างดับ\nจุดเกิดเหตุ: หมู่ 3",
        "แจ้งซ้ำครั้งที่ 3 ขยะล้นถังหน้าเซเว่น", "ขอบคุณค่ะ", "ครับ ค่ะ นะ", "", "ยุงเยอะมากกก ทั้งซอยเลย",
        "เมื่อคืนมอไซค์ล้ม 2 คัน คนเจ็บ",
    ]
    for text in texts:
        for topic in message_topics(text):
            assert topic not in stop_words() and topic not in GENERIC, (text, topic)
            assert len(topic) >= 3


def test_phrases_and_places() -> None:
    assert message_topics("ไฟถนนดับทั้งซอย ซอยสุขใจ 5") == ("ไฟถนนดับ", "ซอยสุขใจ 5")
    assert "น้ำประปาไม่ไหล" in message_topics("น้ำประปาไม่ไหลมา 3 วันแล้วค่ะ")
    assert "ถนนบางแสม" in message_topics("ฝาท่อหาย ถนนบางแสม")
    assert message_topics("") == () and message_topics("สวัสดีครับ") == ()


def test_phrases_across_messages() -> None:
    texts = ["ไฟถนนดับทั้งซอย ซอยสุขใจ 5", "ไฟถนนดับมาสองอาทิตย์", "ไฟถนนดับ ซอยสุขใจ 5 มืดมาก โทร 0812345678",
             "ขยะล้นถัง"]
    counted = dict(phrases(texts, min_count=2))
    assert counted["ไฟถนนดับ"] == 3 and counted["ซอยสุขใจ 5"] == 2
    assert "ขยะล้นถัง" not in counted  # below min_count
    assert all(count >= 2 for count in counted.values())
    assert phrases(texts, min_count=1, top=1) == [("ไฟถนนดับ", 3)]
