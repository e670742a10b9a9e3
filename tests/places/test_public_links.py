"""A case's public pages in what its citizen is told: the acknowledgement carries the status page's link (LINE Flex
button, Messenger web button) and the survey shows the officers' after-photo (LINE image message, Messenger image
attachment) when the service has a public https address; a plain http address gets the status page's link instead;
none, nothing. The links' tokens are the status page's own; a merged case shows its target's photo."""
from __future__ import annotations

import threading
from types import SimpleNamespace

from sqlalchemy import event

from agency.settings import Settings
from bot import replies
from bot.postbacks import PostbackSigner
from channels.facebook.render import messenger_messages
from channels.line.render import line_messages
from places import proof, service
from places.photos import clean_photo
from places.public import case_links, status_token
from storage.models import utcnow
from tests.places.conftest import AGENCY, HOME, north_of, officer, seed_case
from tests.places.test_proof import street_photo
from tests.support.chat import Chat

SIGNER = PostbackSigner(secret="s" * 40)
PUBLIC = "https://fangsiang.example.go.th"
FACTS = replies.CaseFacts(case_id=7, ticket="FS-2569-000007", unit_name="กองช่าง", status_name="รับเรื่องใหม่",
                          is_open=True)


def runtime_for(tmp_path, public_url: str) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    return SimpleNamespace(settings=Settings(_env_file=None, fangsiang_data_dir=tmp_path, fangsiang_secret_key="k" * 40,
                                             fangsiang_public_url=public_url))


def test_the_acknowledgement_carries_the_status_link_on_line_and_messenger() -> None:
    url = f"{PUBLIC}/t/{FACTS.ticket}?k=abc"
    reply = replies.case_acknowledgement(case=FACTS, intent="complaint", respond_days=1, agency="เทศบาล",
                                         signer=SIGNER, status_url=url)
    (flex,) = line_messages(reply)
    buttons = [b["action"] for b in flex["contents"]["footer"]["contents"]]
    assert buttons[0]["type"] == "postback" and {"type": "uri", "label": "ติดตามสถานะทางเว็บ", "uri": url} in buttons
    assert url in flex["altText"]
    (template,) = messenger_messages(reply)
    assert {"type": "web_url", "title": "ติดตามสถานะทางเว็บ", "url": url} in template["attachment"]["payload"]["buttons"]
    plain = replies.case_acknowledgement(case=FACTS, intent="complaint", respond_days=1, agency="เทศบาล", signer=SIGNER)
    assert "uri" not in str(line_messages(plain)) and "web_url" not in str(messenger_messages(plain))


def test_the_survey_shows_the_after_photo() -> None:
    photo, status = f"{PUBLIC}/t/{FACTS.ticket}/after/3?k=abc", f"{PUBLIC}/t/{FACTS.ticket}?k=abc"
    reply = replies.survey_question(case=FACTS, signer=SIGNER,
                                    links=replies.CaseLinks(status_url=status, after_photo_url=photo))
    image, question = line_messages(reply)
    assert image == {"type": "image", "originalContentUrl": photo, "previewImageUrl": photo}
    assert "ภาพหลังแก้ไข" in question["text"] and len(question["quickReply"]["items"]) == 5
    picture, asked = messenger_messages(reply)
    assert picture == {"attachment": {"type": "image", "payload": {"url": photo, "is_reusable": False}}}
    assert len(asked["quick_replies"]) == 5

    plain_http = replies.survey_question(case=FACTS, signer=SIGNER, links=replies.CaseLinks(
        status_url="http://intranet/t/x?k=1", after_photo_url="http://intranet/t/x/after/3?k=1"))
    (only,) = line_messages(plain_http)
    assert only["type"] == "text" and "ดูภาพหลังแก้ไขจากเจ้าหน้าที่ได้ที่ http://intranet/t/x?k=1" in only["text"]
    no_photo = replies.survey_question(case=FACTS, signer=SIGNER, links=replies.CaseLinks(status_url=status))
    assert [m["type"] for m in line_messages(no_photo)] == ["text"] and "ภาพหลังแก้ไข" not in no_photo.text


def test_case_links_use_the_status_pages_token_and_a_merged_cases_target_photo(backend: str, places_db,
                                                                               tmp_path) -> None:  # type: ignore[no-untyped-def]
    with places_db.session() as session:
        target = seed_case(session, text="ถนนหน้าตลาดเป็นหลุมค่ะ", unit="public_works", at=HOME, citizen="U-t",
                           embedded=False)
        merged = seed_case(session, text="หน้าตลาดถนนเป็นหลุมครับ", unit="public_works", at=north_of(50),
                           citizen="U-m", embedded=False)
        staff = officer(session)
        assert case_links(runtime_for(tmp_path, ""), session, case=target) is None
        runtime = runtime_for(tmp_path, PUBLIC + "/")
        links = case_links(runtime, session, case=target)
        token = status_token(secret="k" * 40, ticket=target.ticket)
        assert links == replies.CaseLinks(status_url=f"{PUBLIC}/t/{target.ticket}?k={token}")
        after = proof.add_after_photo(session, case=target, photo=clean_photo(street_photo(4), max_bytes=10**7),
                                      user=staff, data_dir=tmp_path, now=utcnow())
        service.merge(session, case=merged, into=target, user=staff, agency=AGENCY, now=utcnow())
        assert case_links(runtime, session, case=target).after_photo_url == \
            f"{PUBLIC}/t/{target.ticket}/after/{after.id}?k={token}"
        shown = case_links(runtime, session, case=merged)
        assert shown.status_url.startswith(f"{PUBLIC}/t/{merged.ticket}?k=")
        own = status_token(secret="k" * 40, ticket=merged.ticket)  # never the target's page key: its page is another's
        assert shown.after_photo_url == f"{PUBLIC}/t/{merged.ticket}/after/{after.id}?k={own}"


def test_the_acknowledgement_links_the_status_page_without_looking_up_after_photos(make_server,
                                                                                   platform_stub) -> None:  # type: ignore[no-untyped-def]
    server = make_server(fangsiang_public_url=PUBLIC)
    looked_up: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "fangsiang-consume" and "after_photos" in statement:
            looked_up.append(statement)

    event.listen(server.runtime.db.engine, "before_cursor_execute", note)
    try:
        citizen = Chat(server, platform_stub, "links-citizen")
        citizen.say("ไฟส่องสว่างในซอยเทศบาล 7 ดับมาสามคืนแล้วค่ะ มืดมาก เดินกลับบ้านไม่กล้า")
        card = citizen.wait_text("เลขที่เรื่อง")
    finally:
        event.remove(server.runtime.db.engine, "before_cursor_execute", note)
    uris = [b["action"]["uri"] for b in card["contents"]["footer"]["contents"] if b["action"]["type"] == "uri"]
    assert len(uris) == 1 and uris[0].startswith(f"{PUBLIC}/t/FS-") and "?k=" in uris[0]
    assert looked_up == [], "a new case has no after-photo: the acknowledgement never looks one up"
