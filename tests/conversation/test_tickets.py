"""Ticket numbers and cues in citizen text, as citizens really write them."""
from __future__ import annotations

import pytest

from conversation.tickets import canonical_ticket, find_tickets, read_message


def tickets(text: str, **kwargs) -> list[str]:
    return [m.ticket for m in find_tickets(text, **kwargs)]


@pytest.mark.parametrize("text", [
    "FS-2569-000123",
    "fs-2569-000123",
    "fs2569000123",
    "FS2569000123",
    "FS 2569 123",
    "FS 2569 000123",
    "FS-2569-123",
    "FS.2569.000123",
    "FS/2569/123",
    "FS–2569–000123",                 # en dashes from a phone keyboard
    "FS‑2569‑000123",                 # non-breaking hyphens
    "2569-000123",
    "2569/000123",
    "2569-123",
    "๒๕๖๙-๐๐๐๑๒๓",
    "FS-๒๕๖๙-๐๐๐๑๒๓",
    "ＦＳ－２５６９－０００１２３",          # full-width
    "ｆｓ２５６９０００１２３",
    "เลขที่เรื่อง 123/2569",
    "เลขที่เรื่อง ๑๒๓/๒๕๖๙",
    "เลขที่ 123/2569",
    "เรื่องที่ 000123/2569",
    "เลขรับเรื่อง: 123/2569",
    "ticket FS-2569-000123",
    "เรื่อง FS-2569-000123 ถึงไหนแล้วครับ",
    "ติดตามเรื่องเลขที่ FS2569-000123 ค่ะ",
    "ขอติดตามเรื่อง 2569000123 ค่ะ",
    "เลขที่เรื่องFS-2569-000123นะคะ",
    "FS-2569-000123.",
    "(FS-2569-000123)",
    "FS\u200b-2569-000123",
])
def test_every_spelling_gives_the_canonical_ticket(text: str) -> None:
    assert tickets(text) == ["FS-2569-000123"]


@pytest.mark.parametrize("text", [
    "บ้านเลขที่ 123/2569 ถนนพังค่ะ",       # a house number, not a ticket
    "อยู่บ้านเลขที่ 99/2560 หมู่ 4",
    "โทร 081-234-5678 ค่ะ",
    "เบอร์ 02-569-0123",
    "งบประมาณปี 2569-2570",
    "ปีงบ 2568/2569",
    "นัดวันที่ 2569-01-15",
    "FS-2569",                          # unfinished
    "fs-2569-1234567",                  # seven digits: not ours
    "ถนนซอย 2569 พังครับ",
    "โอนเงินเข้าบัญชี 2569000123",        # ten digits without any mention of a case
    "ทะเบียนรถ กข 2569",
    "ราคา 2,569 บาท",
    "FS-2569-000000",
    "",
])
def test_numbers_that_are_not_tickets(text: str) -> None:
    assert tickets(text, default_year_be=2569) == []


def test_number_without_year_needs_this_year() -> None:
    assert tickets("FS-123") == []
    found = find_tickets("FS-123", default_year_be=2569)
    assert [m.ticket for m in found] == ["FS-2569-000123"] and found[0].year_assumed
    assert tickets("เลขที่เรื่อง 45 ค่ะ", default_year_be=2570) == ["FS-2570-000045"]
    assert tickets("เรื่องที่ 2 คือไฟดับค่ะ", default_year_be=2569) == []  # "the second thing", not a ticket
    assert not find_tickets("FS-2569-000123", default_year_be=2570)[0].year_assumed


def test_several_tickets_once_each_in_order() -> None:
    text = "เรื่อง FS-2569-000007 กับ fs2569000012 ค่ะ แล้วก็ FS-2569-000007 อีกที"
    assert tickets(text) == ["FS-2569-000007", "FS-2569-000012"]


def test_prefix_is_configurable() -> None:
    assert tickets("NB-2569-000321 ถึงไหนแล้ว", prefix="NB") == ["NB-2569-000321"]
    assert tickets("nb2569000321", prefix="NB") == ["NB-2569-000321"]
    assert tickets("FS-2569-000321", prefix="NB") == ["NB-2569-000321"]  # the bare year-number still counts


def test_mention_positions_point_at_the_original_text() -> None:
    text = "ขอติดตาม ＦＳ－２５６９－０００１２３ ค่ะ"
    mention = find_tickets(text)[0]
    assert text[mention.start:mention.end] == "ＦＳ－２５６９－０００１２３"
    assert (mention.year_be, mention.number) == (2569, 123)


def test_canonical_ticket() -> None:
    assert canonical_ticket(prefix="fs", year_be=2569, number=7) == "FS-2569-000007"


