"""Fixtures for the conversation room: the FAQ matcher on real e5 embeddings, cached between runs."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from classifier.embedding import EmbeddingCache

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cached_embed():
    """classifier.embedding.embed through an on-disk cache under .pytest_cache (the first run embeds for real)."""
    cache = EmbeddingCache(ROOT / ".pytest_cache" / "fangsiang-embeddings" / "conversation.npz")

    def embed(texts: Sequence[str]) -> np.ndarray:
        vectors = cache.embed(list(texts))
        cache.save()
        return vectors

    return embed


@pytest.fixture(scope="session")
def faq_matcher(cached_embed):
    """The shipped FAQ with its default settings."""
    from conversation.faq import FaqMatcher, load_faq

    return FaqMatcher(load_faq(), embed=cached_embed)
