"""The bot's replies: what they say, and that LINE and Messenger renderings respect every platform limit."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from agency.vocabulary import PRIVACY_POLICY_NAME
from bot import replies as r
from bot.postbacks import (
    FaqFeedback,
    FollowUpChoice,
    GroupChoice,
    MenuChoice,
    PostbackSigner,
    StatusRequest,
    SurveyReason,
    SurveyScore,
)
from channels.facebook.render import comment_message, messenger_messages
from channels.line.render import line_messages

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
SIGNER = PostbackSigner(secret="test-secret-of-enough-length", clock=lambda: NOW)
LONG_UNIT = "กองสาธารณสุขและสิ่งแวดล้อม (งานรักษาความสะอาดและกำจัดขยะมูลฝอย) " * 3
LONG_REPLY = "เจ้าหน้าที่ได้ลงพื้นที่ตรวจสอบแล้ว พบว่าท่อระบายน้ำอุดตันจากเศษวัสดุก่อสร้าง " * 40


def case(n: int = 1, **overrides) -> r.CaseFacts:
    values = dict(case_id=n, ticket=f"FS-2569-{n:06d}", unit_name="กองช่าง", status_name="กำลังดำเนินการ",
                  is_open=True, due_at=dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC),
                  subject="ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มไปสองคันแล้ว ซอย 5 หมู่ 3")
    values.update(overrides)
    return r.CaseFacts(**values)


def every_reply() -> dict[str, r.Reply]:
    """Every reply the bot can give, with the longest inputs it may meet."""
    groups = [(f"g{i}", f"กลุ่มผู้ใช้บริการที่ยาวมากลำดับที่ {i}") for i in range(20)]
    topics = [(f"คำถามยอดนิยมข้อที่ {i} ที่ยาวมาก", f"คำถามข้อที่ {i}") for i in range(20)]
    return {
        "ack_complaint": r.case_acknowledgement(case=case(status_name="รับเรื่องใหม่"), intent="complaint",
                                                respond_days=1, agency="ทต.ฟังเสียง", phone="0 2123 4567",
                                                signer=SIGNER),
        "ack_question": r.case_acknowledgement(case=case(), intent="question", respond_days=1, agency="ทต.ฟังเสียง",
                                               signer=SIGNER),
        "ack_long_unit": r.case_acknowledgement(case=case(unit_name=LONG_UNIT), intent="suggestion", respond_days=30,
                                                agency="เทศบาลตำบลฟังเสียง", signer=SIGNER),
        "ack_praise": r.case_acknowledgement(case=case(), intent="praise", respond_days=1, agency="ทต.ฟังเสียง",
                                             signer=SIGNER),
        "praise": r.praise_thanks(agency="ทต.ฟังเสียง"),
        "comment": r.comment_reply(agency="ทต.ฟังเสียง", ticket="FS-2569-000001"),
        "status": r.status_answer(case=case(last_officer_reply=LONG_REPLY, last_officer_reply_at=NOW), signer=SIGNER),
        "status_resolved": r.status_answer(case=case(status_name="ดำเนินการแล้วเสร็จ", is_open=False), signer=SIGNER),
        "pick_3": r.pick_case(cases=[case(i) for i in range(1, 4)], signer=SIGNER),
        "pick_15": r.pick_case(cases=[case(i, unit_name=LONG_UNIT, subject=LONG_REPLY) for i in range(1, 16)],
                               signer=SIGNER),
        "unknown": r.ticket_unknown(ticket="FS-2569-999999", signer=SIGNER),
        "no_cases": r.no_open_cases(signer=SIGNER),
        "follow_up": r.follow_up_received(ticket="FS-2569-000001"),
        "new_or_follow": r.new_or_follow_up(case=case(), message_id=991, signer=SIGNER),
        "reopened": r.case_reopened(ticket="FS-2569-000001", unit_name="กองช่าง"),
        "survey": r.survey_question(case=case(is_open=False), signer=SIGNER),
        "survey_reason": r.survey_reason_question(case_id=1, ticket="FS-2569-000001", signer=SIGNER),
        "survey_other": r.survey_other_reason_prompt(),
        "survey_thanks_5": r.survey_thanks(score=5),
        "survey_thanks_1": r.survey_thanks(score=1),
        "survey_thanks_reopened": r.survey_thanks(score=1, reopened_unit="กองช่าง"),
        "survey_closed": r.survey_closed(ticket="FS-2569-000001"),
        "expired": r.button_expired(signer=SIGNER),
        "thanks_after": r.thanks_after_resolution(agency="ทต.ฟังเสียง"),
        "faq": r.faq_answer(entry_id="house-move-in", answer=LONG_REPLY[:1500], signer=SIGNER),
        "faq_resolved": r.faq_resolved(),
        "faq_prompt": r.faq_prompt(topics=topics, signer=SIGNER),
        "report": r.report_prompt(),
        "contact": r.contact_officer(agency="ทต.ฟังเสียง", phone="0 2123 4567", signer=SIGNER),
        "privacy": r.privacy_notice(agency="ทต.ฟังเสียง", policy_url="https://www.fangsiang.go.th/privacy"),
        "group": r.group_question(groups=groups, signer=SIGNER),
        "group_thanks": r.group_thanks(),
        "gentle": r.gentle_prompt(agency="ทต.ฟังเสียง", signer=SIGNER),
    }


REPLIES = every_reply()


def check_line_action(action: dict) -> None:
    assert action["type"] in {"postback", "message", "location", "camera", "cameraRoll", "uri"}
    assert 1 <= len(action["label"]) <= 20, action
    if action["type"] == "postback":
        assert len(action["data"]) <= 300 and len(action["displayText"]) <= 300
    if action["type"] == "message":
        assert 1 <= len(action["text"]) <= 300


def walk(node):
    """Every dict inside a JSON-like value."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def check_line(messages: list[dict]) -> None:
    """LINE Messaging API limits for what we send."""
    assert 1 <= len(messages) <= 5
    for message in messages:
        assert message["type"] in {"text", "flex"}
        if message["type"] == "text":
            assert 1 <= len(message["text"]) <= 5000
        else:
            assert 1 <= len(message["altText"]) <= 400
            contents = message["contents"]
            assert contents["type"] in {"bubble", "carousel"}
            if contents["type"] == "carousel":
                assert 1 <= len(contents["contents"]) <= 12
                assert len(json.dumps(contents, ensure_ascii=False).encode()) <= 50_000
            bubbles = contents["contents"] if contents["type"] == "carousel" else [contents]
            for bubble in bubbles:
                assert len(json.dumps(bubble, ensure_ascii=False).encode()) <= 30_000
            for node in walk(contents):
                if node.get("type") == "text":
                    assert node["text"].strip()
                if node.get("type") == "button":
                    check_line_action(node["action"])
        if "quickReply" in message:
            items = message["quickReply"]["items"]
            assert 1 <= len(items) <= 13
            for item in items:
                assert item["type"] == "action"
                check_line_action(item["action"])


