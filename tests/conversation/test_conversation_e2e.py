"""The citizen's conversation end to end, through signed webhooks, the worker and the platform stub, on SQLite and on
PostgreSQL + Redis: privacy notice, case card, photo fetched, status by ticket (owner / stranger), new matter asked
and opened at its own unit, carousel pick, survey (low score → reason → reopened; high score → thanks), thanks after
resolution does not reopen, FAQ answered without a case, "ask an officer" opens one, bad postbacks, stickers and
emoji, a 20 MB photo, a failing content API — and every citizen text got a reply."""
from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from conversation.models import FaqAnswer, MediaFile, Survey
from storage.models import AuditEvent, Case, CaseNote, Message
from tests.support.chat import Chat, photo_png, quick_data, settle, text_of
from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub, RecordedRequest

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def carousel_buttons(message: dict) -> list[str]:
    assert message["type"] == "flex" and message["contents"]["type"] == "carousel", message
    return [b["footer"]["contents"][0]["action"]["data"] for b in message["contents"]["contents"]]


def case_rows(server: LiveServer, user_id: str | None = None) -> list[Case]:
    with server.runtime.db.session() as session:
        query = select(Case).order_by(Case.id)
        rows = list(session.scalars(query))
        session.expunge_all()
    return rows


def test_the_citizens_conversation(make_server, platform_stub: PlatformStub, backend: str) -> None:
    server: LiveServer = make_server(backend, fangsiang_media_max_bytes=5_000_000)
    photo = photo_png()
    platform_stub.contents["IMG1"] = ("image/png", photo)

    # First contact: the PDPA notice once, with the agency's privacy policy, and the menu.
    owner = Chat(server, platform_stub, "owner")
    owner.follow()
    first = owner.answers()
    assert "https://www.fangsiang.go.th/privacy" in " ".join(text_of(m) for m in first)
    assert "quickReply" in first[-1]

    # A complaint: a Flex case card with altText, at the right unit; a photo is fetched through the content API.
    owner.say("ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอไซค์ล้มไปสองคันแล้วครับ ซอยเทศบาล 5 หมู่ 3")
    (road,) = case_rows(server)
    assert road.unit_code == "public_works" and road.status == "new"
    card = owner.wait_text(road.ticket)
    assert card["type"] == "flex" and road.ticket in card["altText"] and "กองช่าง" in card["altText"]
    assert sum("privacy" in text_of(m) for m in owner.answers()) == 1, "the notice is sent once"
    owner.image("IMG1")
    owner.wait_text(f"ได้รับข้อมูลเพิ่มเติมสำหรับเรื่อง {road.ticket}")
    stored = server.wait_until(lambda: _media(server, "line:IMG1", "stored"))
    assert (server.settings.data_dir / stored.path).read_bytes() == photo
    with server.runtime.db.session() as session:
        first_in = session.scalars(select(Message).where(Message.case_id == road.id, Message.kind == "text")
                                   .order_by(Message.id)).first()
        assert first_in.embedding and len(first_in.embedding) == 384 * 2, "the e5 vector is stored once, float16"

    # Status by ticket, written with Thai digits and no dashes: the owner gets it, nothing is opened.
    number = road.ticket.split("-")
    owner.say(f"เรื่อง {number[0]}{number[1]}{number[2]} ถึงไหนแล้วครับ".translate(THAI_DIGITS))
    status = owner.last()
    assert road.ticket in text_of(status) and "กองช่าง" in text_of(status)
    assert len(case_rows(server)) == 1

    # A stranger asking about the same ticket learns nothing of it; a ticket that does not exist gets the same words.
    stranger = Chat(server, platform_stub, "stranger")
    stranger.say(f"ขอสอบถามเรื่อง {road.ticket} ค่ะ")
    refused = text_of(stranger.last())
    assert "กองช่าง" not in refused and "หลุม" not in refused
    unknown_ticket = f"{number[0]}-{number[1]}-999999"
    stranger.say(f"ติดตามเรื่อง {unknown_ticket} ค่ะ")
    assert text_of(stranger.last()).replace(unknown_ticket, "T") == refused.replace(road.ticket, "T")
    assert len(case_rows(server)) == 1, "a status question never opens a case"

    # A different matter while the road case is open: asked, then opened with its own routing and card.
    owner.say("อีกเรื่องนะครับ ร้านคาราโอเกะข้างบ้านเปิดเพลงเสียงดังทุกคืนจนตีสอง นอนไม่ได้เลย")
    asked = owner.last()
    assert road.ticket in text_of(asked)
    owner.tap(quick_data(asked, "แจ้งเรื่องใหม่"))
    noise = case_rows(server)[-1]
    assert noise.id != road.id and noise.unit_code != "public_works"
    owner.wait_text(noise.ticket)
    owner.tap(quick_data(asked, "แจ้งเรื่องใหม่"))  # the old button pressed again: told where it is, nothing opened
    owner.wait_text(f"บันทึกไว้ในเรื่องเลขที่ {noise.ticket} แล้วค่ะ")
    assert len(case_rows(server)) == 2

    # Several open cases: a carousel to pick from; the pick answers with that case.
    owner.say("ติดตามเรื่องครับ")
    buttons = carousel_buttons(owner.last())
    assert len(buttons) == 2
    owner.tap(buttons[-1])
    assert road.ticket in text_of(owner.last())
    with server.runtime.db.session() as session:  # the question and the pick are on the picked case
        asked_at = session.scalars(select(Message).where(Message.text == "ติดตามเรื่องครับ")).one()
        pick = session.scalars(select(Message).where(Message.kind == "postback", Message.direction == "in")
                               .order_by(Message.id.desc()).limit(1)).one()
        assert (asked_at.case_id, pick.case_id) == (road.id, road.id)

    # Resolution → survey → low score → reason "ยังไม่ได้รับการแก้ไข" → reopened, the unit told, stored and audited.
    works = server.add_user("works@example.go.th", role="officer", unit="public_works") and \
        server.token("works@example.go.th")
    response = server.client.post(f"/api/cases/{road.id}/status", headers=works,
                                  json={"status": "resolved", "note": "ซ่อมถนนเรียบร้อยแล้ว", "no_photo_reason": "ซ่อมเสร็จตอนกลางคืน ถ่ายภาพไม่ได้"})
    assert response.status_code == 200, response.text
    survey = owner.wait_text("ประเมินความพึงพอใจ")
    score_two = quick_data(survey, "พึงพอใจน้อย")
    stranger.tap(score_two)  # somebody else's survey: refused, nothing stored
    assert _survey(server, road.id).score is None
    owner.tap(score_two)
    reason = owner.last()
    owner.tap(quick_data(reason, "ยังไม่ได้รับการแก้ไข"))
    with server.runtime.db.session() as session:
        reopened = session.get(Case, road.id)
        assert reopened.status == "in_progress"
        assert session.scalars(select(CaseNote).where(CaseNote.case_id == road.id)).first() is not None
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == road.id)))
        assert {"survey_asked", "survey_answered", "survey_reason", "reopened"} <= actions
    detail = server.client.get(f"/api/cases/{road.id}", headers=works).json()
    assert detail["satisfaction"]["score"] == 2 and detail["satisfaction"]["reason"] == "unresolved"
    owner.tap(score_two)  # answering the same survey again: thanked, not counted twice
    assert "ปิดรับคำตอบ" in text_of(owner.last())

    # The noise case resolved → high score → thanks; then "ขอบคุณมากครับ" and a sticker do not reopen it.
    env = server.add_user("env@example.go.th", role="officer", unit=noise.unit_code) and \
        server.token("env@example.go.th")
    assert server.client.post(f"/api/cases/{noise.id}/status", headers=env,
                              json={"status": "resolved", "note": "ตักเตือนร้านแล้ว"}).status_code == 200
    server.wait_until(lambda: _survey(server, noise.id))
    survey = server.wait_until(lambda: next((m for m in reversed(owner.answers())
                                             if noise.ticket in text_of(m) and "ประเมิน" in text_of(m)), None))
    owner.tap(quick_data(survey, "พึงพอใจมากที่สุด"))
    assert _survey(server, noise.id).score == 5
    assert server.client.post(f"/api/cases/{road.id}/status", headers=works,
                              json={"status": "resolved", "note": "ซ่อมใหม่แล้ว", "no_photo_reason": "ซ่อมเสร็จตอนกลางคืน ถ่ายภาพไม่ได้"}).status_code == 200
    settle(server)
    owner.say("ขอบคุณมากครับ")
    owner.sticker()
    with server.runtime.db.session() as session:
        assert session.get(Case, road.id).status == "resolved"
        assert session.get(Case, noise.id).status == "resolved"
    assert "ยินดี" in text_of(owner.answers()[-2])

    # "The problem is back" reopens.
    owner.say("ถนนเป็นหลุมอีกแล้วครับ ซ่อมไปไม่ถึงอาทิตย์ก็พังอีก")
    with server.runtime.db.session() as session:
        assert session.get(Case, road.id).status == "in_progress"

    # FAQ: answered at once without a case; "ต้องการสอบถามเจ้าหน้าที่" opens a question case.
    asker = Chat(server, platform_stub, "asker")
    before = len(case_rows(server))
    asker.say("แจ้งย้ายเข้าทะเบียนบ้านต้องใช้เอกสารอะไรบ้างคะ")
    answer = asker.last()
    assert "quickReply" in answer and len(case_rows(server)) == before
    with server.runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(FaqAnswer)) == 1
    asker.tap(quick_data(answer, "สอบถามเจ้าหน้าที่"))
    question = case_rows(server)[-1]
    assert len(case_rows(server)) == before + 1 and question.intent == "question"
    asker.wait_text(question.ticket)

    # Bad input: forged, malformed postbacks; sticker-only and emoji-only; none crash, none change a case.
    quiet = Chat(server, platform_stub, "quiet")
    forged = score_two[:-4] + ("AAAA" if not score_two.endswith("AAAA") else "BBBB")
    quiet.tap(forged)
    assert "ปุ่มนี้หมดอายุ" in text_of(quiet.last())
    quiet.tap("fs1.sv.zz")
    assert "ปุ่มนี้หมดอายุ" in text_of(quiet.last())
    quiet.sticker()
    quiet.say("🙏🙏")
    assert len(case_rows(server)) == before + 1

    # A 20 MB photo is refused by size; a failing content API is retried and the case still opens.
    platform_stub.contents["BIG"] = ("image/jpeg", b"\xff" * 20_000_000)
    platform_stub.content_failures = 2
    platform_stub.contents["IMG2"] = ("image/png", photo)
    late = Chat(server, platform_stub, "late")
    late.image("IMG2")
    late.say("ท่อระบายน้ำอุดตัน น้ำเน่าส่งกลิ่นเหม็นหน้าบ้านเลขที่ 9 หมู่ 2")
    late.image("BIG")
    assert server.wait_until(lambda: _media(server, "line:BIG", "too_large"))
    retried = server.wait_until(lambda: _media(server, "line:IMG2", "stored"), timeout=30)
    assert retried.attempts >= 2
    drain = case_rows(server)[-1]
    with server.runtime.db.session() as session:
        assert session.get(Message, session.scalars(select(MediaFile.message_id).where(
            MediaFile.source == "line:IMG2")).one()).case_id == drain.id

    # Never silent: every citizen text got an answer after it.
    with server.runtime.db.session() as session:
        texts = list(session.scalars(select(Message).where(Message.direction == "in", Message.kind == "text")))
        unanswered = [m.text for m in texts if not session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "out",
                                                            Message.contact_id == m.contact_id, Message.id > m.id))]
    assert len(texts) >= 10 and unanswered == []


