"""The status of the citizen's own cases, by ticket number in any spelling or from the menu; never opens a case, and
a ticket that is not theirs gets the same words as one that does not exist."""
from __future__ import annotations

from sqlalchemy import select

from agency.vocabulary import OPEN_STATUSES, AuditAction
from bot import replies
from conversation.follow_up import CAROUSEL_CASES
from conversation.tickets import Reading
from conversation.turn import Turn, case_facts, owns
from storage import audit
from storage.models import Case, Message


def answer_status(turn: Turn, reading: Reading) -> str:
    """The status of the case the citizen names (theirs only), or of their open cases; never opens a case."""
    session, contact = turn.session, turn.contact
    if reading.tickets:
        for ticket in reading.tickets:
            case = session.scalars(select(Case).where(Case.ticket == ticket)).first()
            if case is None or not owns(session, case=case, contact=contact):
                # The same words for a ticket that does not exist and one that is someone else's: nothing leaks.
                audit.record(session, actor="citizen", action=AuditAction.STATUS_REFUSED, entity="contact",
                             entity_id=contact.id, ticket=ticket, known=case is not None)
                turn.answer(replies.ticket_unknown(ticket=ticket, signer=turn.signer))
                return "status_unknown"
        case = session.scalars(select(Case).where(Case.ticket == reading.tickets[0])).one()
        turn.message.case_id = case.id
        turn.answer(replies.status_answer(case=case_facts(session, case), signer=turn.signer), case_id=case.id)
        return "status"
    cases = list(session.scalars(
        select(Case).where(Case.contact_id == contact.id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id.desc()).limit(CAROUSEL_CASES)))
    if not cases:
        turn.answer(replies.no_open_cases(signer=turn.signer))
        return "status_none"
    if len(cases) == 1:  # the question is about this case: kept on it, so officers see the whole thread
        turn.message.case_id = cases[0].id
        turn.answer(replies.status_answer(case=case_facts(session, cases[0]), signer=turn.signer), case_id=cases[0].id)
        return "status"
    # The question stays on the contact until the citizen picks: the pick's button names it, to move it then.
    turn.answer(replies.pick_case(cases=[case_facts(session, c) for c in cases], signer=turn.signer,
                                  question_id=turn.message.id))
    return "status_pick"


def answer_picked(turn: Turn, *, case_id: int, question_id: int | None) -> str:
    """A case card's button or a pick from the carousel: the status of that case (the citizen's own only); the pick
    and the question it answers are kept on the case, so officers see the whole thread."""
    session = turn.session
    case = session.get(Case, case_id)
    if case is None or not owns(session, case=case, contact=turn.contact):
        turn.answer(replies.no_open_cases(signer=turn.signer))
        return "status_refused"
    question = session.get(Message, question_id) if question_id is not None else None
    if question is not None and question.direction == "in" and question.case_id is None \
            and question.contact_id == turn.contact.id:
        question.case_id = case.id
    turn.message.case_id = case.id
    turn.answer(replies.status_answer(case=case_facts(session, case), signer=turn.signer), case_id=case.id)
    return "status"
