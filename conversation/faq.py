"""The agency's FAQ and a matcher that answers a citizen's question only when it is confident.

Each question is embedded with the classifier room's e5 sentence embedding (`classifier.embedding`), centred on
the mean of "background" messages that must never get an FAQ answer (complaints, praise and chatter from the
classifier's bundled training data), and scored by a logistic regression whose classes are the FAQ entries plus
"none" (the background). Word + character n-gram TF-IDF overlap with each entry's variants (`classifier.features`)
can be added as features (`word_weight`); cross-validation on the shipped FAQ found it did not help, so the
default weight is 0 (see `tune`). The matcher answers when the best entry's probability reaches `min_probability`.

    .venv/bin/python -m conversation.faq evaluate tests/conversation/faq_heldout.toml   # precision and coverage
    .venv/bin/python -m conversation.faq tune                                          # settings by cross-validation
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.features import FeatureSpace, prepare

DEFAULT_FAQ = Path(__file__).with_name("defaults") / "faq.toml"
INTENT_DATA = Path(__file__).resolve().parent.parent / "classifier" / "data" / "intents"
ANSWER_LIMIT = 1500   # leaves room under Messenger's 2,000 characters for the follow-up question
TITLE_LIMIT = 20      # a quick-reply label

# Chosen with `python -m conversation.faq tune` (4-fold cross-validation over the shipped FAQ's variants and the
# background messages: the widest coverage at precision >= 0.95), never with the held-out paraphrases.
REGULARISATION = 128.0
WORD_WEIGHT = 0.0
MIN_PROBABILITY = 0.5
BACKGROUND_SIZE = 300

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,39}$")

Embed = Callable[[Sequence[str]], np.ndarray]


class FaqInvalid(ValueError):
    """The FAQ file is not usable; the message says what to fix, in Thai."""


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ entry: the ways citizens ask it, the answer, and the unit that owns it."""

    id: str
    title: str
    unit: str
    questions: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class FaqMatch:
    """The best entry for a question, its score (0..1), its lead over the next entry, and whether to answer."""

    entry: FaqEntry | None
    score: float
    margin: float
    confident: bool


def parse_faq(data: dict, *, units: Sequence[str] | None = None) -> tuple[FaqEntry, ...]:
    """FAQ entries from parsed TOML ({"entries": [...]}), validated; unit codes checked when units are given."""
    raw = data.get("entries")
    if not isinstance(raw, list) or not raw:
        raise FaqInvalid("ไฟล์คำถามที่พบบ่อยต้องมีรายการ [[entries]] อย่างน้อยหนึ่งรายการ")
    entries: list[FaqEntry] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        where = f"รายการที่ {number}"
        if not isinstance(item, dict):
            raise FaqInvalid(f"{where}: รูปแบบไม่ถูกต้อง")
        entry_id = str(item.get("id", "")).strip()
        if not _ID_RE.match(entry_id) or entry_id in seen:
            raise FaqInvalid(f"{where}: id ต้องเป็นอักษร a-z ตัวเลข หรือ - ไม่ซ้ำกัน (ได้ {entry_id!r})")
        seen.add(entry_id)
        questions = item.get("questions")
        if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions) or not questions:
            raise FaqInvalid(f"{where} ({entry_id}): ต้องมีตัวอย่างคำถาม (questions) อย่างน้อยหนึ่งข้อ")
        answer = str(item.get("answer", "")).strip()
        if not answer or len(answer) > ANSWER_LIMIT:
            raise FaqInvalid(f"{where} ({entry_id}): คำตอบต้องไม่ว่างและยาวไม่เกิน {ANSWER_LIMIT} ตัวอักษร")
        title = str(item.get("title", "")).strip() or questions[0].strip()
        if len(title) > TITLE_LIMIT:
            raise FaqInvalid(f"{where} ({entry_id}): ชื่อสั้น (title) ยาวไม่เกิน {TITLE_LIMIT} ตัวอักษร")
        unit = str(item.get("unit", "")).strip()
        if units is not None and unit not in units:
            raise FaqInvalid(f"{where} ({entry_id}): ไม่รู้จักหน่วยงาน {unit!r}")
        entries.append(FaqEntry(id=entry_id, title=title, unit=unit,
                                questions=tuple(q.strip() for q in questions), answer=answer))
    return tuple(entries)


