"""Classifier speed on this machine: model load, batch throughput and single-message latency of the one
classifier path (`fangsiang classify`, the worker, imports: e5 only where the word model is unsure), with vectors
the caller already stored, and without e5.

Usage: python bench/classifier_speed.py [--model-dir DIR] [--n 2000] [--single 300] [--threads 2] [--repeat 3]
(trains into DIR first when no model exists there; default DIR is a fresh temporary directory).
Wall-clock figures suffer when other processes share the cores: compare load_average_1min with the number of
cores; *_per_cpu_s figures count only this process's CPU time.

"modes" measures each kind of input (citizen messages, real Traffy reports, social-media posts: the Wisesight
held-out part, and the mixed input) at the worker's cap (FANGSIANG_THREADS, default 1) and at every core (what
`fangsiang classify` uses unless FANGSIANG_THREADS is set), interleaved --repeat times, the best run kept.
"""

from __future__ import annotations

import argparse
import os
import sys

_args = argparse.ArgumentParser(description=__doc__)
_args.add_argument("--model-dir", default=None)
_args.add_argument("--n", type=int, default=2000)
_args.add_argument("--single", type=int, default=300)
_args.add_argument("--threads", type=int, default=2, help="cores for numpy and the e5 engine (set before import)")
_args.add_argument("--repeat", type=int, default=3, help="interleaved runs of each mode (the best is kept)")
_args.add_argument("--tokenizer", choices=("nlpo3", "newmm"), default=None,
                   help="override the model's tokenizer engine (e.g. newmm to measure the pure-Python fallback)")
ARGS = _args.parse_args()
os.environ["NUMEXPR_NUM_THREADS"] = str(ARGS.threads)

import io  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier.threads import limit_threads  # noqa: E402

limit_threads(ARGS.threads)  # as the service does (FANGSIANG_THREADS): capped pools, idle OpenMP threads sleep

from classifier import Classifier, load_or_train  # noqa: E402
from classifier.commands import classify_stream  # noqa: E402
from classifier.data import REPORTS_TEST_FILE, intent_test_rows, traffy_split, wisesight_split  # noqa: E402
from classifier.embedding import embed  # noqa: E402
from classifier.text import _tokenize_cached, mask_personal_data  # noqa: E402


def realistic_messages(n: int, seed: int = 7) -> list[str]:
    """n messages: held-out citizen messages (short and real-style reports) and Wisesight posts, shuffled."""
    rng = random.Random(seed)
    citizen = [r["text"] for r in intent_test_rows()] + [r["text"] for r in intent_test_rows(REPORTS_TEST_FILE)]
    social = [r["text"] for r in wisesight_split()[1]]
    return [rng.choice(citizen if i % 2 and citizen else social) for i in range(n)]


def _batch(clf: Classifier, msgs: list[str], **options: object) -> tuple[float, float]:
    """(messages per second wall, per CPU second) for one classify_many call on distinct texts."""
    _tokenize_cached.cache_clear()
    t0, c0 = time.perf_counter(), time.process_time()
    preds = clf.classify_many(msgs, **options)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(preds) == len(msgs)
    return len(msgs) / wall, len(msgs) / max(cpu, 1e-9)


def _command(clf: Classifier, msgs: list[str]) -> float:
    """Messages per second through `fangsiang classify`'s own loop (lines in, JSON lines out)."""
    _tokenize_cached.cache_clear()
    t0 = time.perf_counter()
    count = classify_stream(clf, (m + "\n" for m in msgs), io.StringIO())
    return count / (time.perf_counter() - t0)


def _percentiles(lat: list[float]) -> dict:
    """p50 / p90 / max of latencies in ms."""
    lat = sorted(lat)
    if not lat:
        return {}
    return {"p50_ms": round(statistics.median(lat), 2), "p90_ms": round(lat[int(len(lat) * 0.9)], 2),
            "max_ms": round(lat[-1], 2), "n": len(lat)}


