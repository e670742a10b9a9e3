"""The satisfaction survey (PMQA 3.2): asked once a case is resolved, a score 1–5, why when it is low (reopening
the case when the problem is not fixed), the citizen's own words after "อื่น ๆ"."""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.vocabulary import CHANNELS, AuditAction, Channel, Intent, Status
from cases.service import reopen
from bot import replies
from conversation.models import Survey
from bot.postbacks import SurveyReason, SurveyScore
from conversation.turn import Turn, case_facts, links_of, owns, say, signer_for
from storage import audit
from storage.models import AuditEvent, Case, Contact, Unit, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

SURVEY_WINDOW = dt.timedelta(days=7)  # answers after this are thanked but not counted
SURVEY_ASK_WITHIN = dt.timedelta(days=3)  # resolved longer ago than this: no survey (the moment has passed)
OTHER_REASON_WINDOW = dt.timedelta(hours=24)  # a free-text reason after "อื่น ๆ" is expected within this


def ask_surveys(runtime: "Runtime", *, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Ask the citizen of each newly resolved case to rate the service (one survey per case); returns how many."""
    now = now or utcnow()
    asked = 0
    waiting = (select(Case).outerjoin(Survey, Survey.case_id == Case.id)
               .where(Case.status == Status.RESOLVED, Case.resolved_at >= now - SURVEY_ASK_WITHIN, Survey.id.is_(None),
                      Case.intent != Intent.PRAISE, Case.channel.in_(CHANNELS)))
    with runtime.db.read_session() as session:  # none to ask (every 2 s, mostly): no write lock taken
        if session.scalar(waiting.with_only_columns(Case.id).limit(1)) is None:
            return 0
    with runtime.db.session() as session:
        cases = list(session.scalars(waiting.order_by(Case.id).limit(limit)))
        signer = signer_for(runtime)
        for case in cases:
            contact = session.get(Contact, case.contact_id)
            if contact is None:
                continue
            target = contact
            if contact.channel == Channel.FACEBOOK_COMMENT:
                # Public comments stay short: the survey goes to Messenger when the citizen is known there.
                target = session.scalars(select(Contact).where(Contact.channel == Channel.FACEBOOK,
                                                               Contact.external_id == contact.external_id)).first()
            session.add(Survey(case_id=case.id, channel=case.channel, asked_at=now))
            session.flush()
            if target is None:
                continue
            said = say(session, contact=target, key=f"survey:{case.id}", case_id=case.id,
                       answers=[replies.survey_question(case=case_facts(session, case), signer=signer,
                                                        links=links_of(runtime, session, case))])
            audit.record(session, actor="system", action=AuditAction.SURVEY_ASKED, entity="case", entity_id=case.id,
                         case_id=case.id, sent=said)
            asked += 1
    return asked


def _survey_for(turn: Turn, case_id: int) -> tuple[Case | None, Survey | None]:
    """The case and its survey, only if the tapping citizen filed it."""
    case = turn.session.get(Case, case_id)
    if case is None or not owns(turn.session, case=case, contact=turn.contact):
        return None, None
    return case, turn.session.scalars(select(Survey).where(Survey.case_id == case.id)).first()


def survey_score(turn: Turn, action: SurveyScore) -> str:
    """A score 1–5: stored once; 1–2 asks why."""
    case, survey = _survey_for(turn, action.case_id)
    if case is None:
        audit.record(turn.session, actor="citizen", action=AuditAction.SURVEY_REFUSED, entity="contact",
                     entity_id=turn.contact.id, case_id=None, reason="not_owner")
        turn.answer(replies.button_expired(signer=turn.signer))
        return "survey_refused"
    now = utcnow()
    if survey is None or survey.score is not None or now - survey.asked_at > SURVEY_WINDOW:
        turn.answer(replies.survey_closed(ticket=case.ticket))
        return "survey_closed"
    survey.score, survey.answered_at = action.score, now
    turn.message.case_id = case.id
    audit.record(turn.session, actor="citizen", action=AuditAction.SURVEY_ANSWERED, entity="case", entity_id=case.id,
                 case_id=case.id, score=action.score, channel=survey.channel)
    if action.score <= 2:
        turn.answer(replies.survey_reason_question(case_id=case.id, ticket=case.ticket, signer=turn.signer),
                    case_id=case.id)
    else:
        turn.answer(replies.survey_thanks(score=action.score), case_id=case.id)
    return "survey_score"


def survey_reason(turn: Turn, action: SurveyReason) -> str:
    """Why a low score: stored; "ยังไม่ได้รับการแก้ไข" reopens the case and tells the unit; "อื่น ๆ" asks in words."""
    case, survey = _survey_for(turn, action.case_id)
    if case is None:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "survey_refused"
    now = utcnow()
    if survey is None or survey.score is None or survey.score > 2 or survey.reason is not None \
            or now - survey.asked_at > SURVEY_WINDOW:
        turn.answer(replies.survey_closed(ticket=case.ticket))
        return "survey_closed"
    survey.reason = action.reason
    turn.message.case_id = case.id
    audit.record(turn.session, actor="citizen", action=AuditAction.SURVEY_REASON, entity="case", entity_id=case.id,
                 case_id=case.id, reason=action.reason)
    if action.reason == "other":
        turn.answer(replies.survey_other_reason_prompt(), case_id=case.id)
        return "survey_reason"
    reopened_unit = None
    if action.reason == "unresolved" and case.status == Status.RESOLVED:
        reopen(turn.session, case=case, reason="ยังไม่ได้รับการแก้ไข (แบบประเมินความพึงพอใจ)", now=now)
        unit = turn.session.get(Unit, case.unit_code)
        reopened_unit = unit.name if unit else case.unit_code
    turn.answer(replies.survey_thanks(score=survey.score, reopened_unit=reopened_unit), case_id=case.id)
    return "survey_reopened" if reopened_unit else "survey_reason"


def _waiting_for_words(turn: Turn) -> Survey | None:
    """The citizen's survey whose "อื่น ๆ" asked for their own words, still waiting for them."""
    return turn.session.scalars(
        select(Survey).join(Case, Case.id == Survey.case_id)
        .where(Case.contact_id == turn.contact.id, Survey.reason == "other", Survey.free_text.is_(None),
               Survey.answered_at >= utcnow() - OTHER_REASON_WINDOW)
        .order_by(Survey.id.desc()).limit(1)).first()


def _waiting_for_score(turn: Turn) -> Survey | None:
    """The citizen's newest survey still waiting for its score."""
    return turn.session.scalars(
        select(Survey).join(Case, Case.id == Survey.case_id)
        .where(Case.contact_id == turn.contact.id, Survey.score.is_(None),
               Survey.asked_at >= utcnow() - SURVEY_WINDOW)
        .order_by(Survey.id.desc()).limit(1)).first()


def survey_waiting_since(turn: Turn) -> dt.datetime | None:
    """When the survey's question still waiting for the citizen's typed answer was asked (None if none waits)."""
    asked = []
    words = _waiting_for_words(turn)
    if words is not None:
        reason_at = turn.session.scalar(select(AuditEvent.at).where(
            AuditEvent.case_id == words.case_id, AuditEvent.action == AuditAction.SURVEY_REASON)
            .order_by(AuditEvent.id.desc()).limit(1))
        asked.append(reason_at or words.answered_at)
    score = _waiting_for_score(turn)
    if score is not None:
        asked.append(score.asked_at)
    return max((at for at in asked if at is not None), default=None)


def survey_free_text(turn: Turn) -> str | None:
    """The citizen's own words after choosing "อื่น ๆ" (stored once), or None if no such question is pending."""
    text = (turn.message.text or "").strip()
    if turn.message.kind != "text" or not text:
        return None
    survey = _waiting_for_words(turn)
    if survey is None:
        return None
    survey.free_text = text[:1000]
    turn.message.case_id = survey.case_id
    audit.record(turn.session, actor="citizen", action=AuditAction.SURVEY_COMMENT, entity="case",
                 entity_id=survey.case_id, case_id=survey.case_id, message_id=turn.message.id)
    turn.answer(replies.survey_thanks(score=survey.score or 1), case_id=survey.case_id)
    return "survey_comment"


_SCORE_DIGITS = str.maketrans("๑๒๓๔๕", "12345")
_SCORE_WORDS = (  # longest first: "พึงพอใจมากที่สุด" before "พึงพอใจมาก"
    ("น้อยที่สุด", 1), ("มากที่สุด", 5), ("ปานกลาง", 3), ("เฉยๆ", 3), ("น้อย", 2), ("มาก", 4),
)
_SCORE_FILLER = re.compile(r"ค่ะ|คะ|ครับ|คับ|ค่า|จ้า|นะ|คะแนน|ให้|เลย|ดาว|ๆ|พึงพอใจ|พอใจ|[\s.!/]")


def typed_score(text: str) -> int | None:
    """A survey answer typed instead of tapped: "5", "๕", "4/5", "พึงพอใจมากที่สุด", "พอใจมากค่ะ" (None if it is
    not one)."""
    folded = (text or "").strip().translate(_SCORE_DIGITS)
    digits = re.fullmatch(r"\s*([1-5])\s*(?:/\s*5)?\s*(?:คะแนน|ดาว)?\s*(?:ค่ะ|คะ|ครับ|คับ|ค่า|จ้า)?\s*", folded)
    if digits:
        return int(digits.group(1))
    if "พอใจ" not in folded or len(folded) > 40 or "ไม่" in folded:
        return None
    for word, score in _SCORE_WORDS:
        if word in folded and not _SCORE_FILLER.sub("", folded.replace(word, "", 1)):
            return score
    return None


def survey_typed(turn: Turn) -> str | None:
    """A survey answer typed as text (the button's words, a number 1–5, Thai digits) for the citizen's survey
    still waiting for its score: counted as if tapped (None if no survey waits or it is no answer)."""
    if turn.message.kind != "text":
        return None
    score = typed_score(turn.message.text or "")
    if score is None:
        return None
    survey = _waiting_for_score(turn)
    if survey is None:
        return None
    return survey_score(turn, SurveyScore(case_id=survey.case_id, score=score))


def satisfaction(session: Session, *, case_id: int) -> dict | None:
    """The case's survey answer for the API and the case page: {"score", "reason", "answered_at"}, or None."""
    survey = session.scalars(select(Survey).where(Survey.case_id == case_id)).first()
    if survey is None or survey.score is None:
        return None
    return {"score": survey.score, "reason": survey.reason, "free_text": survey.free_text,
            "answered_at": survey.answered_at}
