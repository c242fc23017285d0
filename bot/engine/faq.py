"""Questions in people's own words: dialogs/faq.yaml, one classifier per language.

Measured on tests/understanding/tune.yaml (see docs/ARCHITECTURE.md, "Free text"): a logistic
regression over character n-grams ranks intents best of the approaches tried (nearest paraphrase by
TF-IDF or rapidfuzz, jieba + BM25), because it learns which n-grams tell intents apart instead of
weighing every shared character alike, and it needs no word segmentation for typos or mixed text.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

from bot.engine.i18n import LANGS
from bot.engine.textnorm import fold
from bot.engine.yamlfile import load_yaml, where
from bot.errors import FlowError

# Confidence rules, chosen on the tune split and the unrelated set (`weiquan faq-eval`):
ANSWER_AT = 0.3  # answer the top intent outright when its probability is at least this …
ANSWER_LEAD = 3.0  # … and this many times both the runner-up's and (NONE_WEIGHT ×) "asks nothing"
NONE_WEIGHT = 1.0
NOT_A_QUESTION = 0.5  # "asks nothing" this likely: no answer, no candidates
OFFER_AT = 0.15  # the top intent needs at least this probability to be offered at all …
OFFER_WITHIN = 0.45  # … and the others within this share of its probability
MAX_CANDIDATES = 3
NONE = ""  # the class of messages that ask nothing: chit-chat, numbers, names, the flow's answers


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    facts: tuple[str, ...]
    jump: str | None  # a state to offer after the answer
    covers: tuple[str, ...]  # warning guards whose note this more specific answer replaces
    phrases: Mapping[str, tuple[str, ...]]  # language -> paraphrases


@dataclass(frozen=True, slots=True)
class Match:
    answer: str | None = None  # the intent to answer outright
    candidates: tuple[str, ...] = ()  # or: close intents to offer ("did you mean …")


@dataclass(frozen=True, slots=True)
class FaqTable:
    intents: Mapping[str, Intent]
    not_questions: Mapping[str, tuple[str, ...]]  # language -> messages that ask nothing


def load_table(path: Path) -> FaqTable:
    doc = load_yaml(path) or {}
    raw = doc.get("faq") if isinstance(doc, dict) else None
    if not isinstance(raw, dict):
        raise FlowError(f"{path}: expected `faq:` with one mapping per intent")
    intents: dict[str, Intent] = {}
    for name, node in raw.items():
        if name == "__line__":
            continue
        if not isinstance(node, dict):
            raise FlowError(f"{path}: intent {name!r} must be a mapping")
        phrases = {lang: tuple(str(p) for p in node.get(lang) or ()) for lang in LANGS}
        if any(len(p) < 8 for p in phrases.values()):
            raise FlowError(f"{where(path, node)}: intent {name!r} needs at least 8 phrasings per language")
        jump = node.get("jump")
        facts, covers = tuple(node.get("facts") or ()), tuple(node.get("covers") or ())
        intents[name] = Intent(name, facts, str(jump) if jump else None, covers, phrases)
    others = doc.get("not_questions") or {}
    return FaqTable(intents, {lang: tuple(str(p) for p in others.get(lang) or ()) for lang in LANGS})


class FaqMatcher:
    """Ranks the intents for a message and decides: answer, offer candidates, or nothing."""

    def __init__(
        self, table: FaqTable, flow_answers: Mapping[str, Sequence[str]], cache: Path | None = None
    ) -> None:
        self.intents = dict(table.intents)
        negatives = {lang: [*table.not_questions[lang], *flow_answers.get(lang, ())] for lang in LANGS}
        cached = cache / f"faq-model-{_fingerprint(table, negatives)}.pickle" if cache else None
        loaded = _read_cache(cached) if cached else None
        self._models = loaded or {lang: _train(self.intents, negatives[lang], lang) for lang in LANGS}
        if cached and loaded is None:
            _write_cache(cached, self._models)

    def rank(self, lang: str, text: str) -> list[tuple[str, float]]:
        model = self._models.get(lang)
        folded = fold(text)
        if model is None or not folded:
            return []
        vectorizer, regression = model[0], model[-1]
        # the multinomial softmax by hand: predict_proba's input checks cost as much as the maths
        scores = (vectorizer.transform([folded]) @ regression.coef_.T).ravel() + regression.intercept_
        probabilities = numpy.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        ranked = sorted(zip(regression.classes_, probabilities, strict=True), key=lambda p: -p[1])
        return [(str(intent), float(p)) for intent, p in ranked]

    def match(self, lang: str, text: str) -> Match:
        ranked = self.rank(lang, text)
        if len(ranked) < 3:
            return Match()
        none = dict(ranked)[NONE]
        ranked = [(i, p) for i, p in ranked if i != NONE]
        (top, p1), (_, p2) = ranked[0], ranked[1]
        if p1 >= ANSWER_AT and p1 >= ANSWER_LEAD * max(p2, NONE_WEIGHT * none):
            return Match(answer=top)
        if none > NOT_A_QUESTION or p1 < OFFER_AT:
            return Match()
        return Match(candidates=tuple(i for i, p in ranked[:MAX_CANDIDATES] if p >= OFFER_WITHIN * p1))


MODEL_VERSION = "1"  # bump when _train changes, so cached models are rebuilt


def _fingerprint(table: FaqTable, negatives: Mapping[str, Sequence[str]]) -> str:
    import sklearn

    digest = hashlib.sha256(f"{MODEL_VERSION} {sklearn.__version__}".encode())
    digest.update(repr(sorted((i.id, sorted(i.phrases.items())) for i in table.intents.values())).encode())
    digest.update(repr(sorted((lang, sorted(n)) for lang, n in negatives.items())).encode())
    return digest.hexdigest()[:16]


def _read_cache(path: Path) -> dict[str, Any] | None:
    """Training takes seconds; a model trained on exactly this table loads in milliseconds.
    The file lives in the data directory, written by this program only (mode 0600)."""
    try:
        with path.open("rb") as file:
            models = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return models if isinstance(models, dict) and set(models) == set(LANGS) else None


def _write_cache(path: Path, models: Mapping[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            pickle.dump(dict(models), file)
        partial.replace(path)
    except OSError:
        pass  # a read-only data directory only costs the next start its training time


def _train(intents: Mapping[str, Intent], not_questions: Sequence[str], lang: str) -> Any:
    # imported here: scikit-learn takes a second to import, and only an engine needs it
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts: list[str] = []
    labels: list[str] = []
    for intent in intents.values():
        for phrase in intent.phrases[lang]:
            texts.append(fold(phrase))
            labels.append(intent.id)
    for message in not_questions:
        texts.append(fold(message))
        labels.append(NONE)
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        # saga: the lbfgs solver ranks the same but trains 5× slower on these sparse features
        LogisticRegression(C=10, solver="saga", max_iter=200, tol=1e-3),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny classes is not an error here
        model.fit(texts, labels)
    return model