def _single(clf: Classifier, msgs: list[str]) -> dict:
    """Latency percentiles of classify() one message at a time (as the worker calls it), wall and CPU, all
    messages and split by whether the message was embedded (the word model unsure)."""
    lat, cpu, embedded, sure = [], [], [], []
    for m in msgs:
        t0, c0 = time.perf_counter(), time.process_time()
        prediction = clf.classify(m)
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        (sure if prediction.embedding is None else embedded).append(lat[-1])
    report = _percentiles(lat)
    report["cpu_p50_ms"] = round(statistics.median(cpu), 2)
    report["embedded"] = _percentiles(embedded)
    report["not_embedded"] = _percentiles(sure)
    return report


def _e5_rate(msgs: list[str]) -> dict:
    """The e5 engine alone on the given texts: e5 tokens per CPU-second and texts per CPU-second."""
    from classifier import embedding

    texts = [mask_personal_data(m) for m in msgs]
    engine = embedding._engine()
    tokens = sum(engine.token_count(embedding.clean(t), True) for t in texts)  # type: ignore[attr-defined]
    t0, c0 = time.perf_counter(), time.process_time()
    embed(texts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"tokens_per_text": round(tokens / max(len(texts), 1), 1), "tokens_per_cpu_s": round(tokens / cpu),
            "texts_per_cpu_s": round(len(texts) / cpu, 1), "texts_per_s": round(len(texts) / wall, 1)}


def _modes(clf: Classifier, inputs: dict[str, list[str]], threads: int) -> dict:
    """Each input kind at 1 thread (the worker's default cap) and at `threads` (every core: `fangsiang classify`),
    interleaved ARGS.repeat times (best kept, with the load average of its run), and its embedded share."""
    runs: dict[tuple[str, int], list[tuple[float, float, float | None]]] = {}
    for rep in range(max(1, ARGS.repeat)):
        for name, texts in inputs.items():
            for cap in dict.fromkeys((1, threads)):
                limit_threads(cap)
                wall, cpu = _batch(clf, [f"{t} ={rep}" for t in texts])
                runs.setdefault((name, cap), []).append((wall, cpu, _load()))
    limit_threads(ARGS.threads)
    report = {}
    for name, texts in inputs.items():
        share = sum(p.embedding is not None for p in clf.classify_many(texts)) / max(len(texts), 1)
        entry: dict = {"messages": len(texts), "mean_chars": round(sum(map(len, texts)) / max(len(texts), 1), 1),
                       "share_embedded": round(share, 3)}
        for cap in dict.fromkeys((1, threads)):
            wall, cpu, load = max(runs[(name, cap)])
            entry[f"msgs_per_s_{cap}_thread{'s' if cap > 1 else ''}"] = round(wall, 1)
            entry[f"msgs_per_cpu_s_{cap}_thread{'s' if cap > 1 else ''}"] = round(cpu, 1)
            entry[f"load_1min_{cap}"] = load
        report[name] = entry
    return report