def _media(server: LiveServer, source: str, status: str) -> MediaFile | None:
    with server.runtime.db.session() as session:
        row = session.scalars(select(MediaFile).where(MediaFile.source == source, MediaFile.status == status)).first()
        if row is not None:
            session.expunge(row)
        return row


def _survey(server: LiveServer, case_id: int) -> Survey | None:
    with server.runtime.db.session() as session:
        row = session.scalars(select(Survey).where(Survey.case_id == case_id)).first()
        if row is not None:
            session.expunge(row)
        return row


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_burst_of_photos_gets_one_acknowledgement_and_a_text_its_own(make_server, platform_stub: PlatformStub,
                                                                       backend: str) -> None:
    server: LiveServer = make_server(backend)
    citizen = Chat(server, platform_stub, "burst")
    citizen.say("ท่อระบายน้ำหน้าบ้านอุดตัน น้ำขังส่งกลิ่นเหม็นมาก ซอยเทศบาล 9 ครับ")
    (case,) = case_rows(server)
    for n in range(3):
        platform_stub.contents[f"BURST{n}"] = ("image/png", photo_png())
        citizen.image(f"BURST{n}")
    citizen.say("ถ่ายมาให้ดูหลายมุมครับ")
    acknowledged = [m for m in citizen.answers() if f"ได้รับข้อมูลเพิ่มเติมสำหรับเรื่อง {case.ticket}" in text_of(m)]
    # three photos within minutes: one acknowledgement; the text after them is answered too (issue 16: every text
    # the citizen writes gets an answer, the throttle is for media bursts)
    assert len(acknowledged) == 2, "one for the photo burst, one for the text"
    with server.runtime.db.session() as session:
        attached = session.scalar(select(func.count()).select_from(Message).where(Message.case_id == case.id,
                                                                                 Message.direction == "in"))
    assert attached == 5 and len(case_rows(server)) == 1