def check_messenger(messages: list[dict]) -> None:
    """Messenger Send API limits for what we send."""
    assert messages
    for message in messages:
        if "text" in message:
            assert 1 <= len(message["text"]) <= 2000
        else:
            payload = message["attachment"]["payload"]
            if payload["template_type"] == "button":
                assert 1 <= len(payload["text"]) <= 640
                assert 1 <= len(payload["buttons"]) <= 3
            else:
                assert payload["template_type"] == "generic"
                assert 1 <= len(payload["elements"]) <= 10
                for element in payload["elements"]:
                    assert 1 <= len(element["title"]) <= 80 and len(element.get("subtitle", "")) <= 80
                    assert len(element.get("buttons", [])) <= 3
            for button in walk(payload):
                if "type" in button and button.get("type") in {"postback", "web_url", "phone_number"}:
                    assert 1 <= len(button["title"]) <= 20
                    if button["type"] != "web_url":
                        assert 1 <= len(button["payload"]) <= 1000
    for message in messages[:-1]:
        assert "quick_replies" not in message
    for quick in messages[-1].get("quick_replies", []):
        assert quick["content_type"] == "text"
        assert 1 <= len(quick["title"]) <= 20 and 1 <= len(quick["payload"]) <= 1000
    assert len(messages[-1].get("quick_replies", [])) <= 13


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_every_reply_fits_both_platforms(name: str) -> None:
    reply = REPLIES[name]
    assert reply.text.strip()
    check_line(line_messages(reply))
    check_messenger(messenger_messages(reply))
    assert len(reply.quick_replies) <= 13
    for quick in reply.quick_replies:
        assert 1 <= len(quick.label) <= 20


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_the_bot_speaks_politely_as_a_woman(name: str) -> None:
    text = REPLIES[name].text
    assert "ครับ" not in text
    if name not in {"group_thanks"}:
        assert re.search(r"ค่ะ|คะ", text), text