@pytest.mark.parametrize("text", [
    "ติดตามเรื่องค่ะ",
    "ขอติดตามเรื่องที่แจ้งไว้ค่ะ",
    "เรื่องที่แจ้งไปถึงไหนแล้วครับ",
    "ถึงไหนแล้วคะ",
    "ความคืบหน้า",
    "ขอทราบความคืบหน้าหน่อยครับ",
    "มีความคืบหน้ายังไงบ้างคะ",
    "ดำเนินการหรือยังคะ",
    "ดำเนินการให้แล้วหรือยังครับ",
    "ซ่อมให้หรือยังครับ",
    "มาซ่อมรึยังคะ",
    "แก้ไขยังครับ",
    "เรื่องเงียบไปเลยนะครับ",
    "เรื่องที่แจ้งไปเงียบหายเลย",
    "ได้เรื่องยังคะ",
    "ได้เรื่องไหมครับ",
    "ขอเช็คสถานะเรื่องหน่อยค่ะ",
    "สถานะเรื่องเป็นยังไงบ้าง",
    "ไม่มีใครติดต่อกลับเลยค่ะ",
    "ขออัพเดทหน่อยค่ะ",
    "ที่แจ้งไว้เมื่อวันจันทร์ ไปถึงไหนแล้วคะ",
    "เคยแจ้งไปแล้ว จะมาซ่อมเมื่อไหร่คะ",
    "แจ้งไปนานแล้ว ทำไมยังไม่มาอีก",
    "จะซ่อมเสร็จเมื่อไหร่ครับ",
    "ติดตามผลการแก้ไขค่ะ",
    "เรื่อง FS-2569-000001 ถึงไหนแล้วครับ",
    "ติดตามเรื่องงงง ค่าาา",
])
def test_status_questions(text: str) -> None:
    reading = read_message(text)
    assert reading.asks_status and reading.kind in {"status", "problem_back"}, text


@pytest.mark.parametrize("text", [
    "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถล้มไปสองคันแล้วค่ะ",
    "อยากทราบขั้นตอนการย้ายทะเบียนบ้านค่ะ",
    "ติดตามข่าวสารเทศบาลได้ทางไหนคะ",
    "ทำยังไงถึงจะได้เบี้ยผู้สูงอายุ",
    "ขยะไม่มีคนมาเก็บสามวันแล้ว เมื่อไหร่จะมาเก็บคะ",
    "ภาษีป้ายจ่ายที่ไหนครับ",
    "ต้องใช้เอกสารอะไรบ้างคะ",
    "สวัสดีค่ะ",
    "ไฟถนนดับทั้งซอยค่ะ ช่วยแก้ไขด้วย",
    "ซ่อมถนนยังไงให้พังเร็วขนาดนี้",
    "ทำยังไงดีคะ น้ำท่วมบ้าน",
    "อัพเดทแอปแล้วเข้าไม่ได้",
    "เสียงดังมากทุกคืน ไม่เงียบเลย",
])
def test_not_status_questions(text: str) -> None:
    reading = read_message(text)
    assert not reading.asks_status and not reading.tickets, text


@pytest.mark.parametrize("text", [
    "อีกเรื่องนะคะ ไฟถนนหน้าวัดดับ",
    "ขอแจ้งอีกเรื่องค่ะ",
    "ขอแจ้งเรื่องใหม่ค่ะ",
    "เรื่องใหม่นะครับ ไม่เกี่ยวกับเรื่องเดิม",
    "คนละเรื่องกันนะคะ",
    "ขอบคุณค่ะ อีกเรื่องนะคะ มีสุนัขจรจัดเยอะมาก",
    "มีอีกปัญหาครับ ท่อตัน",
    "ไม่ใช่เรื่องเดิมนะคะ",
    "อีก 1 เรื่องค่ะ",
])
def test_new_matter_markers(text: str) -> None:
    reading = read_message(text)
    assert reading.new_matter and not reading.continues and reading.kind == "new_matter", text


@pytest.mark.parametrize("text", [
    "ไม่ใช่เรื่องใหม่นะคะ เรื่องเดิมค่ะ",
    "ส่งรูปเพิ่มเติมค่ะ",
    "ข้อมูลเพิ่มเติมค่ะ จุดที่พังอยู่หน้าร้านข้าวแกง",
    "ตามที่แจ้งไปเมื่อกี้นะคะ",
    "ตรงจุดเดิมเลยครับ",
])
def test_continuation_markers(text: str) -> None:
    reading = read_message(text)
    assert reading.continues and not reading.new_matter, text


