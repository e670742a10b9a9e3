"""The e5 sentence embedding behind classifier.embedding: offline, normalised, meaningful, cached."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from classifier import embedding
from classifier.training import bundled_embedding_texts

ROOT = Path(__file__).resolve().parents[2]

OFFLINE_PROBE = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network is off in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from classifier.embedding import embed, DIM
vectors = embed(["ไฟถนนดับทั้งซอย", "โคมไฟหน้าบ้านไม่ติด"])
assert vectors.shape == (2, DIM), vectors.shape
print("ok", float(vectors[0] @ vectors[1]))
"""


def test_loads_and_embeds_offline() -> None:
    """A fresh process with every socket refused still loads the bundled model and embeds."""
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "NO_PROXY": "*", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", OFFLINE_PROBE], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_vectors_are_normalised_and_meaningful() -> None:
    vectors = embedding.embed(["ไฟถนนดับทั้งซอย มืดมาก", "โคมไฟส่องสว่างหน้าบ้านไม่ติดหลายคืนแล้ว",
                               "อยากทราบวันเก็บภาษีป้าย", "", "😀"])
    assert vectors.shape == (5, embedding.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = embedding.similarity(vectors[0], vectors)
    assert sims.shape == (5,)
    assert sims[1] > sims[2]  # a paraphrase is closer than another matter
    best = embedding.most_similar(vectors[1], vectors[[0, 2]], k=1)
    assert best[0][0] == 0
    assert embedding.embed([]).shape == (0, embedding.DIM)


def test_batch_equals_single_and_long_text_is_cut() -> None:
    texts = ["ขยะล้นถังหน้าตลาด", "ขอบคุณเจ้าหน้าที่ครับ"]
    batch = embedding.embed(texts)
    single = np.vstack([embedding.embed([t]) for t in texts])
    assert np.allclose(batch, single, atol=1e-5)
    assert len(embedding.clean("ถนน" * 1000)) == embedding.MAX_CHARS
    assert embedding.clean("a\u200bb\n\n c") == "a b c"


def test_cache_round_trip(tmp_path: Path) -> None:
    cache = embedding.EmbeddingCache(tmp_path / "cache.npz")
    first = cache.embed(["ท่อระบายน้ำอุดตัน", "น้ำประปาไม่ไหล"])
    cache.save()
    again = embedding.EmbeddingCache(tmp_path / "cache.npz")
    assert len(again.vectors) == 2
    assert np.allclose(again.embed(["น้ำประปาไม่ไหล"]), first[1], atol=2e-3)  # float16 on disk


def test_training_leaves_a_cache_of_training_vectors(full_model_dir: Path) -> None:
    """A second training embeds nothing again: the first one wrote the vectors of every training text."""
    from classifier import data
    from classifier.training import EMBEDDING_CACHE_FILE

    vectors = {**embedding.EmbeddingCache(full_model_dir / EMBEDDING_CACHE_FILE).vectors,
               **embedding.EmbeddingCache(data.EMBEDDING_CACHE_FILE).vectors}
    missing = [t for t in bundled_embedding_texts() if embedding.text_key(t) not in vectors]
    assert not missing, f"{len(missing)} training texts lack cached vectors"


def test_training_streams_embed_as_one_call(tmp_path: Path, monkeypatch) -> None:
    """Training's embeddings, taken in small batches by two streams side by side (the second joins when the main
    thread waits), are the vectors one cached call gives, in the texts' order, and are kept in the cache."""
    from classifier import data, training
    from classifier.text import mask_personal_data

    monkeypatch.setattr(data, "EMBEDDING_CACHE_FILE", tmp_path / "bundled" / "intents-e5.npz")
    monkeypatch.setattr(training, "EMBED_BATCH", 3)
    texts = [f"ไฟถนนดับหน้าซอย {n} มาหลายคืนแล้ว โทร 081-234-56{n:02d}" for n in range(14)] + ["ขอบคุณครับ"] * 2
    track = training._Tracker(None, training.STAGES)
    vectors = training._Embeddings(texts, tmp_path / "model", track).start().result()
    expected = embedding.EmbeddingCache(None).embed([mask_personal_data(t) for t in texts])
    assert vectors.shape == (16, embedding.DIM) and np.array_equal(vectors, expected)
    kept = embedding.EmbeddingCache(data.EMBEDDING_CACHE_FILE).vectors
    assert set(kept) == {embedding.text_key(mask_personal_data(t)) for t in texts}
    assert track.timings["embeddings_cpu_s"] > 0


def _embeds_while_another_pass_holds_the_engine(monkeypatch, threads: int | None, *, wait: float) -> bool:
    """Whether an `embed` finishes within `wait` s while another caller holds the turn lock (the vector job's pass)."""
    import threading

    from classifier import threads as thread_caps

    monkeypatch.setattr(thread_caps, "_configured", [] if threads is None else [threads])
    embedding.embed(["โหลดก่อน"])  # the engine is loaded outside the held lock
    done = threading.Event()
    with embedding._lock:
        runner = threading.Thread(target=lambda: (embedding.embed(["ไฟถนนดับทั้งซอย"]), done.set()), daemon=True)
        runner.start()
        finished = done.wait(wait)
    runner.join(20)
    return finished


def test_an_answer_never_waits_for_another_pass_on_a_one_thread_engine(monkeypatch) -> None:
    """The service caps the engine at one thread: passes run side by side, so an answer's vector never waits behind
    the vector job (a low-priority thread a busy machine starves)."""
    assert _embeds_while_another_pass_holds_the_engine(monkeypatch, 1, wait=30)


def test_passes_take_turns_when_the_engine_takes_every_core(monkeypatch) -> None:
    assert not _embeds_while_another_pass_holds_the_engine(monkeypatch, 2, wait=1)
    assert not _embeds_while_another_pass_holds_the_engine(monkeypatch, None, wait=1)
