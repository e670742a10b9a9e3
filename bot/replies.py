"""Everything the citizen is told, in polite Thai (ค่ะ): the conversation's answers as channel-neutral replies (text,
quick replies, optional cards and links; each channel's `channels/<name>/render.py` turns a reply
into each platform's message JSON), and the plain texts sent when an officer acts on their case."""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from agency.thaitime import thai_date
from agency.vocabulary import PRIVACY_POLICY_NAME, SURVEY_LABELS, SURVEY_REASON_LABELS, Intent, Status
from bot.postbacks import (
    FaqFeedback,
    FollowUpChoice,
    GroupChoice,
    MenuChoice,
    Postback,
    PostbackSigner,
    StatusRequest,
    SurveyReason,
    SurveyScore,
    peek_postback,
)

LABEL_LIMIT = 20          # quick-reply labels on LINE and titles on Messenger
QUICK_REPLY_LIMIT = 13    # both platforms
CAROUSEL_LIMIT = 10       # cases offered to pick from
QUOTE_LIMIT = 300         # an officer's reply quoted in a status answer

MENU_LABELS = {"report": "แจ้งเรื่อง", "status": "ติดตามเรื่อง", "faq": "คำถามที่พบบ่อย", "contact": "ติดต่อเจ้าหน้าที่"}
ACK_OPENINGS = {
    Intent.COMPLAINT: ("รับเรื่องร้องเรียนแล้ว", "ได้รับเรื่องร้องเรียนของท่านแล้วค่ะ"),
    Intent.SUGGESTION: ("รับข้อเสนอแนะแล้ว", "ขอบคุณสำหรับข้อเสนอแนะค่ะ เราได้รับเรื่องของท่านแล้ว"),
    Intent.QUESTION: ("รับคำถามแล้ว", "ได้รับคำถามของท่านแล้วค่ะ"),
}


@dataclass(frozen=True)
class QuickReply:
    """A button under a message: a signed postback, a message the citizen sends, or a LINE location/camera action."""

    label: str
    data: str | None = None
    text: str | None = None
    kind: str = "postback"  # postback | message | location | camera | camera_roll


@dataclass(frozen=True)
class Link:
    """A web page (https://) or phone number (tel:) button."""

    label: str
    url: str


@dataclass(frozen=True)
class Card:
    """A case shown as a card: LINE Flex bubble, Messenger generic-template element."""

    heading: str
    title: str
    status: str
    rows: tuple[tuple[str, str], ...] = ()
    note: str = ""
    button: QuickReply | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot says: the text (also the fallback of any card), quick replies, cards and links."""

    text: str
    quick_replies: tuple[QuickReply, ...] = ()
    cards: tuple[Card, ...] = ()
    links: tuple[Link, ...] = ()
    public: bool = False
    image: str = ""  # a picture shown before the text (a public https:// URL), e.g. the after-photo with the survey


@dataclass(frozen=True)
class CaseLinks:
    """A case's public pages, for its citizen: the status page (with its token) and the latest after-photo."""

    status_url: str
    after_photo_url: str | None = None


STATUS_LINK_LABEL = "ติดตามสถานะทางเว็บ"


@dataclass(frozen=True)
class CaseFacts:
    """What a citizen may be told about their own case (the caller checked that it is theirs)."""

    case_id: int
    ticket: str
    unit_name: str
    status_name: str
    is_open: bool
    due_at: dt.datetime | None = None
    subject: str = ""
    last_officer_reply: str | None = None
    last_officer_reply_at: dt.datetime | None = None