@pytest.mark.parametrize("text", [
    "ขอบคุณมากครับ",
    "ขอบคุณค่ะ",
    "ขอบคุณมากๆนะคะ",
    "ขอบคุณครับบบบ",
    "โอเคค่ะ",
    "โอเคครับ ขอบคุณครับ",
    "ok ครับ",
    "ได้ครับ ขอบคุณครับ",
    "รับทราบค่ะ",
    "ครับ",
    "ค่ะ",
    "ขอบคุณที่แก้ไขให้รวดเร็วมากค่ะ",
    "ขอบคุณเจ้าหน้าที่ทุกท่านนะคะ บริการดีมาก",
    "Thank you ครับ",
    "ขอบคุณนะคะ 🙏",
    "👍",
    "🙏🙏🙏",
    "❤️",
    "เยี่ยมมากครับ",
    "ขอบคุณที่ช่วยซ่อมให้ค่ะ ขอให้สุขภาพแข็งแรง",
])
def test_thanks_and_closings(text: str) -> None:
    reading = read_message(text)
    assert reading.closing and reading.kind == "closing", text


def test_stickers_close_and_angry_emoji_do_not() -> None:
    assert read_message("", kind="sticker").closing
    angry = read_message("😡😡")
    assert angry.emoji_only and not angry.closing
    assert read_message("👎").kind == ""


@pytest.mark.parametrize("text", [
    "ขอบคุณค่ะ แต่ไฟยังดับอยู่เลย",
    "ขอบคุณค่ะ ถนนซอย 5 ก็พังเหมือนกัน",
    "ขอบคุณครับ อยากทราบว่าภาษีป้ายจ่ายที่ไหน",
    "โอเคค่ะ แล้วต้องใช้เอกสารอะไรบ้าง",
    "ขอบคุณค่ะ ติดตามเรื่อง FS-2569-000004 ด้วยนะคะ",
])
def test_thanks_with_something_more_is_not_a_closing(text: str) -> None:
    assert not read_message(text).closing, text


@pytest.mark.parametrize("text", [
    "ยังไม่ได้แก้เลยครับ",
    "ยังไม่ได้รับการแก้ไขค่ะ",
    "กลับมาเป็นอีกแล้วค่ะ",
    "กลับมาดับอีกแล้ว",
    "ยังเหมือนเดิมครับ",
    "ก็เหมือนเดิมค่ะ ไม่มีอะไรเปลี่ยน",
    "ไฟดับอีกแล้วครับ ซ่อมแล้วก็เสียอีก",
    "น้ำท่วมอีกแล้วค่ะ",
    "ท่อยังตันอยู่เลยค่ะ",
    "ยังไม่มีใครมาดูเลยค่ะ",
    "ซ่อมไม่เสร็จครับ ทิ้งไว้แบบนั้น",
    "ปิดเรื่องได้ยังไงคะ ยังไม่ได้ซ่อมเลย",
    "ขอบคุณค่ะ แต่ไฟยังดับอยู่เลย",
])
def test_problem_is_back(text: str) -> None:
    reading = read_message(text)
    assert reading.problem_back and not reading.closing and reading.kind == "problem_back", text


@pytest.mark.parametrize("text", [
    "ขอบคุณค่ะ ตอนนี้ไฟติดแล้ว",
    "ซ่อมเสร็จแล้ว ขอบคุณค่ะ",
    "ถนนหน้าบ้านเป็นหลุมค่ะ",
    "ขอให้บริการดีเหมือนเดิมนะคะ",
    "ขยะไม่มีคนมาเก็บค่ะ",
])
def test_not_problem_back(text: str) -> None:
    assert not read_message(text).problem_back, text


def test_ticket_alone_reads_as_a_status_question() -> None:
    reading = read_message("fs2569000123")
    assert reading.tickets == ("FS-2569-000123",) and reading.kind == "status"


def test_plain_complaint_has_no_cue() -> None:
    reading = read_message("ไฟถนนดับทั้งซอย 3 หมู่ 2 ค่ะ")
    assert reading.kind == "" and reading.tickets == ()
    assert read_message("").kind == ""
    assert read_message("   ").kind == ""


def test_the_worker_reads_a_ticket_without_its_year_as_this_year_s() -> None:
    """"เลขที่เรื่อง 123" asks about FS-<this B.E. year>-000123 (the year citizens drop first)."""
    import datetime as dt
    from types import SimpleNamespace

    from conversation.turn import read

    sent = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
    turn = SimpleNamespace(message=SimpleNamespace(text="เลขที่เรื่อง 123 ถึงไหนแล้วคะ", kind="text", sent_at=sent),
                           runtime=SimpleNamespace(agency=SimpleNamespace(ticket_prefix="FS")))
    reading = read(turn)  # type: ignore[arg-type]
    assert reading.tickets == ("FS-2569-000123",) and reading.kind == "status"
