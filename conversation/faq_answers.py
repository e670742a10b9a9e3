"""Ready answers from the agency's FAQ: its entries (seeded from the shipped defaults), the matcher built on the
classifier room's sentence vectors (cached on disk, kept on the runtime), answering a question at once, and the
citizen's "ได้คำตอบแล้ว / ต้องการสอบถามเจ้าหน้าที่" after it."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.vocabulary import AuditAction, Channel, Intent
from bot import replies
from conversation.acknowledgement import open_and_acknowledge
from conversation.faq import FaqEntry, FaqMatch, FaqMatcher, background_messages, load_faq
from conversation.models import FaqAnswer, FaqRecord
from bot.postbacks import FaqFeedback
from conversation.turn import Turn, case_facts
from conversation.vectors import unless_unavailable
from storage import audit
from storage.db import upsert_insert
from storage.models import Case, Message, utcnow

if TYPE_CHECKING:
    from runtime import ConversationState, Runtime

log = logging.getLogger(__name__)

SHIPPED_VECTORS = Path(__file__).parent / "defaults" / "faq-e5.npz"  # git-ignored: built by the first start, shared


def embed_texts(runtime: "Runtime", texts: Sequence[str]) -> np.ndarray | None:
    """The classifier room's sentence vectors (cached on disk), or None where the model cannot load."""
    from classifier.embedding import EmbeddingCache

    state = runtime.conversation

    def cached() -> np.ndarray:
        with state.lock:
            if state.embed_cache is None:
                path = runtime.settings.fangsiang_embedding_cache or runtime.settings.data_dir / "embeddings.npz"
                cache = EmbeddingCache(path)
                shipped = EmbeddingCache(SHIPPED_VECTORS)  # the default FAQ and its background, embedded once
                cache.vectors = {**shipped.vectors, **cache.vectors}
                state.embed_cache = cache
            return state.embed_cache.embed(list(texts))  # type: ignore[attr-defined]

    return unless_unavailable(cached)


def save_embedding_cache(runtime: "Runtime") -> None:
    """Keep the vectors embedded so far (the FAQ's variants and background) for the next start."""
    state = runtime.conversation
    if state.embed_cache is not None:
        with state.lock:
            state.embed_cache.save()  # type: ignore[attr-defined]


def _keep_shipped_vectors(state: "ConversationState") -> None:
    """Write the default FAQ's and the background's vectors beside the defaults once, for every later start."""
    from classifier.embedding import EmbeddingCache, text_key

    shipped = EmbeddingCache(SHIPPED_VECTORS)
    texts = [q for entry in load_faq() for q in entry.questions] + background_messages()
    if state.embed_cache is None or all(text_key(t) in shipped.vectors for t in texts):
        return
    shipped.vectors = dict(state.embed_cache.vectors)  # type: ignore[attr-defined]
    try:
        shipped.save(keep=texts)
    except OSError as exc:  # a read-only install: every start embeds them again, slower but correct
        log.info("cannot keep the FAQ vectors in %s: %s", SHIPPED_VECTORS, exc)


def faq_entries(session: Session) -> tuple[FaqEntry, ...]:
    """The agency's FAQ from the database; seeded from the shipped defaults the first time (safe when two workers
    start together: an entry another worker seeded meanwhile is kept as it is)."""
    stored = stored_faq_entries(session)
    if stored is not None:
        return stored
    now = utcnow()
    seed = [{"id": e.id, "title": e.title, "unit_code": e.unit, "questions": list(e.questions), "answer": e.answer,
             "updated_at": now} for e in load_faq()]
    session.execute(upsert_insert(session, FaqRecord.__table__).values(seed)
                    .on_conflict_do_nothing(index_elements=["id"]))
    return stored_faq_entries(session) or ()


