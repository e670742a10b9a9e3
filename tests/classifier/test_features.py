"""The predict path's own TF-IDF and matrix joining give exactly what scikit-learn and SciPy give (they skip only
their input checks, and use sklearn's undocumented row-normalising routine: a library upgrade must not change them)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.features import _tfidf, char_wb_ngrams, hstack_csr

TEXTS = ["ถนนหน้าบ้านเป็นหลุม รถล้มบ่อย", "ไฟทางดับทั้งซอย ซอย 5", "ขยะไม่มีคนมาเก็บ ส่งกลิ่นเหม็น", "", "ok ok ok"]


def test_tfidf_equals_sklearns_sublinear_transform() -> None:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32)
    vectorizer.fit(TEXTS[:3])
    ours = _tfidf([char_wb_ngrams(text) for text in TEXTS], vectorizer)
    theirs = vectorizer.transform(TEXTS)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-5, atol=1e-6)


def test_hstack_csr_equals_scipys_hstack() -> None:
    rng = np.random.default_rng(7)
    blocks = [sp.random(4, width, density=density, format="csr", random_state=rng, dtype=np.float32)
              for width, density in ((6, 0.5), (3, 0.0), (9, 0.3), (1, 1.0))]
    ours, theirs = hstack_csr(blocks), sp.hstack(blocks, format="csr")
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours.toarray(), theirs.toarray())
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
