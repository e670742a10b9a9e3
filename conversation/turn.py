"""One citizen event being answered (a turn of the conversation): who wrote, what they said, how an answer reaches
them (the outbox, rendered for their platform, with the one-time privacy notice first), and what they may know of
their own cases."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.thaitime import buddhist_year
from agency.vocabulary import OPEN_STATUSES, STATUS_NAMES, AuditAction, Channel
from bot.outbound import CitizenUnreachable, tell_citizen
from bot import replies
from bot.postbacks import PostbackSigner
from channels import registry as channels
from conversation.tickets import Reading, read_message
from storage import audit
from storage.models import Case, Contact, Message, Unit, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)


def signer_for(runtime: "Runtime") -> PostbackSigner:
    """The postback signer from the settings' secret (built once per runtime, kept on its conversation state)."""
    state = runtime.conversation
    if state.signer is None:
        state.signer = PostbackSigner(secret=runtime.settings.postback_secret)
    return state.signer


def say(session: Session, *, contact: Contact, answers: Sequence[replies.Reply], key: str,
        message: Message | None = None, case_id: int | None = None) -> bool:
    """Queue one or more replies as one outbox message (one LINE reply token); False if unreachable or said."""
    answers = [a for a in answers if a is not None]
    if not answers:
        return False
    # The channel's renderer: LINE, one reply token for up to five messages; Messenger, one row per message (its own
    # key: a retry of a failed later part never repeats the earlier ones); a Page comment, one public answer.
    parts = channels.renderer(contact.channel).rows(answers)
    sent = False
    for index, (text, objects) in enumerate(parts):
        try:
            row = tell_citizen(session, contact=contact, text=text, key=key if index == 0 else f"{key}:part{index}",
                               case_id=case_id, reply_token=message.reply_token if message is not None else None,
                               thread_ref=message.thread_ref if message is not None else None,
                               rendered=objects or None)
        except CitizenUnreachable:
            log.info("not messaging contact %s: unreachable on %s", contact.id, contact.channel)
            return False
        sent = sent or row is not None
    return sent


def case_facts(session: Session, case: Case, *, opened_now: bool = False) -> replies.CaseFacts:
    """What the citizen may know of their own case (`opened_now`: opened in this transaction, so no officer has
    replied yet)."""
    unit = session.get(Unit, case.unit_code)
    last = None if opened_now else session.scalars(
        select(Message).where(Message.case_id == case.id, Message.direction == "out",
                              Message.author_user_id.is_not(None)).order_by(Message.id.desc()).limit(1)
    ).first()
    return replies.CaseFacts(
        case_id=case.id, ticket=case.ticket, unit_name=unit.name if unit else case.unit_code,
        status_name=STATUS_NAMES.get(case.status, case.status), is_open=case.status in OPEN_STATUSES,
        due_at=case.due_at if case.status in OPEN_STATUSES else None, subject=replies.clip(case.summary or "", 80),
        last_officer_reply=last.text if last else None, last_officer_reply_at=last.sent_at if last else None,
    )


def links_of(runtime: "Runtime", session: Session, case: Case, *, after_photo: bool = True) -> replies.CaseLinks | None:
    """The case's public pages for its citizen (status page, after-photo if asked); None without a public address."""
    make = getattr(runtime, "case_links", None)
    return make(runtime, session, case=case, after_photo=after_photo) if make is not None else None


def owns(session: Session, *, case: Case, contact: Contact) -> bool:
    """True if this contact filed the case (the same channel user)."""
    if case.contact_id == contact.id:
        return True
    owner = session.get(Contact, case.contact_id)
    return owner is not None and owner.external_id == contact.external_id and \
        {owner.channel, contact.channel} <= {Channel.FACEBOOK, Channel.FACEBOOK_COMMENT}


@dataclass
class Turn:
    """One citizen event being answered: who, what, and what we say before the answer (the privacy notice)."""

    runtime: "Runtime"
    session: Session
    message: Message
    contact: Contact
    preface: list[replies.Reply] = field(default_factory=list)

    @property
    def signer(self) -> PostbackSigner:
        return signer_for(self.runtime)

    @property
    def agency_name(self) -> str:
        """The agency's full name (never the abbreviation) in what the citizen reads."""
        return self.runtime.agency.name

    def answer(self, *answers: replies.Reply, key: str | None = None, case_id: int | None = None) -> bool:
        """Say the preface (once) and the answers, keyed on this message unless told otherwise."""
        sent = say(self.session, contact=self.contact, answers=[*self.preface, *answers],
                   key=key or f"answer:{self.message.id}", message=self.message, case_id=case_id)
        if sent and self.preface:  # the privacy notice is recorded as given only once it is on its way
            self.contact.privacy_notice_at = utcnow()
            audit.record(self.session, actor="system", action=AuditAction.PRIVACY_NOTICE_SENT, entity="contact",
                         entity_id=self.contact.id)
            self.preface.clear()
        return sent

    def menu(self) -> tuple[replies.QuickReply, ...]:
        return replies.menu_quick_replies(signer=self.signer)


def first_contact(turn: Turn) -> None:
    """The one-time PDPA notice with the agency's privacy-policy link, said before the first answer that goes out
    (and recorded then: a turn that answers nothing leaves it for the next)."""
    contact = turn.contact
    url = turn.runtime.agency.privacy_policy_url
    if contact.privacy_notice_at is not None or not url or contact.channel == Channel.FACEBOOK_COMMENT:
        return
    turn.preface.append(replies.privacy_notice(agency=turn.runtime.agency.name, policy_url=url))


def read(turn: Turn) -> Reading:
    """The conversational cues in the turn's message."""
    return reading_of(turn.runtime, text=turn.message.text or "", kind=turn.message.kind, sent_at=turn.message.sent_at)


def reading_of(runtime: "Runtime", *, text: str, kind: str, sent_at: dt.datetime | None) -> Reading:
    """The conversational cues in a message (tickets in any spelling, status, thanks, new matter, problem back)."""
    return read_message(text, kind=kind, prefix=runtime.agency.ticket_prefix,
                        default_year_be=buddhist_year(sent_at or utcnow()))  # "FS-123": this year's
