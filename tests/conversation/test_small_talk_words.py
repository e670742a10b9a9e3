"""What opens nothing, read from the words alone: a lone number is "number" (laughter stays laughter), and the
same-or-new question's buttons may be answered by their numbers."""
from __future__ import annotations

import pytest

from conversation.follow_up import typed_choice
from conversation.small_talk import says_nothing


@pytest.mark.parametrize("text", ["5", "๒๓", "12345", "7 ค่ะ", "12,345", "๕"])
def test_a_lone_number_says_nothing(text: str) -> None:
    assert says_nothing(text) == "number"


@pytest.mark.parametrize("text,kind", [("555", "laughter"), ("5555 ขำ", "laughter"), ("ซอย 5", None),
                                       ("ถนนหมู่ 5 เป็นหลุม", None), ("สวัสดีค่ะ", "greeting")])
def test_numbers_inside_words_say_something(text: str, kind: str | None) -> None:
    assert says_nothing(text) == kind


@pytest.mark.parametrize("text,choice", [("1", True), ("๑", True), ("2 ค่ะ", False), ("๒", False), ("3", None),
                                         ("12", None), ("เรื่องใหม่ค่ะ", False)])
def test_the_buttons_numbers_answer_the_same_or_new_question(text: str, choice: bool | None) -> None:
    assert typed_choice(text) is choice
