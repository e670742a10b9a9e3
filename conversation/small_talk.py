"""Messages that open nothing: a sticker, an emoji, a greeting, thanks with nothing resolved, laughter ("555"),
keyboard mash, a lone number that answers no question. They stay on the contact (never on a case of another matter,
whatever the classifier says) and are answered: thanks warmly, laughter, mash and numbers by asking what the citizen
needs, a sticker briefly (throttled)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import select

from agency.vocabulary import OPEN_STATUSES, Status
from bot import replies
from cases.service import REOPEN_WINDOW
from conversation.tickets import Reading
from conversation.turn import Turn
from storage.models import Case, Message, OutboxMessage, utcnow

STICKER_REPLY_EVERY = dt.timedelta(minutes=10)  # one short answer to stickers per citizen in this span

_LAUGHTER = re.compile(r"^(?:5{3,}\+*|๕{3,}|(?:ฮ่?า)+|(?:ฮิ)+|(?:คิ)+|(?:อิอิ)+|(?:ha)+h?|(?:he)+|lol|lmao|ขำ+|ตลก|"
                       r"จุงเบย|55+ขำ)$", re.IGNORECASE)
_GREETING = re.compile(r"^(?:สวัสดี|หวัดดี|ดีจ้า|ดีค่ะ|ดีครับ|hello|hi|hey|อรุณสวัสดิ์|ทักครับ|ทักค่ะ)", re.IGNORECASE)
_PARTICLES = re.compile(r"ค่ะ|คะ|ครับ|คับ|ค่า|จ้า|จ้ะ|นะ|น้า|ๆ|ฮะ|งับ")
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "ๆไำพะัีรนยบลฃ", "ฟหกดเ้่าสวง", "ผปแอิืทมใฝ")


LONE_NUMBER_DIGITS = 5  # longer runs of digits are a phone, ID or house number: information, not chatter


def _symbolic(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "SPZ" or ch in "\u200d\ufe0f\ufe0e"


def _mash(word: str) -> bool:
    """A keyboard mash: a word of 4+ letters almost all from one row of the English or Thai keyboard."""
    letters = [c for c in word.lower() if c.isalpha() or unicodedata.category(c) == "Mn"]
    if len(letters) < 4:
        return False
    return any(sum(c in row for c in letters) >= 0.85 * len(letters) for row in _KEY_ROWS)


def says_nothing(text: str) -> str | None:
    """What kind of nothing a text is: "laughter", "gibberish", "number" (a lone number such as "5", "๒๓" or
    "12345", which answers no question of the bot's: those are read before), "greeting", or None if it may say
    something."""
    words = [w for w in re.split(r"\s+", (text or "").strip()) if w and not all(_symbolic(c) for c in w)]
    if not words:
        return None
    kinds = set()
    for word in words:
        bare = _PARTICLES.sub("", "".join(c for c in word if not _symbolic(c)))
        if not bare:
            continue
        if _LAUGHTER.match(bare) or re.fullmatch(r"5{3,}\S*", bare):
            kinds.add("laughter")
        elif _mash(bare):
            kinds.add("gibberish")
        elif bare.isdigit() and len(bare) <= LONE_NUMBER_DIGITS:  # ASCII, Thai and full-width digits
            kinds.add("number")
        elif _GREETING.match(bare) and len(words) <= 3:
            kinds.add("greeting")
        else:
            return None
    if not kinds:
        return None
    return next(kind for kind in ("gibberish", "laughter", "number", "greeting") if kind in kinds)


def _newest_resolved(turn: Turn) -> Case | None:
    """The citizen's newest case if it was resolved lately (within the reopening window) and nothing is open after it."""
    case = turn.session.scalars(select(Case).where(Case.contact_id == turn.contact.id,
                                                   Case.status.in_((*OPEN_STATUSES, Status.RESOLVED)))
                                .order_by(Case.id.desc()).limit(1)).first()
    if case is None or case.status != Status.RESOLVED or case.resolved_at is None \
            or utcnow() - case.resolved_at > REOPEN_WINDOW:
        return None
    return case


def small_talk(turn: Turn, reading: Reading) -> str | None:
    """Answer a message that opens nothing and keep it on the contact (thanks after a resolution go to that case);
    None if the message may say something."""
    message = turn.message
    sticker = message.kind == "sticker"
    if message.kind not in ("text", "sticker"):
        return None
    nothing = None if sticker or reading.emoji_only or reading.tickets else says_nothing(message.text or "")
    thanks = reading.closing or reading.thanks and not (reading.problem_back or reading.new_matter)
    if not (sticker or reading.emoji_only or nothing or thanks):
        return None
    if sticker or reading.emoji_only or thanks:
        resolved = _newest_resolved(turn)
        if resolved is not None and not reading.tickets:
            message.case_id = resolved.id
            turn.answer(replies.thanks_after_resolution(agency=turn.agency_name), case_id=resolved.id)
            return "thanked"
    if not (sticker or reading.emoji_only or nothing or reading.closing):
        return None  # thanks with a request in it ("ขอบคุณค่ะ ช่วยมาดูด้วย"): a message of its own
    if sticker:  # throttled: a burst of stickers gets one short answer (a text, emoji or not, always gets its own)
        if not _sticker_answered_lately(turn):
            turn.answer(replies.sticker_reply(signer=turn.signer), key=f"sticker:{turn.contact.id}:{message.id}")
        return "no_case"
    if nothing in ("laughter", "gibberish", "number"):
        turn.answer(replies.what_do_you_need(signer=turn.signer))
        return "no_case"
    if nothing == "greeting":
        turn.answer(replies.gentle_prompt(agency=turn.agency_name, signer=turn.signer))
        return "no_case"
    if reading.closing or reading.thanks:
        turn.answer(replies.you_are_welcome())
        return "no_case"
    turn.answer(replies.sticker_reply(signer=turn.signer))  # emoji alone
    return "no_case"


def _sticker_answered_lately(turn: Turn) -> bool:
    """True if a sticker the citizen sent within STICKER_REPLY_EVERY before or after this one was answered."""
    # Both sides, by the platform's send times: parallel workers may take the later sticker first. The contact's row
    # lock (storage.contacts.get_or_create_contact) makes one citizen's workers see each other's answers.
    message = turn.message
    sent_at = message.sent_at or utcnow()
    near = turn.session.scalars(select(Message.id).where(
        Message.contact_id == turn.contact.id, Message.direction == "in", Message.kind == "sticker",
        Message.id != message.id, Message.sent_at > sent_at - STICKER_REPLY_EVERY,
        Message.sent_at < sent_at + STICKER_REPLY_EVERY)).all()
    keys = [f"sticker:{turn.contact.id}:{near_id}" for near_id in near]
    return bool(keys) and turn.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key.in_(keys)).limit(1)) is not None
