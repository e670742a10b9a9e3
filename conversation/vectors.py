"""Citizens' messages' sentence vectors (the classifier room's e5): computed before the answer only where the answer
needs them (a citizen with open or lately resolved cases, whose new message is compared with them by meaning), else
after the answer by the worker's vector job, so that no acknowledgement waits for a vector.

The job takes a batch of due messages (claimed for a while, so that several workers do not embed the same ones),
embeds them with no transaction open, then keeps each vector in a short write that checks again, under the message's
row lock, that it is still due and still says the same words: erasure and retention delete the due row and change
the words, so such a message never gets a vector afterwards. The rooms above the conversation act on a vector kept
late through the runtime's `after_vector` hooks (places: the same problem found by meaning)."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from classifier.embedding import EmbeddingUnavailable, embed
from conversation.models import VectorDue
from storage.models import Message, utcnow

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 16  # messages claimed per round of the vector job
ROUNDS = 4  # rounds per run: the worker's loop checks between runs whether it is stopping
CLAIM = dt.timedelta(minutes=2)  # a batch another worker took is left to it this long (then taken again)


def unless_unavailable(compute: Callable[[], np.ndarray]) -> np.ndarray | None:
    """`compute`'s sentence vectors, or None (logged) where the bundled model cannot load here."""
    try:
        return compute()
    except EmbeddingUnavailable as exc:
        log.warning("no sentence embeddings: %s", exc)
        return None


def message_vectors(texts: Sequence[str], *, one_at_a_time: bool = False) -> np.ndarray | None:
    """Citizens' messages' sentence vectors, never kept in memory (each message is embedded once), or None where the
    model cannot load. `one_at_a_time`: one text per pass (the vector job), so that where passes take turns (the
    engine on several threads) an answer that needs one waits for one text at most."""
    if one_at_a_time:
        return unless_unavailable(lambda: np.vstack([embed([text]) for text in texts]))
    return unless_unavailable(lambda: embed(list(texts)))


def words_of(message: Message) -> str:
    """The words a message's vector is computed from: the classifier's masked text, else the text."""
    return message.masked_text or message.text or ""


def mark_due(session: Session, *, message: Message) -> None:
    """The message was answered without its vector: the vector job computes it later."""
    session.add(VectorDue(message_id=message.id, due_at=utcnow()))


def forget_due(session: Session, *, message_ids: Iterable[int]) -> None:
    """These messages' vectors are never to be computed (erased or masked by retention)."""
    ids = list(message_ids)
    for start in range(0, len(ids), 500):
        session.execute(delete(VectorDue).where(VectorDue.message_id.in_(ids[start:start + 500])))


def store_vector(runtime: "Runtime", session: Session, *, message_id: int, text: str, vector: np.ndarray) -> bool:
    """Keep a vector computed apart from the answer, if the message is still due and still says `text` (checked under
    its row lock), then run the rooms' `after_vector` hooks; False when it was not kept."""
    message = session.get(Message, message_id, with_for_update=True, populate_existing=True)
    due = session.get(VectorDue, message_id, populate_existing=True)
    if due is None:  # kept by another worker, or erased / masked meanwhile
        return False
    if message is None or message.embedding is not None or words_of(message) != text:
        session.delete(due)  # its words changed since: no vector of the old words is kept
        return False
    message.embedding = np.asarray(vector, dtype=np.float16).tobytes()
    session.delete(due)
    session.flush()
    for after in runtime.after_vector:  # e.g. places: the case's same problem looked for again, by meaning
        after(runtime, session, message=message)
    return True


def _claim(runtime: "Runtime", *, limit: int) -> list[tuple[int, str]]:
    """Up to `limit` due messages (newest first: a message just answered is the likeliest to be compared soon), taken
    for CLAIM so that no other worker embeds them meanwhile: (message id, words)."""
    now = utcnow()
    with runtime.db.read_session() as session:  # nothing due: no write transaction at all
        ids = list(session.scalars(select(VectorDue.message_id).where(VectorDue.due_at <= now)
                                   .order_by(VectorDue.message_id.desc()).limit(limit)))
    if not ids:
        return []
    with runtime.db.session() as session:
        taken = list(session.scalars(
            update(VectorDue).where(VectorDue.message_id.in_(ids), VectorDue.due_at <= now)
            .values(due_at=now + CLAIM).returning(VectorDue.message_id)
            .execution_options(synchronize_session=False)))
        rows = session.execute(select(Message.id, Message.masked_text, Message.text).where(Message.id.in_(taken)))
        words = {message_id: masked or text or "" for message_id, masked, text in rows}
    return sorted(((message_id, words[message_id]) for message_id in taken if message_id in words), reverse=True)


def fill_vectors(runtime: "Runtime", *, batch: int = BATCH, rounds: int = ROUNDS) -> int:
    """The worker's vector job: the vectors of messages answered without one, in batches, each embedded with no
    transaction open and kept in one short write; returns how many were kept."""
    kept = 0
    for _ in range(rounds):
        claimed = _claim(runtime, limit=batch)
        if not claimed:
            break
        vectors = message_vectors([text for _, text in claimed], one_at_a_time=True)
        if vectors is None:  # no model here: the claims run out and are taken again later
            break
        with runtime.db.session() as session:
            for (message_id, text), vector in zip(claimed, vectors):
                kept += store_vector(runtime, session, message_id=message_id, text=text, vector=vector)
        if len(claimed) < batch:
            break
    return kept
