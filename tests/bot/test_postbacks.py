"""Signed postback data: round trips, size, and forged, stale and malformed data rejected with typed errors."""
from __future__ import annotations

import base64
import datetime as dt

import pytest

from bot.postbacks import (
    DEFAULT_MAX_AGE,
    FaqFeedback,
    FollowUpChoice,
    GroupChoice,
    MenuChoice,
    PostbackError,
    PostbackForged,
    PostbackMalformed,
    PostbackSigner,
    PostbackStale,
    StatusRequest,
    SurveyReason,
    SurveyScore,
    is_postback_data,
    read_postback,
    sign_postback,
)

SECRET = "a-long-agency-secret-for-tests"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)

ACTIONS = [
    SurveyScore(case_id=1, score=5),
    SurveyScore(case_id=987654321, score=1),
    SurveyReason(case_id=42, reason="unresolved"),
    SurveyReason(case_id=42, reason="communication"),
    FollowUpChoice(case_id=7, message_id=123456, attach=True),
    FollowUpChoice(case_id=7, message_id=123456, attach=False),
    StatusRequest(case_id=3),
    FaqFeedback(entry_id="house-move-in", outcome="resolved"),
    FaqFeedback(entry_id="waste-days", outcome="ask_officer"),
    MenuChoice(item="report"),
    MenuChoice(item="contact"),
    GroupChoice(group="elderly"),
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: type(a).__name__)
def test_round_trip(action) -> None:
    data = sign_postback(action, secret=SECRET, issued_at=NOW)
    received = read_postback(data, secret=SECRET, now=NOW + dt.timedelta(hours=1))
    assert received.action == action
    assert received.issued_at == NOW
    assert is_postback_data(data) and data.isascii()


def test_data_is_short_even_for_the_largest_values() -> None:
    largest = [
        FollowUpChoice(case_id=36**12 - 1, message_id=36**12 - 1, attach=False),
        FaqFeedback(entry_id="x" * 40, outcome="ask_officer"),
        GroupChoice(group="g" * 40),
    ]
    for action in largest:
        data = sign_postback(action, secret=SECRET, issued_at=NOW)
        assert len(data) <= 120, data  # LINE allows 300, Messenger 1000
    assert len(sign_postback(SurveyScore(case_id=123, score=4), secret=SECRET, issued_at=NOW)) < 50


def test_wrong_secret_is_forged() -> None:
    data = sign_postback(SurveyScore(case_id=5, score=5), secret=SECRET, issued_at=NOW)
    with pytest.raises(PostbackForged):
        read_postback(data, secret="another-secret-of-enough-length", now=NOW)


@pytest.mark.parametrize("tamper", [
    lambda d: d.replace(".sv.5.", ".sv.6."),          # another case
    lambda d: d.replace(".sv.5.1.", ".sv.5.5."),      # a better score
    lambda d: d[:-1] + ("A" if d[-1] != "A" else "B"),
    lambda d: d.rsplit(".", 2)[0] + "." + "zzzzzz" + "." + d.rsplit(".", 1)[1],  # a fresher issue time
])
def test_tampered_data_is_forged(tamper) -> None:
    data = sign_postback(SurveyScore(case_id=5, score=1), secret=SECRET, issued_at=NOW)
    forged = tamper(data)
    assert forged != data
    with pytest.raises(PostbackForged):
        read_postback(forged, secret=SECRET, now=NOW)


def test_forged_signature_over_a_valid_looking_body() -> None:
    body = "fs1.sv.5.5." + format(int(NOW.timestamp()), "x")
    fake = base64.urlsafe_b64encode(b"\0" * 16).rstrip(b"=").decode()
    with pytest.raises(PostbackForged):
        read_postback(f"{body}.{fake}", secret=SECRET, now=NOW)


def test_stale_data_is_rejected_but_menus_never_go_stale() -> None:
    old = NOW - DEFAULT_MAX_AGE - dt.timedelta(seconds=1)
    survey = sign_postback(SurveyScore(case_id=5, score=4), secret=SECRET, issued_at=old)
    with pytest.raises(PostbackStale):
        read_postback(survey, secret=SECRET, now=NOW)
    assert read_postback(survey, secret=SECRET, now=NOW, max_age=None).action.score == 4
    with pytest.raises(PostbackStale):
        read_postback(survey, secret=SECRET, now=NOW, max_age=dt.timedelta(days=7))
    menu = sign_postback(MenuChoice(item="faq"), secret=SECRET, issued_at=NOW - dt.timedelta(days=400))
    assert read_postback(menu, secret=SECRET, now=NOW).action == MenuChoice(item="faq")


