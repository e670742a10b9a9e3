"""Shared feature space: word 1-2-gram and character 2-5-gram TF-IDF over normalised Thai text."""

from __future__ import annotations

import re
import weakref
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as normalize_rows
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from .rules import KeywordClassifier
from .text import _tokenize_cached, default_engine, normalize

_RULES = KeywordClassifier()


def word_ngrams(tokens: Sequence[str]) -> list[str]:
    """Word unigrams and bigrams from a token list (module-level so vectorizers pickle)."""
    toks = list(tokens)
    return toks + [a + " " + b for a, b in zip(toks, toks[1:])]


def char_wb_ngrams(text: str, min_n: int = 2, max_n: int = 5) -> list[str]:
    """Character n-grams inside space-padded words, exactly as sklearn's analyzer="char_wb"."""
    grams: list[str] = []
    for word in text.split():
        w = f" {word} "
        for n in range(min_n, max_n + 1):
            if len(w) <= n:
                grams.append(w)
                break
            grams.extend([w[i : i + n] for i in range(len(w) - n + 1)])
    return grams


_IDF32: "weakref.WeakKeyDictionary[TfidfVectorizer, tuple[np.ndarray, np.ndarray]]" = weakref.WeakKeyDictionary()


def _idf32(vectorizer: TfidfVectorizer) -> np.ndarray:
    """The vectorizer's idf as float32, converted once per fitted vectorizer (not at every call: the char
    vocabulary has hundreds of thousands of terms, and a single message paid ~0.4 ms for the copy)."""
    idf = vectorizer.idf_
    cached = _IDF32.get(vectorizer)
    if cached is None or cached[0] is not idf:
        cached = _IDF32[vectorizer] = (idf, idf.astype(np.float32))
    return cached[1]


def _tfidf(docs: Iterable[list[str]], vectorizer: TfidfVectorizer) -> sp.csr_matrix:
    """Sublinear TF-IDF with L2 rows from a fitted vectorizer's vocabulary and idf, in vectorised numpy."""
    vocab_get = vectorizer.vocabulary_.get
    indptr = [0]
    indices: list[int] = []
    for grams in docs:
        indices.extend([i for i in map(vocab_get, grams) if i is not None])
        indptr.append(len(indices))
    n_features = len(vectorizer.vocabulary_)
    X = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, n_features),
    )
    X.sum_duplicates()
    X.data = (np.log(X.data) + 1.0) * _idf32(vectorizer)[X.indices]
    # sklearn's normalize(norm="l2") ends in this same routine; called directly it skips the input validation
    # that cost more than the TF-IDF itself for one message.
    inplace_csr_row_normalize_l2(X)
    return X


def hstack_csr(blocks: Sequence[sp.csr_matrix]) -> sp.csr_matrix:
    """Side-by-side CSR matrices, exactly as sp.hstack(blocks, format="csr") builds them (same entries in the same
    order), without its per-call validation (a third of a single message's feature time)."""
    blocks = [b if sp.isspmatrix_csr(b) else sp.csr_matrix(b) for b in blocks]
    n_rows = blocks[0].shape[0]
    counts = [np.diff(b.indptr) for b in blocks]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.sum(counts, axis=0), out=indptr[1:])
    nnz = int(indptr[-1])
    dtype = np.result_type(*[b.dtype for b in blocks])
    data = np.empty(nnz, dtype=dtype)
    indices = np.empty(nnz, dtype=np.int64)
    row_start = indptr[:-1].copy()
    offset = 0
    for block, count in zip(blocks, counts):
        if block.nnz:
            where = np.repeat(row_start - block.indptr[:-1], count) + np.arange(block.nnz)
            data[where] = block.data
            indices[where] = block.indices + offset
        row_start += count
        offset += block.shape[1]
    index_dtype = np.int32 if max(offset, nnz) < np.iinfo(np.int32).max else np.int64
    return sp.csr_matrix((data, indices.astype(index_dtype), indptr.astype(index_dtype)), shape=(n_rows, offset))


@dataclass
class Prepared:
    """Normalised texts and their tokens."""

    norms: list[str]
    tokens: list[list[str]]


def prepare(texts: Sequence[str], engine: str | None = None) -> Prepared:
    """Normalise and tokenise texts (None and non-str tolerated)."""
    engine = engine or default_engine()
    norms = [normalize("" if t is None else str(t)) for t in texts]
    tokens = [list(_tokenize_cached(n, engine)) if n else [] for n in norms]
    return Prepared(norms, tokens)