def load_faq(path: Path | None = None, *, units: Sequence[str] | None = None) -> tuple[FaqEntry, ...]:
    """Read and validate an FAQ file (the shipped defaults when path is None)."""
    try:
        with open(path or DEFAULT_FAQ, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise FaqInvalid(f"อ่านไฟล์คำถามที่พบบ่อยไม่ได้: {exc}") from exc
    return parse_faq(data, units=units)


def default_embed(texts: Sequence[str]) -> np.ndarray:
    """The classifier room's sentence embedding ("query: " prefix, rows L2-normalised)."""
    from classifier.embedding import embed

    return embed(list(texts))


def background_messages(limit: int = BACKGROUND_SIZE) -> list[str]:
    """Messages that must never get an FAQ answer: complaints, praise and chatter from the classifier's data."""
    texts: list[str] = []
    for name in ("train_complaint.jsonl", "train_praise_other.jsonl"):
        with open(INTENT_DATA / name, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        texts.extend(r["text"] for r in rows if r.get("intent") in {"complaint", "praise", "other"})
    step = max(1, len(texts) // limit)
    return texts[::step][:limit]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1."""
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


class FaqMatcher:
    """Finds the FAQ entry a citizen's question asks, answering only when confident."""

    def __init__(self, entries: Sequence[FaqEntry], *, embed: Embed | None = None,
                 background: Sequence[str] | None = None, regularisation: float = REGULARISATION,
                 word_weight: float = WORD_WEIGHT, min_probability: float = MIN_PROBABILITY) -> None:
        if not entries:
            raise FaqInvalid("ไม่มีรายการคำถามที่พบบ่อย")
        self.entries = tuple(entries)
        self.min_probability = min_probability
        self.word_weight = word_weight
        self._embed = embed or default_embed
        self._owner = np.array([i for i, e in enumerate(self.entries) for _ in e.questions])
        self.variants = [q for e in self.entries for q in e.questions]
        self.background = list(background) if background is not None else background_messages()
        texts = self.variants + self.background
        vectors = np.asarray(self._embed(texts), dtype=np.float32)
        self._center = vectors[len(self.variants):].mean(axis=0) if self.background else np.zeros(vectors.shape[1])
        self._space = FeatureSpace(min_df=1).fit(prepare(texts))
        self._variant_words = self._space.transform(prepare(self.variants))
        self.labels = np.concatenate([self._owner, np.full(len(self.background), len(self.entries))])
        self.training = self._features(vectors, texts, own_rows=True)
        from sklearn.linear_model import LogisticRegression  # scikit-learn only once a matcher is built

        self._model = LogisticRegression(C=regularisation, max_iter=3000).fit(self.training, self.labels)

    def _word_overlap(self, texts: Sequence[str], *, own_rows: bool = False) -> np.ndarray:
        """Each text's best TF-IDF similarity to each entry's variants (a variant never counts against itself)."""
        sims = (self._space.transform(prepare(list(texts))) @ self._variant_words.T).toarray() / 2.0
        if own_rows:
            sims[np.arange(len(self.variants)), np.arange(len(self.variants))] = 0.0
        out = np.zeros((len(texts), len(self.entries)), dtype=np.float32)
        for index in range(len(self.entries)):
            out[:, index] = sims[:, self._owner == index].max(axis=1)
        return out

    def _features(self, vectors: np.ndarray, texts: Sequence[str], *, own_rows: bool = False) -> np.ndarray:
        """Centred embeddings, and the weighted word overlap when word_weight > 0."""
        meaning = _unit_rows(np.asarray(vectors, dtype=np.float32) - self._center)
        if not self.word_weight:
            return meaning
        return np.hstack([meaning, self.word_weight * self._word_overlap(texts, own_rows=own_rows)])

    def _decide(self, probabilities: np.ndarray) -> FaqMatch:
        """The best entry and whether its probability is high enough to answer."""
        entries = probabilities[: len(self.entries)]
        order = np.argsort(-entries)
        best = float(entries[order[0]])
        runner_up = max(float(entries[order[1]]) if len(order) > 1 else 0.0, float(probabilities[-1]))
        return FaqMatch(entry=self.entries[int(order[0])], score=round(best, 4), margin=round(best - runner_up, 4),
                        confident=best >= self.min_probability)

    def match_many(self, questions: Sequence[str]) -> list[FaqMatch]:
        """The best entry for each question (one embedding call), and whether it is safe to answer with it."""
        questions = [str(q or "") for q in questions]
        if not questions:
            return []
        features = self._features(self._embed(questions), questions)
        out = []
        for question, probabilities in zip(questions, self._model.predict_proba(features)):
            if any(ch.isalnum() for ch in question):
                out.append(self._decide(probabilities))
            else:
                out.append(FaqMatch(entry=None, score=0.0, margin=0.0, confident=False))
        return out

    def match(self, question: str) -> FaqMatch:
        """The best entry for a citizen's question, and whether it is safe to answer with it."""
        if not question or not any(ch.isalnum() for ch in question):
            return FaqMatch(entry=None, score=0.0, margin=0.0, confident=False)
        return self.match_many([question])[0]


# ---------------------------------------------------------------- measuring


@dataclass(frozen=True)
class FaqScore:
    """How the matcher did on labelled questions (expected entry id, or "" for must-not-answer)."""

    total: int
    answerable: int
    answered: int
    correct: int
    wrong_entry: int
    answered_unanswerable: int

    @property
    def precision(self) -> float:
        """Answered correctly / answered."""
        return self.correct / self.answered if self.answered else 1.0

    @property
    def coverage(self) -> float:
        """Answered correctly / questions that have an entry."""
        return self.correct / self.answerable if self.answerable else 0.0


def score_matches(matches: Sequence[FaqMatch], expected: Sequence[str]) -> FaqScore:
    """Count answered, correct and wrong answers against the expected entry ids."""
    answered = [(m, e) for m, e in zip(matches, expected) if m.confident and m.entry is not None]
    correct = sum(1 for m, e in answered if m.entry.id == e)  # type: ignore[union-attr]
    unanswerable = sum(1 for _, e in answered if not e)
    return FaqScore(total=len(expected), answerable=sum(1 for e in expected if e), answered=len(answered),
                    correct=correct, wrong_entry=len(answered) - correct - unanswerable,
                    answered_unanswerable=unanswerable)


def load_heldout(path: Path) -> tuple[list[str], list[str]]:
    """Held-out questions and expected entry ids ("" = must not be answered) from a TOML [[cases]] file."""
    with open(path, "rb") as fh:
        cases = tomllib.load(fh)["cases"]
    return [str(c["text"]) for c in cases], [str(c.get("expect", "")) for c in cases]


def evaluate(matcher: FaqMatcher, texts: Sequence[str], expected: Sequence[str]) -> tuple[FaqScore, list[FaqMatch]]:
    """Score the matcher on labelled questions; also return each match for a report."""
    matches = matcher.match_many(list(texts))
    return score_matches(matches, expected), matches


def tune(matcher: FaqMatcher, *, regularisations: Sequence[float] = (8.0, 32.0, 128.0),
         word_weights: Sequence[float] = (0.0, 1.0, 2.0), min_precision: float = 0.95, folds: int = 4,
         ) -> list[tuple[float, float, float, float, float]]:
    """(regularisation, word_weight, min_probability, precision, coverage) by cross-validation over the FAQ's
    variants and the background messages, best coverage first among settings with precision >= min_precision."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    vectors = np.asarray(matcher._embed(matcher.variants + matcher.background), dtype=np.float32)
    labels, entries = matcher.labels, len(matcher.entries)
    rows = []
    for word_weight in word_weights:
        probe = FaqMatcher.__new__(FaqMatcher)
        probe.__dict__.update(matcher.__dict__, word_weight=word_weight)
        features = probe._features(vectors, matcher.variants + matcher.background, own_rows=True)
        for regularisation in regularisations:
            probabilities = np.zeros((len(labels), entries + 1))
            for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(features, labels):
                model = LogisticRegression(C=regularisation, max_iter=3000).fit(features[train], labels[train])
                probabilities[test] = model.predict_proba(features[test])
            best = probabilities[:, :entries].argmax(axis=1)
            best_p = probabilities[np.arange(len(labels)), best]
            asked = labels < entries
            for threshold in np.arange(0.2, 0.85, 0.05):
                answered = best_p >= threshold
                correct = int(np.sum(answered & asked & (best == labels)))
                precision = correct / max(int(answered.sum()), 1)
                if precision >= min_precision:
                    rows.append((regularisation, word_weight, round(float(threshold), 2), round(precision, 3),
                                 round(correct / int(asked.sum()), 3)))
    return sorted(rows, key=lambda r: (-r[4], -r[3]))


def main(argv: Sequence[str] | None = None) -> int:
    """`evaluate HELDOUT` prints precision and coverage; `tune` prints the best thresholds."""
    parser = argparse.ArgumentParser(prog="python -m conversation.faq")
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="precision and coverage on a held-out [[cases]] TOML file")
    ev.add_argument("heldout", type=Path)
    ev.add_argument("--faq", type=Path, default=None)
    ev.add_argument("--show", action="store_true", help="print every question and its match")
    tu = sub.add_parser("tune", help="settings by cross-validation on the FAQ's variants and background messages")
    tu.add_argument("--faq", type=Path, default=None)
    for command in (ev, tu):
        command.add_argument("--embedding-cache", type=Path, default=None,
                             help="an .npz file keeping embeddings between runs")
    args = parser.parse_args(argv)
    embed: Embed | None = None
    if args.embedding_cache:
        from classifier.embedding import EmbeddingCache

        cache = EmbeddingCache(args.embedding_cache)

        def embed(texts: Sequence[str]) -> np.ndarray:
            vectors = cache.embed(list(texts))
            cache.save()
            return vectors
    matcher = FaqMatcher(load_faq(args.faq), embed=embed)
    if args.command == "tune":
        for row in tune(matcher)[:10]:
            print("regularisation=%g word_weight=%g min_probability=%.2f precision=%.3f coverage=%.3f" % row)
        return 0
    texts, expected = load_heldout(args.heldout)
    score, matches = evaluate(matcher, texts, expected)
    if args.show:
        for text, want, m in zip(texts, expected, matches):
            got = m.entry.id if m.entry else "-"
            mark = ("ok " if got == want else "BAD") if m.confident else ("   " if not want else "miss")
            print(f"{mark} {m.score:.3f} {m.margin:+.3f} {got:22} want={want or '-':22} {text}")
    print(f"questions={score.total} answerable={score.answerable} answered={score.answered} correct={score.correct} "
          f"wrong_entry={score.wrong_entry} answered_unanswerable={score.answered_unanswerable}")
    print(f"precision={score.precision:.3f} coverage={score.coverage:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
