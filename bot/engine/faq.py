"""Questions in people's own words: dialogs/faq.yaml, one classifier per language.

Measured on tests/understanding/tune.yaml (see docs/ARCHITECTURE.md, "Free text"): a logistic
regression over character n-grams ranks intents best of the approaches tried (nearest paraphrase by
TF-IDF or rapidfuzz, jieba + BM25), because it learns which n-grams tell intents apart instead of
weighing every shared character alike, and it needs no word segmentation for typos or mixed text.
Before it reads a message (and each phrasing it learns from), the table's `synonyms:` rewrite the
domain's many words for one thing to one word. Cross-validated over the table's own phrasings, jieba
words beside the n-grams, n-grams up to 4, a linear SVM, other C values, balanced class weights and
a blend with the nearest phrasing's cosine all scored within a point of this, so none was kept;
so did English stemming, stop words and a jieba model blended in. English word pairs were kept.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import operator
import os
import re
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy

from bot.engine.i18n import LANGS
from bot.engine.textnorm import Synonyms, fold
from bot.errors import FlowError
from bot.yamlfile import load_yaml, where

# Confidence rules, chosen on the tune split and the unrelated set (`weiquan faq-eval`), and checked
# on out-of-fold probabilities (5-fold cross-validation over the table, plus tune): about 63% of
# questions answered outright, 2% answered wrongly, 22% offered the right intent among the
# candidates. Lower leads answer more, wrongly too (a lead of 2: about 67%, 2–4% wrongly).
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
    synonyms: Mapping[str, Mapping[str, tuple[str, ...]]]  # language -> word -> its other spellings


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
    not_questions = {lang: tuple(str(p) for p in others.get(lang) or ()) for lang in LANGS}
    return FaqTable(intents, not_questions, _synonyms(path, doc.get("synonyms") or {}))


def _synonyms(path: Path, node: object) -> dict[str, dict[str, tuple[str, ...]]]:
    groups = {lang: node.get(lang) or {} for lang in LANGS} if isinstance(node, dict) else None
    if groups is None or not all(isinstance(g, dict) for g in groups.values()):
        raise FlowError(f"{path}: `synonyms:` maps each language to word: [other spellings]")
    return {
        lang: {str(w): tuple(str(v) for v in others or ()) for w, others in g.items() if w != "__line__"}
        for lang, g in groups.items()
    }


@dataclass(frozen=True, slots=True)
class _Model:
    """One language's trained classifier as plain arrays: scoring a message by hand costs tens of
    microseconds, where scikit-learn's transform and its input checks cost milliseconds."""

    vocabulary: Mapping[str, int]  # character n-gram -> column
    idf: numpy.ndarray
    coef: numpy.ndarray  # columns × classes (a row per n-gram, then per word: one gather per message)
    intercept: numpy.ndarray
    classes: tuple[str, ...]
    words: Mapping[str, int]  # word -> column after the n-grams' (English only; empty: no word features)
    word_idf: numpy.ndarray

    def scores(self, folded: str) -> numpy.ndarray:
        # Each TfidfVectorizer of the feature union normalises its own part; the parts' columns and
        # weights are then gathered together, so the coefficients take one gather and one product.
        columns: list[numpy.ndarray] = []
        weights: list[numpy.ndarray] = []
        for vocabulary, idf, offset, tokens in (
            (self.vocabulary, self.idf, 0, _char_ngrams(folded)),
            (self.words, self.word_idf, len(self.vocabulary), _words(folded) if self.words else []),
        ):
            counts = Counter(map(vocabulary.get, tokens))
            counts.pop(None, None)  # tokens never seen in training
            if not counts:
                continue
            part = numpy.fromiter(counts, dtype=numpy.intp, count=len(counts))
            tf = numpy.fromiter(counts.values(), dtype=float, count=len(counts))
            weight = (1.0 + numpy.log(tf)) * idf[part]
            weight /= math.sqrt(weight @ weight)  # sublinear tf × idf, L2-normalised: TfidfVectorizer's
            columns.append(part + offset)
            weights.append(weight)
        if not columns:
            return self.intercept.copy()
        gathered = self.coef[numpy.concatenate(columns)] if len(columns) > 1 else self.coef[columns[0]]
        together = numpy.concatenate(weights) if len(weights) > 1 else weights[0]
        result: numpy.ndarray = together @ gathered + self.intercept
        return result