def test_acknowledgement_is_a_case_card_with_text_fallback() -> None:
    reply = REPLIES["ack_complaint"]
    card = reply.cards[0]
    assert card.title == "FS-2569-000001" and card.status == "รับเรื่องใหม่"
    assert ("ผู้รับผิดชอบ", "กองช่าง") in card.rows
    assert ("กำหนดแล้วเสร็จ", "20 มี.ค. 2569") in card.rows      # Buddhist Era, Bangkok
    for part in ("FS-2569-000001", "กองช่าง", "20 มี.ค. 2569", "รับเรื่องใหม่", "0 2123 4567"):
        assert part in reply.text
    [message] = line_messages(reply)
    assert message["type"] == "flex" and message["contents"]["type"] == "bubble"
    assert "FS-2569-000001" in message["altText"] and "กองช่าง" in message["altText"]
    footer_action = message["contents"]["footer"]["contents"][0]["action"]
    assert SIGNER.read(footer_action["data"]).action == StatusRequest(case_id=1)
    kinds = {item["action"]["type"] for item in message["quickReply"]["items"]}
    assert kinds == {"location", "camera", "cameraRoll"}
    messenger = messenger_messages(reply)
    assert "FS-2569-000001" in json.dumps(messenger, ensure_ascii=False)
    assert "quick_replies" not in messenger[-1]  # Messenger has no location/camera quick replies


def test_praise_gets_thanks_without_ticket_or_deadline() -> None:
    for reply in (REPLIES["ack_praise"], REPLIES["praise"]):
        assert not reply.cards
        assert "FS-" not in reply.text and "เลขที่" not in reply.text
        assert "กำหนด" not in reply.text and "วันทำการ" not in reply.text and "ภายใน" not in reply.text
        assert "ขอบคุณ" in reply.text


def test_status_answer_has_status_unit_deadline_and_last_officer_reply() -> None:
    reply = REPLIES["status"]
    for part in ("FS-2569-000001", "กำลังดำเนินการ", "กองช่าง", "20 มี.ค. 2569", "คำตอบล่าสุดจากเจ้าหน้าที่",
                 "2 มี.ค. 2569"):
        assert part in reply.text
    assert len(reply.text) < 700  # a long officer reply is quoted, not pasted whole
    resolved = REPLIES["status_resolved"]
    assert "ดำเนินการแล้วเสร็จ" in resolved.text and "กำหนดแล้วเสร็จ" not in resolved.text
    assert "ยังพบปัญหา" in resolved.text


def test_several_open_cases_become_a_carousel_of_at_most_ten() -> None:
    reply = REPLIES["pick_15"]
    assert len(reply.cards) == 10 and "15 เรื่อง" in reply.text
    [message] = line_messages(reply)
    assert message["contents"]["type"] == "carousel" and len(message["contents"]["contents"]) == 10
    picks = [b["footer"]["contents"][0]["action"]["data"] for b in message["contents"]["contents"]]
    assert [SIGNER.read(p).action for p in picks] == [StatusRequest(case_id=i) for i in range(1, 11)]
    messenger = messenger_messages(reply)
    generic = messenger[-1]["attachment"]["payload"]
    assert generic["template_type"] == "generic" and len(generic["elements"]) == 10
    assert generic["elements"][0]["title"].startswith("FS-2569-000001")
    assert SIGNER.read(generic["elements"][2]["buttons"][0]["payload"]).action == StatusRequest(case_id=3)


def test_unknown_ticket_reveals_nothing() -> None:
    reply = REPLIES["unknown"]
    assert "FS-2569-999999" in reply.text  # only what the citizen typed
    for secret in ("กอง", "สถานะ:", "กำหนด", "ถนน"):
        assert secret not in reply.text
    assert not reply.cards


def test_new_or_follow_up_question() -> None:
    reply = REPLIES["new_or_follow"]
    assert "FS-2569-000001" in reply.text
    attach, new = reply.quick_replies
    assert attach.label == "เพิ่มเติมเรื่องเดิม" and attach.text == "เพิ่มเติมเรื่องเดิม FS-2569-000001"
    assert new.label == "แจ้งเรื่องใหม่"
    assert SIGNER.read(attach.data).action == FollowUpChoice(case_id=1, message_id=991, attach=True)
    assert SIGNER.read(new.data).action == FollowUpChoice(case_id=1, message_id=991, attach=False)
    [message] = line_messages(reply)
    assert message["quickReply"]["items"][0]["action"]["displayText"] == "เพิ่มเติมเรื่องเดิม FS-2569-000001"


def test_follow_up_acknowledgement_names_the_ticket() -> None:
    assert REPLIES["follow_up"].text.startswith("ได้รับข้อมูลเพิ่มเติมสำหรับเรื่อง FS-2569-000001 แล้วค่ะ")