def _fit_counts(vectorizer: TfidfVectorizer, docs: Iterable[list[str]], min_df: int) -> sp.csr_matrix:
    """Fit vocabulary_ and idf_ exactly as TfidfVectorizer(min_df, smooth_idf) would, from grams generated once.

    Returns the TF-IDF rows of the same documents (what transform would give), so training generates every
    n-gram once instead of twice (fit, then transform).
    """
    vocab: dict[str, int] = {}
    indices = array("l")
    indptr = array("l", [0])
    for grams in docs:
        indices.extend([vocab.setdefault(g, len(vocab)) for g in grams])
        indptr.append(len(indices))
    n_docs = len(indptr) - 1
    counts = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.frombuffer(indices, dtype=np.int64),
         np.frombuffer(indptr, dtype=np.int64)),
        shape=(n_docs, len(vocab)),
    )
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(vocab))
    terms = np.asarray(list(vocab), dtype=object)
    kept = np.flatnonzero(df >= min_df)
    kept = kept[np.argsort(terms[kept].astype(str), kind="stable")]  # sklearn's sorted vocabulary order
    vectorizer.vocabulary_ = {str(terms[i]): int(j) for j, i in enumerate(kept)}
    vectorizer.idf_ = (np.log((1 + n_docs) / (1 + df[kept])) + 1.0).astype(np.float64)
    counts = counts[:, kept]  # column j is term kept[j]: already in vocabulary order
    counts.sort_indices()
    counts.data = (np.log(counts.data) + 1.0) * vectorizer.idf_.astype(np.float32)[counts.indices]
    return normalize_rows(counts, norm="l2", copy=False)


class FeatureSpace:
    """Word + char TF-IDF vectorizers fitted once and shared by every head."""

    def __init__(self, min_df: int = 2) -> None:
        """Create unfitted vectorizers."""
        self.min_df = min_df
        self.word = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, min_df=min_df, dtype=np.float32)
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=min_df, dtype=np.float32
        )

    def fit(self, prepared: Prepared) -> "FeatureSpace":
        """Fit both vocabularies."""
        self.word.fit(prepared.tokens)
        self.char.fit(prepared.norms)
        return self

    def fit_transform(self, prepared: Prepared) -> sp.csr_matrix:
        """Fit both vocabularies and return the features of the same texts, generating each n-gram once."""
        word = _fit_counts(self.word, map(word_ngrams, prepared.tokens), self.min_df)
        char = _fit_counts(self.char, map(char_wb_ngrams, prepared.norms), self.min_df)
        return sp.hstack([word, char], format="csr")

    def transform(self, prepared: Prepared) -> sp.csr_matrix:
        """Sparse feature matrix for prepared texts (same values as the vectorizers' transform, faster)."""
        word = _tfidf(map(word_ngrams, prepared.tokens), self.word)
        char = _tfidf(map(char_wb_ngrams, prepared.norms), self.char)
        return hstack_csr([word, char])

    @property
    def size(self) -> int:
        """Number of features."""
        return len(self.word.vocabulary_) + len(self.char.vocabulary_)


def rule_features(norms: Sequence[str]) -> np.ndarray:
    """Keyword-rule intent scores (squashed) as dense features."""
    rows = []
    for norm in norms:
        scores = _RULES.intent_scores(norm)
        rows.append([np.tanh(scores[i] / 3.0) for i in ("complaint", "suggestion", "question", "praise", "other")])
    return np.asarray(rows, dtype=np.float32).reshape(len(norms), 5)


def has_content(norm: str) -> bool:
    """True when normalised text holds at least one Thai letter, Latin letter or digit."""
    return any(ch.isalnum() for ch in norm)


# Laughter and filler that are no words: a message of only these (or emoji, numbers, keyboard mash) says nothing
# to act on. 555 is "ha ha ha" in Thai (ห้า), ถถถ is laughter typed on a Thai keyboard.
_LAUGHTER = frozenset("555 5555 55555 ฮ่า ฮา ฮ่าๆ ฮาๆ ๆ ถ อิอิ คิคิ lol lmao haha hahaha 555+ อ่ะ อะ เอ่อ อืม".split())
_LETTER_RE = re.compile(r"[A-Za-z\u0e01-\u0e4e]")
_LATIN_TOKEN_RE = re.compile(r"^[a-z]+$")
KNOWN_SHARE = 1 / 3  # share of a message's letters that must belong to known words for it to be language


@lru_cache(maxsize=1)
def _thai_dictionary() -> frozenset[str]:
    """PyThaiNLP's bundled Thai word list (offline)."""
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


def has_language(tokens: Sequence[str], known_latin: Callable[[str], bool]) -> bool:
    """True when at least a third of the letters of a message belong to real words (Thai dictionary words, or
    Latin words the model has seen); keyboard mash ("asdkjh qweoiu ฟหกด่าสว"), laughter, emoji or a lone number are not."""
    thai = _thai_dictionary()
    letters = known = 0
    for token in tokens:
        n = len(_LETTER_RE.findall(token))
        if not n:
            continue
        letters += n
        low = token.lower()
        if low in _LAUGHTER:
            continue
        if _LATIN_TOKEN_RE.match(low):
            known += n if (len(low) >= 2 and known_latin(low)) else 0
        elif len(token) >= 2 and token in thai:
            known += n
    return letters > 0 and known >= KNOWN_SHARE * letters
