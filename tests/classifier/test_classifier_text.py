"""Normalisation, tokenisation and masking."""

from __future__ import annotations

from classifier.text import (
    CITIZEN_ID_TOKEN,
    EMAIL_TOKEN,
    PHONE_TOKEN,
    PLATE_TOKEN,
    citizen_id_valid,
    mask_personal_data,
    normalize,
    tokenize,
)


def make_citizen_id(first12: str) -> str:
    """Append the mod-11 check digit."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


VALID_ID = make_citizen_id("110170012345")
INVALID_ID = VALID_ID[:-1] + str((int(VALID_ID[-1]) + 1) % 10)


def test_checksum() -> None:
    assert citizen_id_valid(VALID_ID)
    assert not citizen_id_valid(INVALID_ID)
    assert not citizen_id_valid("123")


def test_mask_valid_citizen_id_plain_and_grouped() -> None:
    assert mask_personal_data(f"เลขบัตร {VALID_ID} ครับ") == f"เลขบัตร {CITIZEN_ID_TOKEN} ครับ"
    v = VALID_ID
    grouped = f"{v[0]}-{v[1:5]}-{v[5:10]}-{v[10:12]}-{v[12]}"
    assert CITIZEN_ID_TOKEN in mask_personal_data(f"บัตร {grouped}")
    spaced = grouped.replace("-", " ")
    assert CITIZEN_ID_TOKEN in mask_personal_data(f"บัตร {spaced}")


def test_an_id_shaped_number_is_masked_whatever_its_checksum() -> None:
    masked = mask_personal_data(f"เลข {INVALID_ID}")  # PDPA: a mistyped id is still someone's id
    assert CITIZEN_ID_TOKEN in masked
    assert INVALID_ID not in masked


def test_mask_phone_formats() -> None:
    for phone in ("081-234-5678", "0812345678", "02-123-4567", "021234567", "+66 81 234 5678", "+66812345678", "0 2123 4567"):
        masked = mask_personal_data(f"โทร {phone} ด่วน")
        assert masked == f"โทร {PHONE_TOKEN} ด่วน", (phone, masked)


def test_mask_thai_digit_phone() -> None:
    assert PHONE_TOKEN in mask_personal_data("โทร ๐๘๑๒๓๔๕๖๗๘")


def test_mask_email() -> None:
    assert mask_personal_data("ส่งมาที่ somchai.j@example.co.th นะ") == f"ส่งมาที่ {EMAIL_TOKEN} นะ"


def test_mask_plates() -> None:
    assert mask_personal_data("รถ กข 1234 จอดขวาง") == f"รถ {PLATE_TOKEN} จอดขวาง"
    assert mask_personal_data("รถ 1กข 1234 กรุงเทพ") == f"รถ {PLATE_TOKEN}"  # the province is part of the plate
    assert mask_personal_data("ทะเบียน กข-9") == f"ทะเบียน {PLATE_TOKEN}"


def test_no_false_positive_masking() -> None:
    for text in ("มีคน 12 คน รอคิว", "ซอย 5 หมู่ 3", "ขยะไม่เก็บ 3 วัน", "ปี 2567"):
        assert mask_personal_data(text) == text
    assert "99/1" not in mask_personal_data("บ้านเลขที่ 99/1")  # house numbers are personal data; places stay


def test_mask_empty() -> None:
    assert mask_personal_data("") == ""


def test_normalize() -> None:
    assert normalize("ดีมากกกกก") == "ดีมาก"
    assert normalize("๕๕๕๕๕๕") == "555"
    assert normalize("ปี ๒๕๖๗") == "ปี 2567"
    assert normalize("  Hello\x00\u200bWORLD\t\n") == "hello world"
    assert normalize("") == ""
    assert len(normalize("ก" * 3 + "ข" * 20_000 + "ถนนพัง" * 3000)) <= 2000


def test_tokenize() -> None:
    assert tokenize("ถนนพังมาสามเดือน") == ["ถนน", "พัง", "มา", "สาม", "เดือน"]
    assert tokenize("") == []
    assert tokenize("😀") == ["😀"]


def test_engines_agree_on_plain_thai() -> None:
    from classifier.text import default_engine, engine_available

    assert engine_available("newmm") and default_engine() in ("nlpo3", "newmm")
    assert tokenize("ขยะล้นถังหน้าตลาด", "newmm") == tokenize("ขยะล้นถังหน้าตลาด", default_engine())
