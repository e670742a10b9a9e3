"""Opening a case for the citizen's message and telling them: the case card (ticket, unit, deadline), a short public
reply under a Page comment, praise recorded and thanked; then, once per citizen, the citizen-group question."""
from __future__ import annotations

from agency.vocabulary import Channel, Intent
from cases.service import open_case, record_praise, set_citizen_group
from cases.standards import standard_for
from bot import replies
from bot.postbacks import GroupChoice
from conversation.turn import Turn, case_facts, links_of, say
from storage.models import Message, utcnow


def open_and_acknowledge(turn: Turn, *, source: Message | None = None, intent: str | None = None,
                         unit: str | None = None) -> str:
    """Open a case for the (classified) message with its own routing, and answer with the case card."""
    runtime, session = turn.runtime, turn.session
    source = source or turn.message
    if intent:
        source.intent = intent
    if unit and not source.unit_code:
        source.unit_code = unit
    now = utcnow()
    case = open_case(session, contact=turn.contact, message=source, agency=runtime.agency,
                     calendar=runtime.calendar, now=now)
    if case.intent == Intent.PRAISE:
        record_praise(session, case=case, now=now)
    facts = case_facts(session, case, opened_now=True)
    if turn.contact.channel == Channel.FACEBOOK_COMMENT:
        answer = replies.comment_reply(agency=turn.agency_name,
                                       ticket=None if case.intent == Intent.PRAISE else case.ticket)
    else:
        urgent = case.priority == "urgent"
        standard = standard_for(runtime.agency, unit=case.unit_code, intent=case.intent,
                                priority="urgent" if urgent else "normal")
        links = links_of(runtime, session, case, after_photo=False) if case.intent != Intent.PRAISE else None
        answer = replies.case_acknowledgement(
            status_url=links.status_url if links is not None else "",
            case=facts, intent=case.intent, respond_days=standard.respond_days, agency=runtime.agency.name,
            phone=runtime.agency.phone, signer=turn.signer, urgent=urgent,
            safety_advice=runtime.agency.safety_advice_for(source.text or "") if urgent else "")
    turn.answer(answer, key=f"ack:{case.id}", case_id=case.id)
    ask_group(turn)
    return "opened"


def ask_group(turn: Turn) -> None:
    """The optional citizen-group question, once per citizen (groups from the agency config)."""
    groups = turn.runtime.agency.citizen_groups
    if not groups or turn.contact.citizen_group or turn.contact.channel == Channel.FACEBOOK_COMMENT:
        return
    options = [(f"g{index}", name) for index, name in enumerate(groups)]
    say(turn.session, contact=turn.contact, key=f"group:{turn.contact.id}",
        answers=[replies.group_question(groups=options, signer=turn.signer)])


def group_choice(turn: Turn, action: GroupChoice) -> str:
    """The citizen's group (or "ไม่ขอระบุ"), kept on the contact and their open cases."""
    try:
        group = replies.group_named(action.group, turn.runtime.agency.citizen_groups)
    except ValueError:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "postback_refused"
    if group is not None:
        set_citizen_group(turn.session, group=group, agency=turn.runtime.agency, actor="citizen", now=utcnow(),
                          contact=turn.contact)
    turn.answer(replies.group_thanks())
    return "group"