def _load() -> float | None:
    """The machine's 1-minute load average now (printed beside each figure: wall figures suffer under load)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def main() -> None:
    """Run the benchmark and print a report."""
    model_dir = Path(ARGS.model_dir) if ARGS.model_dir else Path(tempfile.mkdtemp(prefix="fs-bench-")) / "models"
    t0 = time.perf_counter()
    load_or_train(model_dir, progress=lambda stage, f, left: print(f"  training: {stage} {f:.0%}", flush=True))
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    clf = Classifier.load(model_dir)
    clf.classify("ถนนพัง")  # first call loads the e5 engine (memory-mapped)
    load_s = time.perf_counter() - t0
    plain = Classifier.load(model_dir, use_embeddings=False)
    if ARGS.tokenizer:
        clf.tokenizer = plain.tokenizer = ARGS.tokenizer

    msgs = [f"{m} #{i}" for i, m in enumerate(realistic_messages(ARGS.n))]
    clf.classify_many(msgs[:50])
    load: dict[str, float | None] = {}
    one_path, one_path_cpu = _batch(clf, msgs)
    load["batch_msgs_per_s_one_path"] = _load()
    command = _command(clf, [f"{m} !" for m in msgs])
    load["command_fangsiang_classify_msgs_per_s"] = _load()
    citizen = [f"{m} ^{i}" for i, m in enumerate(msgs) if i % 2]  # an agency's own history: citizen messages only
    one_path_citizen, one_path_citizen_cpu = _batch(clf, citizen)
    load["batch_msgs_per_s_one_path_citizen_only"] = _load()
    traffy = [f"{r['text']} ^" for r in traffy_split()[1]]
    one_path_traffy, one_path_traffy_cpu = _batch(clf, traffy)
    load["batch_msgs_per_s_one_path_traffy_reports"] = _load()
    stored = embed([mask_personal_data(m) for m in msgs[:200]])
    with_stored, _ = _batch(clf, [f"{m}" for m in msgs[:200]], embeddings=stored)
    load["batch_msgs_per_s_with_stored_vectors"] = _load()
    without, without_cpu = _batch(plain, msgs)
    load["batch_msgs_per_s_without_embeddings"] = _load()
    single = [f"{m} ~{i}" for i, m in enumerate(realistic_messages(ARGS.single, seed=11))]
    e5_alone = _e5_rate([f"{m} %" for m in msgs[:200]])
    load["e5_engine_alone"] = _load()
    social_media = [r["text"] for r in wisesight_split()[1]][: ARGS.n]
    citizen_held_out = [r["text"] for r in intent_test_rows()] + [r["text"] for r in intent_test_rows(REPORTS_TEST_FILE)]
    modes = _modes(clf, {"citizen": citizen_held_out, "traffy_reports": [r["text"] for r in traffy_split()[1]],
                         "social_media": social_media, "mixed": realistic_messages(ARGS.n, seed=13)},
                   os.cpu_count() or 1)
    embedded = sum(p.embedding is not None for p in clf.classify_many(msgs))
    embedded_citizen = sum(p.embedding is not None for p in clf.classify_many(citizen))
    report = {
        "model_version": clf.version,
        "tokenizer": clf.tokenizer,
        "threads": ARGS.threads,
        "first_load_or_train_s": round(first, 2),
        "load_s": round(load_s, 3),
        "batch_messages": len(msgs),
        "mean_chars": round(sum(map(len, msgs)) / max(len(msgs), 1), 1),
        "unsure_below": clf.bundle.unsure_below,
        "share_embedded_mixed_input": round(embedded / len(msgs), 3),
        "share_embedded_citizen_only": round(embedded_citizen / max(len(citizen), 1), 3),
        "batch_msgs_per_s_one_path": round(one_path, 1),
        "batch_msgs_per_cpu_s_one_path": round(one_path_cpu, 1),
        "command_fangsiang_classify_msgs_per_s": round(command, 1),
        "batch_msgs_per_s_one_path_citizen_only": round(one_path_citizen, 1),
        "batch_msgs_per_cpu_s_one_path_citizen_only": round(one_path_citizen_cpu, 1),
        "batch_msgs_per_s_one_path_traffy_reports": round(one_path_traffy, 1),
        "batch_msgs_per_cpu_s_one_path_traffy_reports": round(one_path_traffy_cpu, 1),
        "batch_msgs_per_s_with_stored_vectors": round(with_stored, 1),
        "e5_engine_alone": e5_alone,
        "batch_msgs_per_s_without_embeddings": round(without, 1),
        "batch_msgs_per_cpu_s_without_embeddings": round(without_cpu, 1),
        "modes": modes,
        "single_one_path": _single(clf, single),
        "single_one_path_load_1min": _load(),
        "single_without_embeddings": _single(plain, single),
        "single_without_embeddings_load_1min": _load(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    print("Fang Siang classifier speed")
    for key, value in report.items():
        print(f"  {key:<42} {value}" + (f"   (load average {load[key]})" if key in load else ""))
    report["load_average_at"] = load
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
