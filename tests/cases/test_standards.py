"""Service standards per unit and kind of matter, in one or two stages, from the agency config."""
from __future__ import annotations

import tomllib

import pytest

from agency.config import AgencyConfigError, load_agency_config, parse_agency_config
from agency.settings import DEFAULT_AGENCY_CONFIG
from agency.vocabulary import channel_names
from cases.standards import published_standards, standard_for

AGENCY = load_agency_config(DEFAULT_AGENCY_CONFIG)


def test_a_unit_standard_overrides_the_agency_wide_one() -> None:
    works = standard_for(AGENCY, unit="public_works", intent="complaint")
    assert (works.respond_days, works.resolve_days, works.stages) == (1, 20, (5, 20))
    general = standard_for(AGENCY, unit="public_works", intent="suggestion")
    assert (general.unit, general.resolve_days, general.matter) == (None, 30, "ข้อเสนอแนะ")
    published = published_standards(AGENCY)
    assert [s.unit for s in published[:2]] == ["public_works", "environment"]  # in the config's unit order
    assert published[-1].unit is None


def test_off_line_channels_and_groups_come_from_the_config() -> None:
    names = channel_names(AGENCY)
    assert names["line"] == "LINE" and names["walk_in"] == "มาด้วยตนเอง" and names["phone"] == "โทรศัพท์ / ศูนย์ 1111"
    assert list(names)[4:] == ["walk_in", "phone", "letter", "email", "comment_box", "website", "other"]
    assert names["web"] == "แบบฟอร์มแจ้งเรื่องบนเว็บไซต์"  # the report form, the third online channel
    assert AGENCY.citizen_groups[0] == "ประชาชนทั่วไป" and len(AGENCY.citizen_groups) == 6


@pytest.mark.parametrize(("entry", "words"), [
    ({"unit": "nowhere", "matter": "x", "acknowledge": 1, "resolve": 5}, "unknown units"),
    ({"unit": "public_works", "matter": "x", "acknowledge": 1, "stages": [20, 5]}, "increasing"),
    ({"unit": "public_works", "matter": "x", "acknowledge": 1, "stages": [5, 20], "resolve": 15}, "last stage"),
])
def test_a_wrong_standard_is_refused(entry: dict, words: str) -> None:
    data = tomllib.loads(DEFAULT_AGENCY_CONFIG.read_text(encoding="utf-8"))
    data["unit_standards"] = [entry]
    with pytest.raises(AgencyConfigError, match=words):
        parse_agency_config(data)


@pytest.mark.parametrize(("categories", "words"), [
    ([{"code": "roads", "name": "ถนน", "keywords": ["ถนน"]}, {"code": "roads", "name": "ทาง", "keywords": ["ทาง"]}],
     "repeat a code"),
    ([{"code": "other", "name": "อื่น ๆ", "keywords": ["อื่น"]}], "kept for"),
    ([{"code": "roads", "name": "ถนน", "keywords": [" "]}], "needs keywords"),
    ([{"code": "roads", "name": "ถนน"}], "invalid agency config"),
])
def test_a_wrong_complaint_category_is_refused(categories: list, words: str) -> None:
    data = tomllib.loads(DEFAULT_AGENCY_CONFIG.read_text(encoding="utf-8"))
    data["complaint_categories"] = categories
    with pytest.raises(AgencyConfigError, match=words):
        parse_agency_config(data)


def test_a_complaint_belongs_to_the_first_category_it_names() -> None:
    assert AGENCY.complaint_category("ไฟถนนดับทั้งซอย") == "street_lights"  # before roads ("ถนน")
    assert AGENCY.complaint_category("ท่อระบายน้ำอุดตัน น้ำเน่า") == "drains_flooding"
    assert AGENCY.complaint_category("อยากให้ส่งเสริมการท่องเที่ยวมากกว่านี้") is None  # "ท่อ" inside "ท่องเที่ยว"