def _char_ngrams(text: str) -> list[str]:
    """scikit-learn's `char_wb` analyzer, n = 1…3: n-grams inside each word padded with spaces
    (a padded word has at least 3 characters, so every n yields at least one)."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        grams.extend(padded)
        grams.extend(map(operator.add, padded, padded[1:]))
        grams.extend(map("".join, zip(padded, padded[1:], padded[2:], strict=False)))
    return grams


_WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
WORD_FEATURES = frozenset({"en"})  # languages whose words are features besides the n-grams


def _words(text: str) -> list[str]:
    """scikit-learn's `word` analyzer, unigrams and bigrams of runs of two or more word characters."""
    words = _WORD.findall(text.lower())
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


class FaqMatcher:
    """Ranks the intents for a message and decides: answer, offer candidates, or nothing."""

    def __init__(
        self, table: FaqTable, flow_answers: Mapping[str, Sequence[str]], cache: Path | None = None
    ) -> None:
        self.intents = dict(table.intents)
        negatives = {lang: [*table.not_questions[lang], *flow_answers.get(lang, ())] for lang in LANGS}
        self.negatives = negatives  # what the "asks nothing" class learns from, by language
        self.synonyms = {
            lang: Synonyms(table.synonyms.get(lang, {}), whole_words=lang in WORD_FEATURES) for lang in LANGS
        }
        self._models = _models(self.intents, negatives, self.prepare, _fingerprint(table, negatives), cache)

    def prepare(self, lang: str, text: str) -> str:
        """The text as the classifier reads it, in training and in use: folded, one word per synonym."""
        return self.synonyms[lang].apply(fold(text))

    def probabilities(self, lang: str, text: str) -> tuple[tuple[str, ...], numpy.ndarray] | None:
        """Each class's probability for the message (the multinomial softmax), None if unreadable."""
        model = self._models.get(lang)
        prepared = self.prepare(lang, text)
        if model is None or not prepared:
            return None
        scores = model.scores(prepared)
        probabilities = numpy.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        return model.classes, probabilities

    def rank(self, lang: str, text: str) -> list[tuple[str, float]]:
        found = self.probabilities(lang, text)
        if found is None:
            return []
        classes, probabilities = found
        return [(classes[i], float(probabilities[i])) for i in numpy.argsort(-probabilities, kind="stable")]

    def match(self, lang: str, text: str) -> Match:
        found = self.probabilities(lang, text)
        if found is None or len(found[0]) < 3:
            return Match()
        # the top few intents only: sorting every class into Python objects cost a third of a turn
        classes, probabilities = found
        none_at = classes.index(NONE)
        none = float(probabilities[none_at])
        probabilities[none_at] = -1.0
        best = numpy.argsort(-probabilities, kind="stable")[:MAX_CANDIDATES]
        top, p1, p2 = classes[best[0]], float(probabilities[best[0]]), float(probabilities[best[1]])
        if p1 >= ANSWER_AT and p1 >= ANSWER_LEAD * max(p2, NONE_WEIGHT * none):
            return Match(answer=top)
        if none > NOT_A_QUESTION or p1 < OFFER_AT:
            return Match()
        return Match(candidates=tuple(classes[i] for i in best if probabilities[i] >= OFFER_WITHIN * p1))


MODEL_VERSION = "5"  # bump when _train or the stored form changes, so kept models are rebuilt
_TRAINED: dict[str, dict[str, _Model]] = {}  # by fingerprint: one training per table per process


Prepare = Callable[[str, str], str]  # (language, message) -> what the classifier reads


def _models(
    intents: Mapping[str, Intent],
    negatives: Mapping[str, Sequence[str]],
    prepare: Prepare,
    fingerprint: str,
    cache: Path | None,
) -> dict[str, _Model]:
    """Training takes seconds, so a model trained on exactly this table is kept: in this process,
    and as plain arrays (no pickle) in the cache directory for the next process."""
    if fingerprint in _TRAINED:
        return _TRAINED[fingerprint]
    path = cache / f"faq-model-{fingerprint}.npz" if cache else None
    models = _read_models(path) if path else None
    if models is None:
        models = {lang: _train(intents, negatives[lang], lang, prepare) for lang in LANGS}
        if path:
            _write_models(path, models)
    _TRAINED[fingerprint] = models
    return models