def test_a_messenger_quick_reply_that_carries_words_is_answered_as_those_words(make_server, platform_stub: PlatformStub,
                                                                               backend: str) -> None:
    """The FAQ menu's common questions are quick replies whose payload is the question: tapping one is asking it."""
    server: LiveServer = make_server(backend)
    question = "แจ้งย้ายเข้าทะเบียนบ้านต้องใช้เอกสารอะไรบ้างคะ"
    body = server.facebook_text("ย้ายเข้าทะเบียนบ้าน", user="psid-tap")
    body["entry"][0]["messaging"][0]["message"]["quick_reply"] = {"payload": question}
    assert server.post_facebook(body).status_code == 200
    settle(server)
    with server.runtime.db.session() as session:
        tapped = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert (tapped.kind, tapped.text) == ("text", question)
        assert session.scalar(select(func.count()).select_from(FaqAnswer)) == 1, "answered from the FAQ"
    told = " ".join(r.text for r in platform_stub.sent("/me/messages"))
    assert "ปุ่มนี้หมดอายุ" not in told and "ทะเบียนบ้าน" in told
    assert case_rows(server) == []


def test_a_messenger_photo_is_downloaded_while_its_url_is_valid(make_server, platform_stub: PlatformStub,
                                                                  backend: str) -> None:
    server: LiveServer = make_server(backend)
    photo = photo_png()
    platform_stub.contents["fbcdn/pothole.png"] = ("image/png", photo)
    server.post_facebook(server.facebook_text("ถนนหน้าตลาดเป็นหลุมลึก น้ำขังทุกครั้งที่ฝนตกครับ", user="psid-photo"))
    settle(server)
    (case,) = case_rows(server)
    for name in ("pothole.png", "expired.png"):  # the second URL has expired by the time the worker fetches it
        body = server.facebook_text("", user="psid-photo")
        body["entry"][0]["messaging"][0]["message"] = {
            "mid": f"m_{uuid.uuid4().hex}",
            "attachments": [{"type": "image", "payload": {"url": f"{platform_stub.url}/fbcdn/{name}"}}]}
        assert server.post_facebook(body).status_code == 200
    settle(server)
    stored = server.wait_until(lambda: _media(server, f"{platform_stub.url}/fbcdn/pothole.png", "stored"))
    assert (server.settings.data_dir / stored.path).read_bytes() == photo
    server.wait_until(lambda: _media(server, f"{platform_stub.url}/fbcdn/expired.png", "failed"))
    with server.runtime.db.session() as session:
        attached = session.scalars(select(Message).where(Message.id == stored.message_id)).one()
        assert attached.case_id == case.id, "the photo follows up the citizen's open case"
    assert len(case_rows(server)) == 1