def stored_faq_entries(session: Session) -> tuple[FaqEntry, ...] | None:
    """The agency's FAQ as stored, reading only; None while the table is empty (not seeded yet: `faq_entries`)."""
    rows = list(session.scalars(select(FaqRecord).order_by(FaqRecord.id)))
    if not rows:
        return None
    return tuple(FaqEntry(id=r.id, title=r.title, unit=r.unit_code, questions=tuple(r.questions), answer=r.answer)
                 for r in rows if r.questions)


def matcher_for(runtime: "Runtime", entries: Sequence[FaqEntry]) -> FaqMatcher | None:
    """The FAQ matcher for these entries, rebuilt whenever the agency changed one (None without entries or
    embeddings). Embeds: call it with no transaction open."""
    state = runtime.conversation
    version = tuple((e.id, e.questions, e.answer, e.unit) for e in entries)
    if state.matcher is not None and state.faq_version == version:
        return state.matcher
    if not entries:
        return None

    def embed(texts: Sequence[str]) -> np.ndarray:
        vectors = embed_texts(runtime, texts)
        if vectors is None:
            raise LookupError("no embeddings")
        return vectors

    try:
        matcher = FaqMatcher(entries, embed=embed)
    except LookupError:
        return None
    save_embedding_cache(runtime)
    _keep_shipped_vectors(state)
    state.matcher, state.faq_version = matcher, version
    return matcher


def may_answer_from_faq(*, kind: str, text: str, channel: str, intent: str | None) -> bool:
    """True if a ready FAQ answer may answer this message (a private text the classifier did not call a case)."""
    return kind == "text" and bool(text.strip()) and channel != Channel.FACEBOOK_COMMENT and \
        intent in (Intent.QUESTION, Intent.OTHER, Intent.SUGGESTION, None)


def answer_faq(turn: Turn, *, found: FaqMatch | None) -> str | None:
    """A question the agency has a ready answer for (`found`, matched before the transaction): answered at once,
    no case (None when no confident match)."""
    message = turn.message
    if not may_answer_from_faq(kind=message.kind, text=message.text or "", channel=message.channel,
                               intent=message.intent):
        return None
    if found is None or not found.confident or found.entry is None:
        return None
    turn.session.add(FaqAnswer(message_id=message.id, contact_id=turn.contact.id, entry_id=found.entry.id,
                               score=float(found.score), answered_at=utcnow()))
    audit.record(turn.session, actor="system", action=AuditAction.FAQ_ANSWERED, entity="message", entity_id=message.id,
                 entry=found.entry.id, score=float(found.score))
    turn.answer(replies.faq_answer(entry_id=found.entry.id, answer=found.entry.answer, signer=turn.signer))
    return "faq"


def faq_feedback(turn: Turn, action: FaqFeedback) -> str:
    """After an FAQ answer: "ได้คำตอบแล้ว" closes the matter; "ต้องการสอบถามเจ้าหน้าที่" opens a question case."""
    answered = turn.session.scalars(
        select(FaqAnswer).where(FaqAnswer.contact_id == turn.contact.id, FaqAnswer.entry_id == action.entry_id)
        .order_by(FaqAnswer.id.desc()).limit(1)).first()
    if answered is None:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "postback_refused"
    if answered.outcome is not None:
        if answered.case_id is not None:
            case = turn.session.get(Case, answered.case_id)
            turn.answer(replies.status_answer(case=case_facts(turn.session, case), signer=turn.signer))
        else:
            turn.answer(replies.faq_resolved())
        return "faq_done"
    answered.outcome = action.outcome
    if action.outcome == "resolved":
        turn.answer(replies.faq_resolved())
        return "faq_resolved"
    question = turn.session.get(Message, answered.message_id)
    entry = turn.session.get(FaqRecord, answered.entry_id)
    if question is None or question.case_id is not None:
        turn.answer(replies.button_expired(signer=turn.signer))
        return "postback_refused"
    outcome = open_and_acknowledge(turn, source=question, intent=Intent.QUESTION,
                                   unit=entry.unit_code if entry is not None else None)
    answered.case_id = question.case_id
    return outcome