def test_issued_in_the_future_is_rejected() -> None:
    data = sign_postback(StatusRequest(case_id=1), secret=SECRET, issued_at=NOW + dt.timedelta(hours=1))
    with pytest.raises(PostbackMalformed):
        read_postback(data, secret=SECRET, now=NOW)
    slightly = sign_postback(StatusRequest(case_id=1), secret=SECRET, issued_at=NOW + dt.timedelta(minutes=2))
    assert read_postback(slightly, secret=SECRET, now=NOW).action.case_id == 1


@pytest.mark.parametrize("data", [
    "",
    "พอใจมากที่สุด",                      # a label from an older quick reply
    "fs1",
    "fs1.",
    "fs1.sv",
    "fs2.sv.5.5.abc.def",
    "fs1.sv.5.5.abc.",
    "fs1." + "x" * 400,
    "fs1.sv.๕.5.abc.def",
    None,
    12345,
])
def test_malformed_data(data) -> None:
    with pytest.raises(PostbackError) as caught:
        read_postback(data, secret=SECRET, now=NOW)  # type: ignore[arg-type]
    assert isinstance(caught.value, (PostbackMalformed, PostbackForged))


def _signed_body(body: str) -> str:
    """Sign an arbitrary body with the real key, to check field validation behind a good signature."""
    from bot.postbacks import _key, _signature

    return f"{body}.{_signature(_key(SECRET), body)}"


@pytest.mark.parametrize("body", [
    "fs1.sv.5.6.1",            # score out of range
    "fs1.sv.5.0.1",
    "fs1.sv.5.1",              # missing field
    "fs1.sr.5.angry.1",        # unknown reason
    "fs1.fu.5.9.x.1",          # neither attach nor new
    "fs1.mn.settings.1",       # unknown menu item
    "fs1.fq.ENTRY.resolved.1",
    "fs1.zz.5.1",              # unknown action
    "fs1.st.-5.1",
    "fs1.st.5.zzzzzzzzzzzzzz",
])
def test_signed_but_invalid_fields_are_malformed(body: str) -> None:
    with pytest.raises(PostbackMalformed):
        read_postback(_signed_body(body), secret=SECRET, now=NOW)


@pytest.mark.parametrize("action", [
    SurveyScore(case_id=1, score=6),
    SurveyScore(case_id=-1, score=5),
    SurveyReason(case_id=1, reason="rude"),
    FaqFeedback(entry_id="Has Space", outcome="resolved"),
    MenuChoice(item="settings"),
    GroupChoice(group="กลุ่ม"),
    StatusRequest(case_id=True),
])
def test_signing_refuses_bad_actions(action) -> None:
    with pytest.raises(ValueError):
        sign_postback(action, secret=SECRET, issued_at=NOW)


def test_short_secret_and_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        PostbackSigner(secret="short")
    with pytest.raises(ValueError):
        sign_postback(StatusRequest(case_id=1), secret=SECRET, issued_at=dt.datetime(2026, 1, 1))


def test_signer_uses_its_clock_and_age() -> None:
    moments = [NOW]
    signer = PostbackSigner(secret=SECRET, max_age=dt.timedelta(days=7), clock=lambda: moments[-1])
    data = signer.sign(SurveyReason(case_id=9, reason="slow"))
    moments.append(NOW + dt.timedelta(days=6))
    assert signer.read(data).action == SurveyReason(case_id=9, reason="slow")
    moments.append(NOW + dt.timedelta(days=8))
    with pytest.raises(PostbackStale):
        signer.read(data)


def test_officers_read_what_a_citizen_tapped() -> None:
    from bot.postbacks import peek_postback
    from bot.replies import postback_caption

    signer = PostbackSigner(secret="a-secret-of-32-bytes-for-buttons")
    score = signer.sign(SurveyScore(case_id=7, score=2))
    assert postback_caption(score) == "ประเมินความพึงพอใจ: พึงพอใจน้อย (2/5)"
    assert postback_caption(signer.sign(SurveyReason(case_id=7, reason="slow"))) == "เหตุผลที่ไม่พึงพอใจ: ดำเนินการล่าช้า"
    assert postback_caption(signer.sign(FollowUpChoice(case_id=7, message_id=9, attach=False))) == "เลือก: แจ้งเรื่องใหม่"
    assert peek_postback(score) == SurveyScore(case_id=7, score=2)
    groups = ("ประชาชนทั่วไป", "ผู้ประกอบการ")
    assert postback_caption(signer.sign(GroupChoice(group="g1")), groups=groups) == "ระบุกลุ่มผู้รับบริการ: ผู้ประกอบการ"
    assert postback_caption(signer.sign(GroupChoice(group="unspecified")), groups=groups).endswith("ไม่ขอระบุ")
    for junk in ("", "hello", "fs1.sv", "fs1.zz.1.2.abc.sig", "fs1.sv.1.9.abc.sig", "fs1.sv.ก.2.abc.sig"):
        assert peek_postback(junk) is None
        assert postback_caption(junk) == "กดปุ่มที่ระบบอ่านไม่ได้"