def test_rich_menu_and_messenger_menu_commands(platform_stub: PlatformStub, tmp_path) -> None:
    from fangsiang.cli import main
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, platform_stub, tmp_path / "models")
    import os

    env = {"LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token, "LINE_API_BASE_URL": platform_stub.url,
           "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token", "FACEBOOK_GRAPH_URL": platform_stub.url + "/",
           "FANGSIANG_DATA_DIR": str(tmp_path / "data"), "FANGSIANG_SECRET_KEY": "k" * 40}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        from agency.settings import get_settings

        get_settings.cache_clear() if hasattr(get_settings, "cache_clear") else None
        assert main(["line", "rich-menu"]) == 0
        assert main(["facebook", "menu"]) == 0
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    created: RecordedRequest = platform_stub.sent("/v2/bot/richmenu")[0]
    menu = created.json
    assert menu["size"] == {"width": 2500, "height": 843} or menu["size"]["width"] == 2500
    assert len(menu["areas"]) == 4 and all(a["action"]["type"] == "postback" for a in menu["areas"])
    upload = next(r for r in platform_stub.sent("/content") if r.path.startswith("/v2/bot/richmenu/"))
    assert upload.headers["content-type"] == "image/png" and upload.body[:8] == b"\x89PNG\r\n\x1a\n"
    Image.open(io.BytesIO(upload.body)).verify()
    assert platform_stub.sent("/v2/bot/user/all/richmenu/")
    profile = platform_stub.sent("/me/messenger_profile")[0]
    body = profile.json
    assert body["get_started"]["payload"] and len(body["persistent_menu"][0]["call_to_actions"]) == 4