def test_survey_scale_runs_from_most_to_least_satisfied() -> None:
    reply = REPLIES["survey"]
    labels = [q.label for q in reply.quick_replies]
    assert labels == ["พึงพอใจมากที่สุด", "พึงพอใจมาก", "พึงพอใจปานกลาง", "พึงพอใจน้อย", "พึงพอใจน้อยที่สุด"]
    scores = [SIGNER.read(q.data).action for q in reply.quick_replies]
    assert scores == [SurveyScore(case_id=1, score=s) for s in (5, 4, 3, 2, 1)]
    reasons = REPLIES["survey_reason"].quick_replies
    assert [q.label for q in reasons] == ["ดำเนินการล่าช้า", "ยังไม่ได้รับการแก้ไข", "การสื่อสาร/มารยาท", "อื่น ๆ"]
    assert SIGNER.read(reasons[1].data).action == SurveyReason(case_id=1, reason="unresolved")
    assert "ขออภัย" in REPLIES["survey_thanks_1"].text and "ขอบคุณ" in REPLIES["survey_thanks_5"].text
    assert "เปิดเรื่องอีกครั้ง" in REPLIES["survey_thanks_reopened"].text


def test_faq_answer_offers_resolved_or_an_officer() -> None:
    reply = r.faq_answer(entry_id="waste-days", answer="เก็บขยะทุกวันจันทร์และพฤหัสบดีค่ะ", signer=SIGNER)
    assert reply.text.startswith("เก็บขยะทุกวันจันทร์และพฤหัสบดีค่ะ")
    done, officer = reply.quick_replies
    assert done.label == "ได้คำตอบแล้ว ขอบคุณ" and officer.text == "ต้องการสอบถามเจ้าหน้าที่"
    assert SIGNER.read(done.data).action == FaqFeedback(entry_id="waste-days", outcome="resolved")
    assert SIGNER.read(officer.data).action == FaqFeedback(entry_id="waste-days", outcome="ask_officer")
    assert messenger_messages(reply)[0]["quick_replies"][1]["title"] == "สอบถามเจ้าหน้าที่"


def test_menu_quick_replies_and_faq_examples() -> None:
    reply = REPLIES["expired"]
    assert [SIGNER.read(q.data).action for q in reply.quick_replies] == [
        MenuChoice(item=i) for i in ("report", "status", "faq", "contact")]
    prompt = REPLIES["faq_prompt"]
    assert len(prompt.quick_replies) == 13 and prompt.quick_replies[0].kind == "message"
    [message] = line_messages(prompt)
    first = message["quickReply"]["items"][0]["action"]
    assert first["type"] == "message" and first["text"] == "คำถามข้อที่ 0"
    assert messenger_messages(prompt)[0]["quick_replies"][0]["payload"] == "คำถามข้อที่ 0"


def test_privacy_notice_links_the_policy() -> None:
    reply = REPLIES["privacy"]
    assert "https://www.fangsiang.go.th/privacy" in reply.text and PRIVACY_POLICY_NAME in reply.text
    assert len(reply.text) <= 400  # short
    [template] = messenger_messages(reply)
    button = template["attachment"]["payload"]["buttons"][0]
    assert button == {"type": "web_url", "title": "อ่านนโยบาย", "url": "https://www.fangsiang.go.th/privacy"}


def test_contact_has_a_call_button_on_messenger() -> None:
    [template] = messenger_messages(REPLIES["contact"])
    payload = template["attachment"]["payload"]
    assert payload["buttons"][0] == {"type": "phone_number", "title": "โทรหาเจ้าหน้าที่", "payload": "021234567"}
    assert "0 2123 4567" in line_messages(REPLIES["contact"])[0]["text"]


def test_group_question_caps_options_and_offers_no_answer() -> None:
    reply = REPLIES["group"]
    assert len(reply.quick_replies) == 13
    assert SIGNER.read(reply.quick_replies[0].data).action == GroupChoice(group="g0")
    assert SIGNER.read(reply.quick_replies[-1].data).action == GroupChoice(group="unspecified")


def test_page_comment_stays_public_and_short() -> None:
    reply = REPLIES["comment"]
    assert reply.public and "Messenger" in reply.text and len(reply.text) <= 200
    assert comment_message(reply) == reply.text


def test_clip_never_splits_thai_marks() -> None:
    text = "เจ้าหน้าที่ได้รับเรื่องแล้ว"
    for limit in range(1, len(text) + 2):
        cut = r.clip(text, limit)
        assert len(cut) <= limit
        body = cut.rstrip("…")
        assert text.startswith(body)
        assert not body or body[-1] not in "เแโใไ"
        if len(body) < len(text):
            import unicodedata
            assert unicodedata.category(text[len(body)]) != "Mn"
