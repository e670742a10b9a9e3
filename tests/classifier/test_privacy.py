"""Personal-data masking (PDPA): every shape the analysts must never see, what they must keep, recall and speed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.evaluation import PRIVACY_VARIANTS_FILE, masking_recall, read_marked_up
from classifier.privacy import (
    BANK_ACCOUNT_TOKEN,
    CITIZEN_ID_TOKEN,
    EMAIL_TOKEN,
    HOUSE_NUMBER_TOKEN,
    KINDS,
    LINE_ID_TOKEN,
    NAME_TOKEN,
    PHONE_TOKEN,
    PLATE_TOKEN,
    TOKENS,
    citizen_id_valid,
    find_personal_data,
    mask_personal_data,
    warm_up,
)

DATA = Path(__file__).parent / "data"
# Written first and used while building the masking; the holdout set was written afterwards and measured once
# (recall 72/74, no over-masking) before any further change.
DATA_FILES = ("pdpa_messages.jsonl", "pdpa_messages_holdout.jsonl")


def load_messages(name: str) -> list[dict]:
    """Annotated messages: text, personal-data spans (start, end, kind, value) and spans that must be kept."""
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        for span in row["pii"] + row["keep"]:
            assert row["text"][span["start"] : span["end"]] == span["value"], (row["id"], span)
        for span in row["pii"]:
            assert span["kind"] in KINDS
    return rows


class Measure(NamedTuple):
    """Masking quality on an annotated set."""

    spans: Counter[str]  # annotated personal-data spans per kind
    masked: Counter[str]  # of which fully masked
    found: int  # spans the masking found
    found_right: int  # of which overlap an annotated span
    keep: int  # spans analysts need (places, dates, tickets...)
    kept: int  # of which left untouched

    @property
    def recall(self) -> float:
        """Share of annotated spans fully masked."""
        return sum(self.masked.values()) / sum(self.spans.values())

    @property
    def precision(self) -> float:
        """Share of masked spans that are personal data."""
        return self.found_right / self.found

    def kind_recall(self, kind: str) -> float:
        """Recall for one kind."""
        return self.masked[kind] / self.spans[kind]


def measure(rows: list[dict]) -> Measure:
    """Recall, precision and kept-span rate of find_personal_data on annotated rows."""
    spans: Counter[str] = Counter()
    masked: Counter[str] = Counter()
    found = found_right = keep = kept = 0
    for row in rows:
        hits = find_personal_data(row["text"])
        covered = {i for start, end, _ in hits for i in range(start, end)}
        for span in row["pii"]:
            spans[span["kind"]] += 1
            masked[span["kind"]] += all(i in covered for i in range(span["start"], span["end"]))
        found += len(hits)
        found_right += sum(any(s < p["end"] and p["start"] < e for p in row["pii"]) for s, e, _ in hits)
        keep += len(row["keep"])
        kept += sum(not any(i in covered for i in range(k["start"], k["end"])) for k in row["keep"])
    return Measure(spans, masked, found, found_right, keep, kept)


@pytest.fixture(scope="module")
def messages() -> list[dict]:
    """Both annotated sets and the written variants of issue 21 (classifier/data/privacy/variants.txt)."""
    return [row for name in DATA_FILES for row in load_messages(name)] + read_marked_up(PRIVACY_VARIANTS_FILE)


def test_annotated_sets_are_a_few_hundred_realistic_messages(messages: list[dict]) -> None:
    kinds = Counter(span["kind"] for row in messages for span in row["pii"])
    assert len(messages) >= 400 and sum(kinds.values()) >= 300
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 10
    assert sum(not row["pii"] for row in messages) >= 100  # messages with nothing to mask


def test_recall_precision_and_kept_spans(messages: list[dict]) -> None:
    # Measured: recall 316/320 (98.8%), precision 316/317, 219/220 kept spans untouched (both sets together).
    m = measure(messages)
    assert m.recall >= 0.97, m
    assert m.precision >= 0.98, m
    assert m.kept / m.keep >= 0.98, m
    for kind in ("phone", "citizen_id", "email", "house_number", "plate"):
        assert m.kind_recall(kind) >= 0.97, (kind, m)
    assert m.kind_recall("name") >= 0.95, m
    assert m.kind_recall("line_id") >= 0.9, m


def test_holdout_recall() -> None:
    # Measured: recall 73/74 (one name without a title: โทรหาสมใจ), precision 73/73, 43/43 kept spans untouched.
    m = measure(load_messages("pdpa_messages_holdout.jsonl"))
    assert m.recall >= 0.95 and m.precision >= 0.97 and m.kept == m.keep, m


def test_issue_message_leaves_nothing_personal() -> None:
    text = (
        "นางสาวมาลี ศรีสุข โทร 081-234-5678 เลขบัตร 1101700203451 อีกเบอร์ 081.234.9999 ไลน์ไอดี malee_s "
        "บ้านเลขที่ 99/1 หมู่ 3 ซอยสุขใจ 5 เรื่อง FS-2569-000123 วันที่ 15/03/2568 ค่าน้ำ 1,250 บาท"
    )
    masked = mask_personal_data(text)
    for secret in ("มาลี", "ศรีสุข", "081", "5678", "9999", "1101700203451", "malee", "99/1"):
        assert secret not in masked, (secret, masked)
    for kept in ("หมู่ 3", "ซอยสุขใจ 5", "FS-2569-000123", "15/03/2568", "1,250 บาท", "นางสาว"):
        assert kept in masked, (kept, masked)
    assert masked.startswith(f"นางสาว{NAME_TOKEN} โทร {PHONE_TOKEN} เลขบัตร {CITIZEN_ID_TOKEN} อีกเบอร์ {PHONE_TOKEN}")
    assert f"ไลน์ไอดี {LINE_ID_TOKEN} บ้านเลขที่ {HOUSE_NUMBER_TOKEN} หมู่ 3" in masked


@pytest.mark.parametrize(
    "phone",
    [
        "081-234-5678",
        "0812345678",
        "081 234 5678",
        "081.234.9999",
        "(081) 234-5678",
        "+66 81 234 5678",
        "+66812345678",
        "66-81-234-5678",
        "+66 (0) 81 234 5678",
        "0066 81 234 5678",
        "08-1234-5678",
        "0-8123-45678",
        "0812-345-678",
        "081 - 234 - 5678",
        "081–234–5678",
        "02-123-4567",
        "0-2123-4567",
        "02 123 4567",
        "021234567",
        "(02) 123 4567",
        "053-123-456",
        "+66 2 123 4567",
        "０８１-２３４-５６７８",
        "๐๘๑-๒๓๔-๕๖๗๘",
        "๐๘๑๒๓๔๕๖๗๘",
        "081\u200b234\u200b5678",
        "0\u200d8\u200d1\u200d2\u200d3\u200d4\u200d5\u200d6\u200d7\u200d8",
        "081\ufeff-234-5678",
    ],
)
def test_phone_shapes(phone: str) -> None:
    assert mask_personal_data(f"โทร {phone} ด่วน") == f"โทร {PHONE_TOKEN} ด่วน"
    assert mask_personal_data(f"โทร{phone}ค่ะ") == f"โทร{PHONE_TOKEN}ค่ะ"


@pytest.mark.parametrize("number", ["1111", "1669", "191", "1300", "ต่อ 105", "10400", "2,345.50", "08.30-16.30"])
def test_hotlines_extensions_postcodes_amounts_and_hours_are_kept(number: str) -> None:
    assert mask_personal_data(f"โทร {number} ค่ะ") == f"โทร {number} ค่ะ"


VALID_ID = "1101700203450"  # mod-11 check digit 0
INVALID_ID = "1101700203451"  # the id from the issue: its checksum fails, it must be masked all the same


def test_checksum_is_reported_but_not_needed_for_masking() -> None:
    assert citizen_id_valid(VALID_ID) and citizen_id_valid("3100600123450")
    assert not citizen_id_valid(INVALID_ID) and not citizen_id_valid("123")
    assert citizen_id_valid(VALID_ID.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")))
    for number in (VALID_ID, INVALID_ID, "0105556123456"):
        assert mask_personal_data(f"เลขบัตร {number} ค่ะ") == f"เลขบัตร {CITIZEN_ID_TOKEN} ค่ะ"


@pytest.mark.parametrize("sep", ["-", " ", " - ", ".", "\u200b-"])
def test_grouped_citizen_ids(sep: str) -> None:
    v = INVALID_ID
    grouped = sep.join((v[0], v[1:5], v[5:10], v[10:12], v[12]))
    assert mask_personal_data(f"บัตร {grouped} ครับ") == f"บัตร {CITIZEN_ID_TOKEN} ครับ"


def test_laughter_and_numbers_in_web_addresses_are_no_ids() -> None:
    for text in ("ตลกมาก 5555555555555", "อ่านข่าว https://mgronline.com/qol/detail/9600000101023 ค่ะ"):
        assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ไลน์ไอดี malee_s ค่ะ", "malee_s"),
        ("line id: noon1234", "noon1234"),
        ("LINE ID : jeab.1988", "jeab.1988"),
        ("ไอดีไลน์ pong_2525 ครับ", "pong_2525"),
        ("ติดต่อ Line: @abc_shop ได้เลย", "@abc_shop"),
        ("แอดไลน์ somchai ได้เลยครับ", "somchai"),
        ("แอดไลน์มาที่ mod_oil นะคะ", "mod_oil"),
        ("ไลน์ kob_123 ค่ะ", "kob_123"),
        ("add line beer.chang", "beer.chang"),
        ("ไลน์ไอดีคือ ying.ying", "ying.ying"),
        ("ไอดีไลน์ต้นนะครับ ton_1999", "ton_1999"),
        ("ทักมาที่ line.me/ti/p/~malee_s ได้ค่ะ", "~malee_s"),
    ],
)
def test_line_ids(text: str, value: str) -> None:
    masked = mask_personal_data(text)
    assert value not in masked and LINE_ID_TOKEN in masked, masked
    assert masked == text.replace(value, LINE_ID_TOKEN)


@pytest.mark.parametrize(
    "text",
    [
        "ไลน์ OA ไม่ตอบ",
        "ส่งทางไลน์แล้วค่ะ",
        "ช้อปออนไลน์: www.example.co.th",
        "Line ของหน่วยงาน",
        "แอดไลน์มาได้เลยค่ะ Thanks",
        "แลกไลน์กันวันพุธที่ 10 มกราคม",
        "สกายไลน์ของ cx3",
    ],
)
def test_line_words_without_an_id_are_kept(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "email", ["somchai.j@example.co.th", "k.somchai_99@hotmail.com", "jane_doe99@gmail.com", "nok(at)gmail.com"]
)
def test_emails(email: str) -> None:
    assert mask_personal_data(f"ส่งมาที่ {email} นะ") == f"ส่งมาที่ {EMAIL_TOKEN} นะ"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("บ้านเลขที่ 99/1 หมู่ 3", f"บ้านเลขที่ {HOUSE_NUMBER_TOKEN} หมู่ 3"),
        ("เลขที่ 45/2 ซอยสุขใจ 5", f"เลขที่ {HOUSE_NUMBER_TOKEN} ซอยสุขใจ 5"),
        ("บ้าน 12/3 หมู่ 4 ต้นไม้ล้ม", f"บ้าน {HOUSE_NUMBER_TOKEN} หมู่ 4 ต้นไม้ล้ม"),
        ("บ้านเลขที่215 ซอยสุขุมวิท 50", f"บ้านเลขที่{HOUSE_NUMBER_TOKEN} ซอยสุขุมวิท 50"),
        ("ที่อยู่: 64/3 ถ.ประชาราษฎร์", f"ที่อยู่: {HOUSE_NUMBER_TOKEN} ถ.ประชาราษฎร์"),
        ("ส่งของมาที่ 99/88 หมู่บ้านชวนชื่น", f"ส่งของมาที่ {HOUSE_NUMBER_TOKEN} หมู่บ้านชวนชื่น"),
        ("บ้านเลขที่ ๔๕/๒ ค่ะ", f"บ้านเลขที่ {HOUSE_NUMBER_TOKEN} ค่ะ"),
        ("บ้าน 55 หมู่ 4 ไฟดับ", f"บ้าน {HOUSE_NUMBER_TOKEN} หมู่ 4 ไฟดับ"),
    ],
)
def test_house_numbers_keep_the_place(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "ซอยสุขุมวิท 101/1 น้ำท่วม",
        "วันที่ 15/03/2568 ค่ะ",
        "วันที่ 5/6 มีคนมาตัดต้นไม้",
        "วันที่ 15/3 หมู่ 4 น้ำท่วม",
        "ห้อง ม.5/2 หมู่ 3",
        "คำสั่งเลขที่ 0123/2568",
        "หนังสือเลขที่ มท 0808.2/ว1234",
        "เลขที่ใบเสร็จ 2568/00451",
        "แจ้งซ้ำครั้งที่ 4 ถนนซอยสุขใจ 5",
        "บ้าน 12 หลังโดนน้ำท่วม",
        "อยู่บ้าน 3 คน",
    ],
)
def test_soi_dates_and_document_numbers_are_no_house_numbers(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("รถ กข 1234 จอดขวาง", f"รถ {PLATE_TOKEN} จอดขวาง"),
        ("รถกระบะ 1กก 2345 มาทิ้งขยะ", f"รถกระบะ {PLATE_TOKEN} มาทิ้งขยะ"),
        ("ทะเบียน กข 1234 กรุงเทพมหานคร จอดขวาง", f"ทะเบียน {PLATE_TOKEN} จอดขวาง"),
        ("รถ 7กษ 3210 กทม. จอดบนทางเท้า", f"รถ {PLATE_TOKEN} จอดบนทางเท้า"),
        ("ทะเบียนรถ กท-4521 ขับปาดหน้า", f"ทะเบียนรถ {PLATE_TOKEN} ขับปาดหน้า"),
        ("รถตู้ทะเบียน 10-1234 ขับเร็ว", f"รถตู้ทะเบียน {PLATE_TOKEN} ขับเร็ว"),
        ("รถบรรทุก 70-5544 ชลบุรี ทำดินหก", f"รถบรรทุก {PLATE_TOKEN} ทำดินหก"),
        ("รถ บน 4567 นนทบุรี จอดขวาง", f"รถ {PLATE_TOKEN} จอดขวาง"),
    ],
)
def test_plates_with_their_province(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    ["มีคน 12 คน รอคิว", "รอ 2 เดือนไม่มีใครมา", "ถนนมิตรภาพ กม. 25", "วันที่ 21 กพ 2569", "ยา 5มก 2 เม็ด", "ปี 2567", "ณ 2568"],
)
def test_words_before_numbers_are_no_plates(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("นางสาวมาลี ศรีสุข โทรมา", "มาลี ศรีสุข"),
        ("นายสมชาย ใจดี แจ้งว่าไฟดับ", "สมชาย ใจดี"),
        ("นายสมชายแจ้งว่าไฟดับ", "สมชาย"),
        ("นาย สุริยา โทรมา", "สุริยา"),
        ("นางบุญมี แก้วมณี ยังไม่ได้เบี้ยยังชีพ", "บุญมี แก้วมณี"),
        ("น.ส.ปิยะนุช แสงทอง ขอเปลี่ยนที่อยู่", "ปิยะนุช แสงทอง"),
        ("นส.วราภรณ์ ค่ะ", "วราภรณ์"),
        ("ด.ช.ธนกร มีสุข โดนหมากัด", "ธนกร มีสุข"),
        ("ด.ญ.กัญญา ทองดี หายออกจากบ้าน", "กัญญา ทองดี"),
        ("เด็กชายภูมิ รักไทย บาดเจ็บ", "ภูมิ รักไทย"),
        ("เด็กหญิงลลิตา ใจงาม ป่วย", "ลลิตา ใจงาม"),
        ("ร.ต.อ.วีระ ชัยมงคล ไม่รับแจ้งความ", "วีระ ชัยมงคล"),
        ("พ.ต.ท.สุรชัย ช่วยเหลือดีมาก", "สุรชัย"),
        ("คุณสมศักดิ์บอกว่าจะมาซ่อม", "สมศักดิ์"),
        ("ขอบคุณคุณนภาค่ะ", "นภา"),
        ("ลุงแดงข้างบ้านป่วยติดเตียง", "แดง"),
        ("ป้าสมศรีขายของที่ตลาด", "สมศรี"),
        ("น้าชัยขายลูกชิ้น", "ชัย"),
        ("ยายบุญมาอยู่คนเดียว", "บุญมา"),
        ("ตาสมหมายเก็บขยะ", "สมหมาย"),
        ("พี่ต้อมที่ดูแลเรื่องขยะ", "ต้อม"),
        ("คุณหมอสุภาพรใจดีมาก", "สุภาพร"),
        ("ผมชื่อประเสริฐ วงศ์สวัสดิ์ ครับ", "ประเสริฐ วงศ์สวัสดิ์"),
        ("ชื่อ-นามสกุล ณัฐพล แก้วกาญจนา", "ณัฐพล แก้วกาญจนา"),
        ("ผู้แจ้ง: กิตติพงษ์ ทองคำ", "กิตติพงษ์ ทองคำ"),
        ("Mr. David Brown called", "David Brown"),
        ("Please contact Ms. Sarah Lee today", "Sarah Lee"),
        ("Dr. Somchai was rude", "Somchai"),
        ("K.Somsri helped a lot", "Somsri"),
        ("คุณ Jenny ที่เป็นล่าม", "Jenny"),
        ("จ่าสมศักดิ์ที่ป้อมตำรวจเรียกเงิน", "สมศักดิ์"),
        ("ติดต่อ ผอ.สมหมาย ที่โรงเรียน", "สมหมาย"),
        ("ลุงขาวเก็บขยะขายทุกวัน", "ขาว"),
    ],
)
def test_names_after_titles(text: str, name: str) -> None:
    masked = mask_personal_data(text)
    assert masked == text.replace(name, NAME_TOKEN), masked


@pytest.mark.parametrize(
    "text",
    [
        "คุณภาพน้ำประปาแย่มาก",
        "นายก อบต. ไม่เคยลงพื้นที่",
        "นายกอบจ.มาเปิดงาน",
        "นายอำเภอลงพื้นที่เร็วมาก",
        "นางพยาบาลพูดไม่สุภาพ",
        "ป้ายรถเมล์หักมาเป็นเดือน",
        "ตามที่แจ้งไปแล้ว",
        "เจ้าหน้าที่มาช้ามาก",
        "พี่ๆ เจ้าหน้าที่ช่วยดูหน่อย",
        "คุณไม่เคยทำอะไรให้ชาวบ้านเลย",
        "คุณเจ้าหน้าที่คะ ช่วยด้วย",
        "ยายไม่สบายมาหลายวัน",
        "ตาบอดข้างนึงครับ",
        "พี่ชายผมโดนรถชน",
        "ผู้ป่วยติดเตียงขอแพมเพิส",
        "ส่งต่อให้คนที่คุณรัก",
        "ผมรอมา 2 ชั่วโมง",
        "ต่อขนตาเล็กๆ",
        "ป้ายชื่อซอยหาย",
        "คนงานทำงานถึงเที่ยงคืนซอยอารีย์",
        "น้องหมาโดนรถชน",
    ],
)
def test_titles_and_look_alikes_without_a_name(text: str) -> None:
    assert mask_personal_data(text) == text


def test_names_do_not_eat_the_sentence() -> None:
    assert mask_personal_data("นางสาวมาลี ศรีสุข แจ้งว่าน้ำไม่ไหล ซอยสุขใจ 5") == (
        f"นางสาว{NAME_TOKEN} แจ้งว่าน้ำไม่ไหล ซอยสุขใจ 5"
    )
    assert mask_personal_data("คุณมาลีมาแจ้งเรื่องไฟดับ") == f"คุณ{NAME_TOKEN}มาแจ้งเรื่องไฟดับ"


def test_spans_are_in_the_callers_text_with_kinds() -> None:
    text = "คุณ\u200bมาลี โทร ０８１\u200b-２３４-５６７８ อีเมล malee@gmail.com"
    spans = find_personal_data(text)
    assert [kind for *_, kind in spans] == ["name", "phone", "email"]
    assert [text[s:e] for s, e, _ in spans] == ["มาลี", "０８１\u200b-２３４-５６７８", "malee@gmail.com"]
    assert mask_personal_data(text) == f"คุณ\u200b{NAME_TOKEN} โทร {PHONE_TOKEN} อีเมล {EMAIL_TOKEN}"


def test_warm_up_loads_the_word_lists() -> None:
    warm_up()
    assert mask_personal_data("คุณมาลีค่ะ") == f"คุณ{NAME_TOKEN}ค่ะ"


def test_every_kind_has_a_thai_token() -> None:
    assert set(TOKENS) == set(KINDS) and all(t.startswith("[") and t.endswith("]") for t in TOKENS.values())
    assert mask_personal_data("") == "" and find_personal_data("") == []


def test_masking_twice_changes_nothing_more(messages: list[dict]) -> None:
    for row in messages:
        once = mask_personal_data(row["text"])
        assert mask_personal_data(once) == once, once


THAI_PIECES = ["นาย", "คุณ", "พี่", "ป้า", "ชื่อ", "สมชาย", "มาลี", "บ้านเลขที่", "ไลน์", "ทะเบียน", "กข", "หมู่", "ซอย"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(THAI_PIECES),
            st.text(alphabet="0123456789๐๑๒๓๔๕๖๗๘๙０８ -./()+@:_\u200b\u200dabcLINEกขคงจมาลีสุข่้ๆ", max_size=12),
        ),
        max_size=20,
    ).map(" ".join)
)
def test_spans_are_sorted_disjoint_and_inside_any_text(text: str) -> None:
    spans = find_personal_data(text)
    last = 0
    for start, end, kind in spans:
        assert last <= start < end <= len(text) and kind in KINDS
        last = end
    assert isinstance(mask_personal_data(text), str)


def test_a_thousand_messages_long_and_adversarial_texts_are_masked(messages: list[dict]) -> None:
    """The texts bench/worst_cases.py times: every one gets sorted, disjoint spans and a masked text."""
    texts = [row["text"] for row in messages]
    long_text = " ".join(texts)[:10_000]
    assert len(long_text) == 10_000
    adversarial = [(text * 4000)[:10_000] for text in ("คุณสมชายพี่ตาป้า0812345678บ้านเลขที่99/1", "นาย", "พี่ตา")]
    for text in [*(texts * 3)[:1000], long_text, *adversarial]:
        spans = find_personal_data(text)
        assert all(a_end <= b_start for (_, a_end, _), (b_start, _, _) in zip(spans, spans[1:]))
        assert all(0 <= start < end <= len(text) for start, end, _ in spans)
    assert "0812345678" not in mask_personal_data(adversarial[0])


# ---------------------------------------------------------------- issue 21: variants an analyst still saw


def test_phone_numbers_spelt_in_thai_words_are_masked() -> None:
    for text, secret in (
        ("โทร ศูนย์แปดหนึ่ง สองสามสี่ ห้าหกเจ็ดแปด นะคะ", "ห้าหกเจ็ดแปด"),
        ("เบอร์ศูนย์เก้าแปด-เจ็ดหกห้า-สี่สามสองหนึ่งค่ะ", "สี่สามสองหนึ่ง"),
        ("โทร 08 หนึ่งสองสาม สี่ห้าหกเจ็ด ด่วน", "สี่ห้าหกเจ็ด"),
    ):
        masked = mask_personal_data(text)
        assert secret not in masked and PHONE_TOKEN in masked, masked
    # Counting words are no phone number: fewer than nine digits.
    assert mask_personal_data("สามแยก สี่แยก รอมาสามสี่วันแล้ว หกโมงเช้า") == "สามแยก สี่แยก รอมาสามสี่วันแล้ว หกโมงเช้า"


def test_names_in_english_letters_are_masked() -> None:
    assert mask_personal_data("ติดต่อ Somchai Jaidee ได้เลยค่ะ") == f"ติดต่อ {NAME_TOKEN} ได้เลยค่ะ"
    assert mask_personal_data("Malee Srisuk แจ้งเรื่องไฟถนนดับ") == f"{NAME_TOKEN} แจ้งเรื่องไฟถนนดับ"
    # Places and brands in English letters stay: the analyst needs them.
    for kept in ("หน้า Bangkok Marriott Hotel น้ำท่วม", "ไปห้าง Central World มา", "แถว Wat Phra Si ไฟดับ"):
        assert mask_personal_data(kept) == kept


def test_house_numbers_written_in_abbreviations_are_masked() -> None:
    for text in ("บ.ล.ท. 123/45 หมู่ 3 ไฟดับค่ะ", "บลท 12/3 หมู่ 3 ไฟดับค่ะ", "ล.ท. 123/45 หมู่ 3 ไฟดับค่ะ"):
        masked = mask_personal_data(text)
        assert "123/45" not in masked and "12/3" not in masked and HOUSE_NUMBER_TOKEN in masked, masked
        assert "หมู่ 3" in masked


def test_bank_account_numbers_are_masked() -> None:
    assert mask_personal_data("โอนคืนเข้าบัญชี 123-4-56789-0 กสิกรค่ะ") == f"โอนคืนเข้าบัญชี {BANK_ACCOUNT_TOKEN} กสิกรค่ะ"
    assert mask_personal_data("เลขบัญชี 0123456789 กรุงไทย") == f"เลขบัญชี {BANK_ACCOUNT_TOKEN} กรุงไทย"
    assert BANK_ACCOUNT_TOKEN in mask_personal_data("บัญชีธนาคารกรุงเทพ สาขาบางแค 9876543210")
    assert mask_personal_data("ค่าปรับ 500 บาท วันที่ 15/03/2568") == "ค่าปรับ 500 บาท วันที่ 15/03/2568"


def test_family_name_after_a_masked_first_name_is_masked() -> None:
    # ลบข้อมูลดี is three everyday words; PyThaiNLP's NER reads it as the person's family name.
    assert mask_personal_data("คุณสมชาย ลบข้อมูลดี แจ้งว่าไฟถนนดับ") == f"คุณ{NAME_TOKEN} แจ้งว่าไฟถนนดับ"
    assert mask_personal_data("นายประเสริฐ มีทรัพย์ ร้องเรียนเสียงดัง") == f"นาย{NAME_TOKEN} ร้องเรียนเสียงดัง"
    # …but the sentence after a name is no family name.
    assert mask_personal_data("คุณสมชาย ช่วยดูถนนหน่อยค่ะ") == f"คุณ{NAME_TOKEN} ช่วยดูถนนหน่อยค่ะ"


def test_a_name_after_a_role_title_that_no_name_list_knows_is_masked_with_the_ner() -> None:
    # From a real Traffy report: สุพงค์ (usually spelt สุพงษ์) is in none of PyThaiNLP's name lists.
    masked = mask_personal_data("เสาไฟไม่มีเลข ดับมานาน หน้าสนามกีฬาเคหะธนบุรี1ส่วน1 ( ประธาน สุพงค์)")
    assert masked.endswith(f"( ประธาน {NAME_TOKEN})")
    # The model is asked only after a title, and not where the words are ordinary or chat.
    for text in ("ก้อยากกกกกเป้นตาแซ่บบบ", "ผู้ป่วยติดเตียง รอรถอยู่คับ", "ทำตามกฏหมาย ป้าหูไม่ค่อยดี"):
        assert mask_personal_data(text) == text


def test_chatty_kinship_titles_never_use_up_the_name_models_questions() -> None:
    chat = "พี่ว่า ป้าบอก น้องเห็น " * 4  # twelve titles before the names, none followed by a name
    assert mask_personal_data(chat + "แจ้งว่านายสุพงค์ทิ้งขยะ") == chat + f"แจ้งว่านาย{NAME_TOKEN}"
    assert mask_personal_data(chat + "ประธาน สุพงค์ ไม่ช่วยเลย") == chat + f"ประธาน {NAME_TOKEN} ไม่ช่วยเลย"


def test_traffy_names_recall_by_kind() -> None:
    # A regression floor, not a recall figure: the ประธาน title was added after reading these reports. Measured on classifier/data/traffy/names.jsonl (50 names): person names 10/12, names of a home or shop that
    # identify a person 0/3, public places named after a person kept 33/35 (a health centre, บุญรอด รุ่งเรือง, is not).
    from classifier.evaluation import TRAFFY_NAMES_FILE
    from classifier.data import read_jsonl

    report = masking_recall(read_jsonl(TRAFFY_NAMES_FILE))
    assert report["n_spans"] + report["keep"] >= 50
    assert report["per_kind"]["name"]["n"] >= 12 and report["per_kind"]["name"]["recall"] >= 0.8, report["missed"]
    assert report["kept"] >= 0.9 * report["keep"]


def test_thai_ner_runs_offline_from_the_bundled_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from classifier import privacy

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network refused in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    privacy._ner_tagger.cache_clear()
    tag = privacy._ner_tagger()
    assert tag is not None
    labels = dict(tag("ด้วย นางสาวชูใจ อเนกานนท์ ได้ยื่นหนังสือ"))
    assert labels["ชูใจ"] == "I-PERSON"


def test_written_variants_recall() -> None:
    # Measured: 107/109 (98.2 %): two family names the NER reads as a time or stops half-way (ลมเย็น, เก่งมาก).
    report = masking_recall(read_marked_up(PRIVACY_VARIANTS_FILE))
    assert report["n_messages"] >= 100 and report["n_spans"] >= 100
    assert report["recall"] >= 0.96, report["missed"]
    assert report["kept"] == report["keep"]
    for kind in ("phone", "house_number", "bank_account"):
        assert report["per_kind"][kind]["recall"] == 1.0, (kind, report["missed"])