def clip(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters with "…", never leaving a Thai mark without its letter."""
    text = text or ""
    if len(text) <= limit:
        return text
    end = max(limit - 1, 0)
    # Step back over combining marks (tone marks, upper and lower vowels) and a dangling leading vowel.
    while end > 0 and (unicodedata.category(text[end]) == "Mn" or text[end - 1] in "เแโใไ"):
        end -= 1
    return text[:end].rstrip() + "…"


def clip_words(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters with "…" at a word boundary (Thai words by pythainlp), never mid-word:
    "องค์กรชุมชน/ภาคประชาสังคม" → "องค์กรชุมชน/ภาค…"."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    from pythainlp.tokenize import word_tokenize  # offline dictionary; loaded only for a label too long

    kept = ""
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if len(kept) + len(word) > limit - 1:
            break
        kept += word
    kept = kept.rstrip(" /-,")
    return (kept or clip(text, limit).rstrip("…")) + "…"


def load_words() -> None:
    """Load the Thai word dictionary `clip_words` cuts labels with (over a second, once per process), so that the
    first answer with a long label (the citizen-group question after a ticket) does not wait for it."""
    from pythainlp.tokenize import word_tokenize

    word_tokenize("ภาคประชาสังคม", engine="newmm")


def _label(text: str) -> str:
    """A quick-reply label within the platforms' 20 characters, cut at a word boundary."""
    return clip_words(text, LABEL_LIMIT)


def _postback(signer: PostbackSigner, label: str, action, shown: str | None = None) -> QuickReply:  # type: ignore[no-untyped-def]
    """A quick reply that sends signed data; `shown` is what appears in the chat as the citizen's answer."""
    return QuickReply(label=_label(label), data=signer.sign(action), text=shown or label)


def menu_quick_replies(*, signer: PostbackSigner, items: Sequence[str] = ("report", "status", "faq", "contact")
                       ) -> tuple[QuickReply, ...]:
    """The main menu as quick replies, so every answer leads somewhere."""
    return tuple(_postback(signer, MENU_LABELS[item], MenuChoice(item=item)) for item in items)


def _evidence_quick_replies() -> tuple[QuickReply, ...]:
    """Send a photo or location (LINE only; Messenger shows none of these)."""
    return (QuickReply(label="ส่งตำแหน่งที่ตั้ง", kind="location"),
            QuickReply(label="ถ่ายรูป", kind="camera"),
            QuickReply(label="เลือกรูปจากอัลบั้ม", kind="camera_roll"))


def _case_rows(case: CaseFacts) -> tuple[tuple[str, str], ...]:
    """Unit and, while the case is open, its deadline."""
    rows = [("ผู้รับผิดชอบ", case.unit_name)]
    if case.is_open and case.due_at is not None:
        rows.append(("กำหนดแล้วเสร็จ", thai_date(case.due_at)))
    return tuple(rows)


# ---------------------------------------------------------------- a new case


def respond_within(respond_days: int) -> str:
    """The response standard in words: "ภายในวันนี้" for the same day, else "ภายใน N วันทำการ"."""
    return "ภายในวันนี้" if respond_days <= 0 else f"ภายใน {respond_days} วันทำการ"


def case_acknowledgement(*, case: CaseFacts, intent: str, respond_days: int, agency: str, phone: str = "",
                         signer: PostbackSigner, urgent: bool = False, safety_advice: str = "",
                         status_url: str = "") -> Reply:
    """The first answer to a new case: a case card (ticket, unit, deadline, status) and its text fallback, with the
    link to the case's public status page when there is one; an urgent case states the urgent standard and the
    safety advice.

    Praise gets thanks only: no ticket talk and no deadline.
    """
    if intent == Intent.PRAISE:
        return praise_thanks(agency=agency)
    heading, opening = ACK_OPENINGS.get(intent, ("รับเรื่องแล้ว", "ได้รับข้อความของท่านแล้วค่ะ"))
    within = respond_within(respond_days)
    if urgent:
        heading = "รับเรื่องเร่งด่วนแล้ว"
        promise = f"เรื่องนี้เป็นเรื่องเร่งด่วน ได้แจ้ง{case.unit_name}ทันทีแล้ว เจ้าหน้าที่จะติดต่อกลับ{within}"
    else:
        promise = f"เจ้าหน้าที่จะติดต่อกลับ{within}"
    if case.due_at is not None:
        promise += f" และจะแจ้งผลให้ทราบภายในวันที่ {thai_date(case.due_at)}"
    note = "ส่งรูปภาพหรือตำแหน่งที่ตั้งเพิ่มเติมได้ในแชทนี้ โปรดเก็บเลขที่เรื่องไว้เพื่อติดตามความคืบหน้า"
    if phone:
        note += f" หรือสอบถามทางโทรศัพท์ได้ที่ {phone} ในวันและเวลาราชการ"
    note += "ค่ะ"
    safety = f"{safety_advice.strip()}\n" if urgent and safety_advice.strip() else ""
    text = (f"{opening}\nเลขที่เรื่อง: {case.ticket}\nผู้รับผิดชอบ: {case.unit_name}\nสถานะ: {case.status_name}\n"
            f"{promise}ค่ะ\n{safety}{note}\n— {agency}")
    card = Card(heading=heading, title=case.ticket, status=case.status_name,
                rows=(*_case_rows(case), ("ติดต่อกลับ", within)), note=(safety + note).strip(),
                button=_postback(signer, "ติดตามสถานะ", StatusRequest(case_id=case.case_id),
                                 f"ติดตามเรื่อง {case.ticket}"))
    quick = _evidence_quick_replies() if intent == Intent.COMPLAINT else ()
    links = (Link(label=STATUS_LINK_LABEL, url=status_url),) if status_url else ()
    return Reply(text=text, cards=(card,), quick_replies=quick, links=links)


def praise_thanks(*, agency: str) -> Reply:
    """Thanks for praise: warm, no ticket, no deadline."""
    return Reply(text=(f"ขอบคุณสำหรับคำชมค่ะ 😊 {agency} จะส่งต่อกำลังใจนี้ถึงเจ้าหน้าที่ผู้เกี่ยวข้องทุกคน "
                       "และจะตั้งใจให้บริการที่ดีต่อไปค่ะ"))


def comment_reply(*, agency: str, ticket: str | None = None) -> Reply:
    """A public answer under a Page comment: short, nothing personal, and an invitation to Messenger."""
    received = f"รับเรื่องแล้ว (เลขที่ {ticket}) " if ticket else ""
    return Reply(public=True, text=(f"ขอบคุณที่แจ้ง {agency} ค่ะ {received}"
                                    "รบกวนส่งรายละเอียด เช่น สถานที่และเบอร์ติดต่อ ทางข้อความ (Messenger) ของเพจนะคะ"))


# ---------------------------------------------------------------- status


def status_answer(*, case: CaseFacts, signer: PostbackSigner) -> Reply:
    """A case's status in Thai: status, unit, the deadline while open, the last officer reply."""
    lines = [f"เรื่องเลขที่ {case.ticket}", f"สถานะ: {case.status_name}", f"ผู้รับผิดชอบ: {case.unit_name}"]
    if case.is_open and case.due_at is not None:
        lines.append(f"กำหนดแล้วเสร็จ: {thai_date(case.due_at)}")
    rows = list(_case_rows(case))
    if case.last_officer_reply and case.last_officer_reply.strip():
        when = f" ({thai_date(case.last_officer_reply_at)})" if case.last_officer_reply_at else ""
        quote = clip(" ".join(case.last_officer_reply.split()), QUOTE_LIMIT)
        lines.append(f"คำตอบล่าสุดจากเจ้าหน้าที่{when}: “{quote}”")
        rows.append(("คำตอบล่าสุด", quote))
    elif case.is_open:
        lines.append("ยังไม่มีคำตอบจากเจ้าหน้าที่ค่ะ")
    if case.is_open:
        lines.append("เมื่อมีความคืบหน้าจะแจ้งให้ทราบทางแชทนี้ทันทีค่ะ")
    else:
        lines.append("หากยังพบปัญหาอยู่ พิมพ์แจ้งกลับมาในแชทนี้ได้เลยค่ะ")
    card = Card(heading="สถานะเรื่อง", title=case.ticket, status=case.status_name, rows=tuple(rows))
    return Reply(text="\n".join(lines), cards=(card,),
                 quick_replies=menu_quick_replies(signer=signer, items=("report", "contact")))


def pick_case(*, cases: Sequence[CaseFacts], signer: PostbackSigner, question_id: int | None = None) -> Reply:
    """Several open cases: a carousel (at most 10, as given: most recent first) to pick the one to follow; each
    button names the status question it answers (question_id) so that question lands on the picked case."""
    if not cases:
        return no_open_cases(signer=signer)
    shown = list(cases)[:CAROUSEL_LIMIT]
    listing = "\n".join(f"• {c.ticket} {c.status_name}" + (f" — {clip(c.subject, 40)}" if c.subject else "")
                        for c in shown)
    more = (f"\nแสดง {CAROUSEL_LIMIT} เรื่องล่าสุด หากต้องการดูเรื่องอื่น พิมพ์เลขที่เรื่องได้เลยค่ะ"
            if len(cases) > CAROUSEL_LIMIT else "")
    text = f"ท่านมีเรื่องที่อยู่ระหว่างดำเนินการ {len(cases)} เรื่องค่ะ กรุณาเลือกเรื่องที่ต้องการติดตาม\n{listing}{more}"
    cards = tuple(
        Card(heading="เลือกเรื่องที่ต้องการติดตาม", title=c.ticket, status=c.status_name,
             rows=_case_rows(c) + ((("เรื่อง", clip(c.subject, 60)),) if c.subject else ()),
             button=_postback(signer, "ดูสถานะเรื่องนี้", StatusRequest(case_id=c.case_id, question_id=question_id),
                           f"ติดตามเรื่อง {c.ticket}"))
        for c in shown
    )
    return Reply(text=text, cards=cards)


def ticket_unknown(*, ticket: str, signer: PostbackSigner) -> Reply:
    """The same polite answer for a ticket that does not exist and for someone else's: it reveals nothing."""
    return Reply(
        text=(f"ขออภัยค่ะ ไม่พบเรื่องเลขที่ {ticket} ที่แจ้งจากบัญชีนี้ "
              "กรุณาตรวจสอบเลขที่เรื่องอีกครั้ง หรือกด “ติดตามเรื่อง” เพื่อดูเรื่องทั้งหมดที่ท่านแจ้งไว้ค่ะ"),
        quick_replies=menu_quick_replies(signer=signer, items=("status", "report", "contact")),
    )


def no_open_cases(*, signer: PostbackSigner) -> Reply:
    """A status question from someone with no case on this account."""
    return Reply(
        text=("ยังไม่พบเรื่องที่ท่านแจ้งไว้ผ่านบัญชีนี้ค่ะ หากมีเลขที่เรื่อง พิมพ์ส่งมาได้เลย "
              "หรือหากต้องการแจ้งเรื่องใหม่ พิมพ์รายละเอียดพร้อมสถานที่ส่งมาในแชทนี้ได้เลยค่ะ"),
        quick_replies=menu_quick_replies(signer=signer, items=("report", "faq", "contact")),
    )


# ---------------------------------------------------------------- follow-up or new matter


def follow_up_received(*, ticket: str) -> Reply:
    """More information for an open case arrived (one per few minutes per case, decided by the caller)."""
    return Reply(text=(f"ได้รับข้อมูลเพิ่มเติมสำหรับเรื่อง {ticket} แล้วค่ะ "
                       "เจ้าหน้าที่จะนำไปประกอบการดำเนินการ และจะแจ้งความคืบหน้าให้ทราบทางแชทนี้ค่ะ"))


def already_filed(*, ticket: str, signer: PostbackSigner) -> Reply:
    """A "same or new matter" button pressed again for a message that is already in a case."""
    return Reply(text=f"ข้อความนี้บันทึกไว้ในเรื่องเลขที่ {ticket} แล้วค่ะ" if ticket else "ข้อความนี้บันทึกไว้แล้วค่ะ",
                 quick_replies=menu_quick_replies(signer=signer))


def new_or_follow_up(*, case: CaseFacts, message_id: int, signer: PostbackSigner, again: bool = False) -> Reply:
    """Ask whether the message adds to the open case or is a new matter (`again`: once more, saying how to answer)."""
    about = f" ({clip(case.subject, 60)})" if case.subject else ""
    text = (f"ท่านมีเรื่องเลขที่ {case.ticket}{about} ที่อยู่ระหว่างดำเนินการค่ะ "
            "ข้อความนี้เป็นข้อมูลเพิ่มเติมของเรื่องเดิม หรือเป็นเรื่องใหม่คะ")
    if again:
        text = ("ขออภัยค่ะ ยังไม่แน่ใจว่าหมายถึงแบบใด กรุณากดปุ่มด้านล่าง หรือพิมพ์ “เรื่องใหม่” หรือ “เรื่องเดิม” "
                f"สำหรับข้อความที่ส่งมาก่อนหน้านี้ (เรื่องเลขที่ {case.ticket}{about}) ค่ะ")
    return Reply(
        text=text,
        quick_replies=(
            _postback(signer, "เพิ่มเติมเรื่องเดิม",
                      FollowUpChoice(case_id=case.case_id, message_id=message_id, attach=True),
                      f"เพิ่มเติมเรื่องเดิม {case.ticket}"),
            _postback(signer, "แจ้งเรื่องใหม่",
                      FollowUpChoice(case_id=case.case_id, message_id=message_id, attach=False)),
        ),
    )


def opened_as_new() -> Reply:
    """After a second unclear answer to "เรื่องเดิม / เรื่องใหม่": the safe choice is taken, and the citizen told."""
    return Reply(text=("เพื่อไม่ให้เรื่องของท่านตกหล่น ขอบันทึกข้อความก่อนหน้านี้เป็นเรื่องใหม่ให้นะคะ "
                       "หากเป็นข้อมูลของเรื่องเดิม เจ้าหน้าที่จะรวมเรื่องให้ค่ะ"))


def case_reopened(*, ticket: str, unit_name: str) -> Reply:
    """The citizen says the problem is back: the case is open again and the unit knows."""
    return Reply(text=(f"ขออภัยในความไม่สะดวกค่ะ ได้เปิดเรื่องเลขที่ {ticket} อีกครั้ง และแจ้ง{unit_name}ให้ดำเนินการต่อแล้วค่ะ "
                       "หากมีรูปภาพหรือรายละเอียดเพิ่มเติม ส่งมาในแชทนี้ได้เลยค่ะ"))


# ---------------------------------------------------------------- satisfaction survey (PMQA 3.2)


def survey_question(*, case: CaseFacts, signer: PostbackSigner, links: CaseLinks | None = None) -> Reply:
    """After resolution: rate the service on the 5-point scale (most satisfied first), with the officers'
    after-photo shown (a picture when its address is https://, else the status page that shows it)."""
    photo = links.after_photo_url if links is not None else None
    shown = photo if photo and photo.startswith("https://") else ""
    seen = "ภาพหลังแก้ไขจากเจ้าหน้าที่อยู่ด้านบน " if shown else ""
    if photo and not shown and links is not None:
        seen = f"ดูภาพหลังแก้ไขจากเจ้าหน้าที่ได้ที่ {links.status_url} "
    return Reply(
        image=shown,
        links=(Link(label=STATUS_LINK_LABEL, url=links.status_url),) if shown else (),
        text=(f"{seen}รบกวนประเมินความพึงพอใจต่อการให้บริการเรื่อง {case.ticket} ด้วยนะคะ "
              "กดเลือกด้านล่าง หรือพิมพ์คะแนน 1–5 ก็ได้ค่ะ"),
        quick_replies=tuple(
            _postback(signer, SURVEY_LABELS[score], SurveyScore(case_id=case.case_id, score=score))
            for score in (5, 4, 3, 2, 1)
        ),
    )


def survey_reason_question(*, case_id: int, ticket: str, signer: PostbackSigner) -> Reply:
    """After a score of 1 or 2: what went wrong."""
    return Reply(
        text=(f"ขออภัยที่การให้บริการเรื่อง {ticket} ยังไม่เป็นที่พอใจค่ะ "
              "รบกวนบอกเหตุผลหลัก เพื่อให้เรานำไปปรับปรุงค่ะ"),
        quick_replies=tuple(
            _postback(signer, label, SurveyReason(case_id=case_id, reason=reason))
            for reason, label in SURVEY_REASON_LABELS.items()
        ),
    )


def survey_other_reason_prompt() -> Reply:
    """After "อื่น ๆ": ask for the reason in the citizen's own words."""
    return Reply(text="รบกวนพิมพ์เหตุผลหรือข้อเสนอแนะสั้น ๆ ส่งมาในแชทนี้ได้เลยค่ะ ขอบคุณค่ะ")


def survey_thanks(*, score: int, reopened_unit: str | None = None) -> Reply:
    """Thanks after a survey answer; for a low score, an apology (and the reopening, if it happened)."""
    if reopened_unit:
        return Reply(text=(f"ขออภัยในความไม่สะดวกค่ะ ได้เปิดเรื่องอีกครั้งและแจ้ง{reopened_unit}ให้ดำเนินการแก้ไขต่อแล้ว "
                           "เมื่อมีความคืบหน้าจะแจ้งให้ทราบทางแชทนี้ค่ะ"))
    if score <= 2:
        return Reply(text="ขอบคุณที่บอกเราค่ะ ขออภัยในความไม่สะดวก เราจะนำความเห็นของท่านไปปรับปรุงการให้บริการค่ะ")
    return Reply(text="ขอบคุณสำหรับการประเมินค่ะ 🙏 ความเห็นของท่านช่วยให้เราพัฒนาบริการให้ดียิ่งขึ้นค่ะ")


def survey_closed(*, ticket: str) -> Reply:
    """A survey answer that can no longer count: answered already, too late, or for another case."""
    return Reply(text=(f"แบบประเมินของเรื่อง {ticket} ปิดรับคำตอบแล้วค่ะ ขอบคุณที่สละเวลาค่ะ "
                       "หากมีข้อเสนอแนะเพิ่มเติม พิมพ์ส่งมาในแชทนี้ได้เลยค่ะ"))


def button_expired(*, signer: PostbackSigner) -> Reply:
    """A postback that was forged, stale or malformed: a clear Thai answer and the menu."""
    return Reply(text="ขออภัยค่ะ ปุ่มนี้หมดอายุหรือใช้งานไม่ได้แล้ว กรุณาเลือกจากเมนูด้านล่าง หรือพิมพ์ข้อความส่งมาได้เลยค่ะ",
                 quick_replies=menu_quick_replies(signer=signer))


def thanks_after_resolution(*, agency: str) -> Reply:
    """A thank-you or sticker after the case is resolved: warm, and the case stays resolved."""
    return Reply(text=(f"ยินดีค่ะ 😊 ขอบคุณที่ช่วยแจ้ง {agency} นะคะ "
                       "หากมีเรื่องใดให้ช่วยอีก แจ้งมาในแชทนี้ได้ตลอดเลยค่ะ"))


# ---------------------------------------------------------------- FAQ, menu and first contact


def faq_answer(*, entry_id: str, answer: str, signer: PostbackSigner) -> Reply:
    """An FAQ answer, with "answered" and "ask an officer" (only the second opens a case)."""
    return Reply(
        text=f"{answer.strip()}\n\nคำตอบนี้ตรงกับที่ท่านต้องการหรือไม่คะ",
        quick_replies=(
            _postback(signer, "ได้คำตอบแล้ว ขอบคุณ", FaqFeedback(entry_id=entry_id, outcome="resolved")),
            _postback(signer, "สอบถามเจ้าหน้าที่", FaqFeedback(entry_id=entry_id, outcome="ask_officer"),
                      "ต้องการสอบถามเจ้าหน้าที่"),
        ),
    )


def faq_resolved() -> Reply:
    """The FAQ answer was enough."""
    return Reply(text="ยินดีค่ะ 😊 หากมีข้อสงสัยเพิ่มเติม พิมพ์ถามมาได้ตลอดนะคะ")


def faq_prompt(*, topics: Sequence[tuple[str, str]], signer: PostbackSigner) -> Reply:
    """The FAQ menu: type a question, or tap a common one (label, question text)."""
    quick = tuple(QuickReply(label=_label(label), text=question, kind="message")
                  for label, question in list(topics)[:QUICK_REPLY_LIMIT - 1])
    return Reply(text="พิมพ์คำถามที่ต้องการส่งมาได้เลยค่ะ หรือเลือกจากคำถามที่พบบ่อยด้านล่างค่ะ",
                 quick_replies=quick + menu_quick_replies(signer=signer, items=("contact",)))


def report_prompt() -> Reply:
    """The "แจ้งเรื่อง" menu: what to send for a case to be handled quickly."""
    return Reply(
        text=("พิมพ์รายละเอียดเรื่องที่ต้องการแจ้งส่งมาได้เลยค่ะ ระบุสถานที่ให้ชัดเจน (เช่น ซอย หมู่ที่ จุดสังเกต) "
              "และแนบรูปภาพหรือตำแหน่งที่ตั้งได้ เพื่อให้เจ้าหน้าที่ดำเนินการได้รวดเร็วขึ้นค่ะ"),
        quick_replies=_evidence_quick_replies(),
    )


def contact_officer(*, agency: str, phone: str, hours: str = "วันจันทร์–ศุกร์ 08.30–16.30 น.",
                    signer: PostbackSigner) -> Reply:
    """How to reach an officer: phone and office hours; typing here also reaches one."""
    links = (Link(label="โทรหาเจ้าหน้าที่", url="tel:" + "".join(c for c in phone if c.isdigit() or c == "+")),) if phone else ()
    phone_line = f"โทร {phone} " if phone else ""
    return Reply(
        text=(f"ติดต่อเจ้าหน้าที่ {agency} ได้ที่ {phone_line}{hours} (เว้นวันหยุดราชการ)\n"
              "หรือพิมพ์เรื่องที่ต้องการส่งมาในแชทนี้ เจ้าหน้าที่จะตอบกลับในวันและเวลาราชการค่ะ"),
        links=links, quick_replies=menu_quick_replies(signer=signer, items=("report", "status", "faq")),
    )


def privacy_notice(*, agency: str, policy_url: str) -> Reply:
    """One short PDPA notice at first contact, with the agency's privacy policy."""
    return Reply(
        text=(f"{agency} จะใช้ข้อมูลที่ท่านส่งมา (ข้อความ รูปภาพ ตำแหน่งที่ตั้ง) เพื่อรับเรื่อง ประสานหน่วยงาน "
              "และติดต่อกลับท่านเท่านั้น ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 "
              f"อ่าน{PRIVACY_POLICY_NAME}ได้ที่ {policy_url} ค่ะ"),
        links=(Link(label="อ่านนโยบาย", url=policy_url),),  # a button's 20 characters: the policy, named above
    )


def group_named(code: str, groups: Sequence[str]) -> str | None:
    """The configured group a group button stands for ("g<index>"), None for "ไม่ขอระบุ"; ValueError if unknown."""
    if code == "unspecified":
        return None
    try:
        return groups[int(code.removeprefix("g"))]
    except (ValueError, IndexError):
        raise ValueError(f"no citizen group {code!r}") from None


def group_question(*, groups: Sequence[tuple[str, str]], signer: PostbackSigner) -> Reply:
    """Optional: which citizen group the citizen belongs to (code, Thai label), for satisfaction by group."""
    options = list(groups)[:QUICK_REPLY_LIMIT - 1]
    return Reply(
        text="เพื่อนำไปปรับปรุงบริการให้ตรงกับผู้รับบริการแต่ละกลุ่ม ท่านอยู่ในกลุ่มใดคะ (ไม่ตอบก็ได้ค่ะ)",
        quick_replies=tuple(_postback(signer, label, GroupChoice(group=code)) for code, label in options)
        + (_postback(signer, "ไม่ขอระบุ", GroupChoice(group="unspecified")),),
    )


def group_thanks() -> Reply:
    """After the citizen group answer."""
    return Reply(text="ขอบคุณค่ะ 🙏")


def gentle_prompt(*, agency: str, signer: PostbackSigner) -> Reply:
    """A message that is nothing to act on (an emoji, a greeting): say what the chat is for, with the menu."""
    return Reply(text=(f"สวัสดีค่ะ {agency} ยินดีให้บริการค่ะ แจ้งเรื่องร้องเรียน สอบถาม หรือเสนอแนะ "
                       "พิมพ์ส่งมาได้เลย หรือเลือกจากเมนูด้านล่างค่ะ"),
                 quick_replies=menu_quick_replies(signer=signer))


def what_do_you_need(*, signer: PostbackSigner) -> Reply:
    """Laughter or a keyboard mash: no case; ask kindly what the citizen needs."""
    return Reply(text=("ขออภัยค่ะ ไม่แน่ใจว่าท่านต้องการแจ้งเรื่องใด รบกวนพิมพ์รายละเอียดที่ต้องการแจ้ง สอบถาม "
                       "หรือเสนอแนะส่งมาได้เลย หรือเลือกจากเมนูด้านล่างค่ะ"),
                 quick_replies=menu_quick_replies(signer=signer))


def you_are_welcome() -> Reply:
    """Thanks with no case just resolved: a warm short answer."""
    return Reply(text="ยินดีค่ะ 😊 หากมีเรื่องใดให้ช่วย พิมพ์แจ้งมาในแชทนี้ได้ตลอดเลยค่ะ")


def sticker_reply(*, signer: PostbackSigner) -> Reply:
    """A sticker (at most one answer every few minutes): short, with the menu."""
    return Reply(text="😊 มีเรื่องใดให้ช่วยไหมคะ พิมพ์ส่งมาได้เลยค่ะ", quick_replies=menu_quick_replies(signer=signer))


def postback_caption(data: str, *, groups: Sequence[str] = ()) -> str:
    """What a citizen's button press said, for officers reading the thread: "ประเมินความพึงพอใจ: พึงพอใจน้อย (2/5)"."""
    action: Postback | None = peek_postback(data)
    if isinstance(action, SurveyScore):
        return f"ประเมินความพึงพอใจ: {SURVEY_LABELS[action.score]} ({action.score}/5)"
    if isinstance(action, SurveyReason):
        return f"เหตุผลที่ไม่พึงพอใจ: {SURVEY_REASON_LABELS.get(action.reason, action.reason)}"
    if isinstance(action, FollowUpChoice):
        return "เลือก: เพิ่มเติมเรื่องเดิม" if action.attach else "เลือก: แจ้งเรื่องใหม่"
    if isinstance(action, StatusRequest):
        return "ขอติดตามสถานะเรื่อง"
    if isinstance(action, FaqFeedback):
        return "ได้คำตอบแล้ว ขอบคุณ" if action.outcome == "resolved" else "ต้องการสอบถามเจ้าหน้าที่"
    if isinstance(action, MenuChoice):
        return f"เลือกเมนู: {MENU_LABELS.get(action.item, 'เริ่มต้นใช้งาน')}"
    if isinstance(action, GroupChoice):
        try:
            return f"ระบุกลุ่มผู้รับบริการ: {group_named(action.group, groups) or 'ไม่ขอระบุ'}"
        except ValueError:
            return "ระบุกลุ่มผู้รับบริการ (ตัวเลือกที่ไม่มีแล้ว)"
    return "กดปุ่มที่ระบบอ่านไม่ได้"


# ---- told when an officer acts on the case


def status_update(*, ticket: str, status: str, note: str | None, unit_name: str, agency: str) -> str | None:
    """What the citizen is told when their case changes status (None when the change does not concern them)."""
    detail = f"\nรายละเอียดจากเจ้าหน้าที่: {note.strip()}" if note and note.strip() else ""
    texts = {
        Status.ACKNOWLEDGED: f"เรื่องเลขที่ {ticket} {unit_name}ได้รับเรื่องแล้ว และจะดำเนินการโดยเร็วค่ะ",
        Status.IN_PROGRESS: f"เรื่องเลขที่ {ticket} อยู่ระหว่างดำเนินการโดย{unit_name}ค่ะ",
        Status.CLOSED: f"เรื่องเลขที่ {ticket} ปิดเรื่องเรียบร้อยแล้วค่ะ ขอบคุณที่แจ้ง {agency} ค่ะ",
        Status.FORWARDED: f"เรื่องเลขที่ {ticket} อยู่นอกอำนาจหน้าที่ของ {agency} จึงได้ส่งต่อให้หน่วยงานที่รับผิดชอบแล้วค่ะ",
        Status.REJECTED: f"ขออภัยค่ะ เรื่องเลขที่ {ticket} ไม่สามารถรับดำเนินการได้ค่ะ",
    }
    text = texts.get(status)
    if status == Status.RESOLVED:  # one message: done, the officer's note, then what to do if it is not
        text = (f"เรื่องเลขที่ {ticket} ดำเนินการแล้วเสร็จค่ะ{detail}\n"
                "หากยังพบปัญหาอยู่ พิมพ์แจ้งกลับมาในแชทนี้ได้เลยนะคะ")
        detail = ""
    return None if text is None else f"{text}{detail}\n— {agency}"


def unit_changed(*, ticket: str, unit_name: str, agency: str) -> str:
    """Told to the citizen when their case moves to another unit."""
    return f"เรื่องเลขที่ {ticket} ได้ส่งต่อให้{unit_name}เป็นผู้รับผิดชอบแล้วค่ะ\n— {agency}"
