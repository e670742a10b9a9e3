"""Shared feature space: word 1-2-gram and character 2-5-gram TF-IDF over normalised Thai text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .rules import KeywordClassifier
from .text import _tokenize_cached, normalize

_RULES = KeywordClassifier()


def word_ngrams(tokens: Sequence[str]) -> list[str]:
    """Word unigrams and bigrams from a token list (module-level so vectorizers pickle)."""
    toks = list(tokens)
    return toks + [a + " " + b for a, b in zip(toks, toks[1:])]


@dataclass
class Prepared:
    """Normalised texts and their tokens."""

    norms: list[str]
    tokens: list[list[str]]


def prepare(texts: Sequence[str]) -> Prepared:
    """Normalise and tokenise texts (None and non-str tolerated)."""
    norms = [normalize("" if t is None else str(t)) for t in texts]
    tokens = [list(_tokenize_cached(n)) if n else [] for n in norms]
    return Prepared(norms, tokens)


class FeatureSpace:
    """Word + char TF-IDF vectorizers fitted once and shared by every head."""

    def __init__(self, min_df: int = 2) -> None:
        """Create unfitted vectorizers."""
        self.word = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, min_df=min_df, dtype=np.float32)
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=min_df, dtype=np.float32
        )

    def fit(self, prepared: Prepared) -> "FeatureSpace":
        """Fit both vocabularies."""
        self.word.fit(prepared.tokens)
        self.char.fit(prepared.norms)
        return self

    def transform(self, prepared: Prepared) -> sp.csr_matrix:
        """Sparse feature matrix for prepared texts."""
        return sp.hstack([self.word.transform(prepared.tokens), self.char.transform(prepared.norms)], format="csr")

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