def _fingerprint(table: FaqTable, negatives: Mapping[str, Sequence[str]]) -> str:
    # the installed version, without importing scikit-learn (seconds) when a kept model will do
    digest = hashlib.sha256(f"{MODEL_VERSION} {metadata.version('scikit-learn')}".encode())
    digest.update(repr(sorted((i.id, sorted(i.phrases.items())) for i in table.intents.values())).encode())
    digest.update(repr(sorted((lang, sorted(n)) for lang, n in negatives.items())).encode())
    digest.update(repr(sorted((lang, sorted(s.items())) for lang, s in table.synonyms.items())).encode())
    return digest.hexdigest()[:16]


def _read_models(path: Path) -> dict[str, _Model] | None:
    try:
        with numpy.load(path, allow_pickle=False) as arrays:
            return {
                lang: _Model(
                    {gram: i for i, gram in enumerate(arrays[f"{lang}.vocabulary"].tolist())},
                    arrays[f"{lang}.idf"],
                    arrays[f"{lang}.coef"],
                    arrays[f"{lang}.intercept"],
                    tuple(arrays[f"{lang}.classes"].tolist()),
                    {word: i for i, word in enumerate(arrays[f"{lang}.words"].tolist())},
                    arrays[f"{lang}.word_idf"],
                )
                for lang in LANGS
            }
    except (OSError, KeyError, ValueError):
        return None


def _write_models(path: Path, models: Mapping[str, _Model]) -> None:
    arrays: dict[str, numpy.ndarray] = {}
    for lang, model in models.items():
        grams = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
        arrays[f"{lang}.vocabulary"] = numpy.array(grams, dtype=str)
        arrays[f"{lang}.idf"], arrays[f"{lang}.coef"] = model.idf, model.coef
        arrays[f"{lang}.intercept"] = model.intercept
        arrays[f"{lang}.classes"] = numpy.array(model.classes, dtype=str)
        words = sorted(model.words, key=model.words.__getitem__)
        arrays[f"{lang}.words"] = numpy.array(words, dtype=str)
        arrays[f"{lang}.word_idf"] = model.word_idf
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            numpy.savez(file, **arrays)  # type: ignore[arg-type]
        partial.replace(path)
    except OSError:
        pass  # a read-only directory only costs the next start its training time


def _train(
    intents: Mapping[str, Intent], not_questions: Sequence[str], lang: str, prepare: Prepare
) -> _Model:
    return _arrays(_fit(intents, not_questions, lang, prepare))


def _arrays(pipeline) -> _Model:  # type: ignore[no-untyped-def]
    """A fitted _fit pipeline as the plain arrays _Model.scores reads."""
    union, regression = pipeline[0], pipeline[-1]
    chars = union.transformer_list[0][1]
    words = union.transformer_list[1][1] if len(union.transformer_list) > 1 else None
    return _Model(
        {str(gram): int(column) for gram, column in chars.vocabulary_.items()},
        chars.idf_,
        numpy.ascontiguousarray(regression.coef_.T),
        regression.intercept_,
        tuple(str(c) for c in regression.classes_),
        {str(word): int(column) for word, column in words.vocabulary_.items()} if words else {},
        words.idf_ if words else numpy.zeros(0),
    )


def _fit(intents: Mapping[str, Intent], not_questions: Sequence[str], lang: str, prepare: Prepare):  # type: ignore[no-untyped-def]
    """The scikit-learn pipeline that _train turns into plain arrays (tests compare the two)."""
    # imported here: scikit-learn takes a second to import, and only an engine needs it
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    texts: list[str] = []
    labels: list[str] = []
    for intent in intents.values():
        for phrase in intent.phrases[lang]:
            texts.append(prepare(lang, phrase))
            labels.append(intent.id)
    for message in not_questions:
        texts.append(prepare(lang, message))
        labels.append(NONE)
    features = [TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)]
    if lang in WORD_FEATURES:  # whole words tell English intents apart better (tune split: +3 points),
        # and word pairs (`call night`, `my contacts`) better still (held-out: +1.5 points)
        features.append(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True))
    model = make_pipeline(
        make_union(*features),
        # saga: the lbfgs solver ranks the same but trains 5× slower on these sparse features
        LogisticRegression(C=10, solver="saga", max_iter=200, tol=1e-3, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny classes is not an error here
        model.fit(texts, labels)
    return model
