"""A statistical backstop for the soft tier: the crisis screening question, the added 110 line.

The pattern families catch what they were written for; a person in despair or in danger can
always find words no family holds. One linear model per label over character n-grams (Chinese)
and words (English), trained on tests/safety/tune (that label against everything else), adds the
label's *soft* signal when the patterns found nothing and the message reads like the label's
examples: for crisis the one caring question, for danger a 110 line added to the reply. Only a
danger message that reads far more like the danger examples than any but the rarest calm one (its
`screens` threshold, set in training) gets the danger screen from the model; anything below that
costs a calm message it misjudges one question or one line.

Scored by hand from dictionaries of weights (dialogs/safety/backstop.json, written by
`python -m bot.safety.backstop_train`): a few microseconds per clause, no scikit-learn at run time.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import FlowError

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z']*")
# a long vent is read clause by clause, where its last sentences carry what matters
_SENTENCE = re.compile(r"[。！？!?；;\n]+|\.(?:\s|$)")
_MAX_SENTENCES = 12
_WHOLE = 200  # characters read as one piece, as the model was trained (on whole messages)


WordClasses = Mapping[str, tuple[str, ...]]  # an English word (or its stem) -> its classes


def features(folded: str, classes: WordClasses | None = None) -> set[str]:
    """Character 1–3-grams of each run of Chinese characters; English words, word pairs, and
    the 4-letter pieces of longer words. With `classes` (the crisis model's), also each class
    of the English words and each pair of classes present: what lets a model trained on "saved
    up my pills" score "all my insulin at once"."""
    grams: set[str] = set()
    for run in _CJK_RUN.findall(folded):
        for n in (1, 2, 3):
            grams.update(run[i : i + n] for i in range(len(run) - n + 1))
    words = _WORD.findall(folded)
    grams.update(f"w:{w}" for w in words)
    grams.update(f"w:{a} {b}" for a, b in itertools.pairwise(words))
    for word in words:  # letters inside a word: "unaliving", "suicidel", "overdosed"
        if len(word) > 4:
            padded = f" {word} "
            grams.update(f"c:{padded[i : i + 4]}" for i in range(len(padded) - 3))
    if classes is not None and words:
        found: set[str] = set()
        for word in words:
            of_word = classes.get(word)
            if of_word is None and word[-1] in "sgd":  # the endings stem() takes off: -s, -ing, -ed
                of_word = classes.get(stem(word))
            found.update(of_word or ())
        present = sorted(found)
        grams.update(f"k:{k}" for k in present)
        grams.update(f"k:{a}+{b}" for a, b in itertools.combinations(present, 2))
    return grams


_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """A crude English stem for looking words up: swallowed, swallows -> swallow; cutting -> cut."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsaeiou":
                word = word[:-1]  # cutt -> cut, stopp -> stop (but pill, miss stay)
            break
    return word


def script(folded: str) -> str:
    """Which threshold applies: "zh" when the message holds Chinese characters, else "en"."""
    return "zh" if _CJK_RUN.search(folded) else "en"


def fingerprint(messages: Iterable[tuple[str, str, str]]) -> str:
    """What the model was trained on: a hash of the (label, lang, message) lines, in order."""
    digest = hashlib.sha256()
    for label, lang, message in messages:
        digest.update(f"{label}\t{lang}\t{message}\n".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class LabelModel:
    weights: Mapping[str, float]
    bias: float
    thresholds: Mapping[str, float]  # per script ("zh", "en"), logits: at or above, it asks
    screens: Mapping[str, float] = field(default_factory=dict)  # per script: at or above, the screen
    reads_classes: bool = False  # trained with the word-class features (crisis)

    def logit(self, grams: set[str]) -> float:
        # binary features, L2-normalised over the known ones: what the trainer's vectoriser does
        known = [w for w in map(self.weights.get, grams) if w is not None]
        if not known:
            return self.bias
        return self.bias + sum(known) / math.sqrt(len(known))


@dataclass(frozen=True, slots=True)
class Backstop:
    models: Mapping[str, LabelModel]  # label -> its model
    trained_on: str  # the fingerprint of the tuning set
    classes: WordClasses = field(default_factory=dict)  # for the models that read word classes

    @classmethod
    def load(cls, path: Path) -> Backstop | None:
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            models = {
                str(label): LabelModel(
                    weights={str(k): float(v) for k, v in model["weights"].items()},
                    bias=float(model["bias"]),
                    thresholds={name: float(model["thresholds"][name]) for name in ("zh", "en")},
                    screens={str(k): float(v) for k, v in (model.get("screens") or {}).items()},
                    reads_classes=bool(model.get("reads_classes", False)),
                )
                for label, model in data["models"].items()
            }
            classes = {str(w): tuple(map(str, k)) for w, k in (data.get("classes") or {}).items()}
            return cls(models=models, trained_on=str(data["trained_on"]), classes=classes)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FlowError(
                f"{path}: not a backstop model ({exc!r}); run python -m bot.safety.backstop_train"
            ) from exc

    def score(self, label: str, folded: str) -> float:
        """The logit of a message, or of its most alarming sentence among the last ones."""
        model = self.models[label]
        return max(map(model.logit, self._pieces(folded)), default=model.bias)

    def screens(self, label: str, folded: str) -> bool:
        """Does the message read so much like the label that the model shows its screen?"""
        model = self.models.get(label)
        threshold = model.screens.get(script(folded)) if model is not None else None
        return threshold is not None and self.score(label, folded) >= threshold

    def asking(self, folded: str, labels: Iterable[str]) -> list[str]:
        """Those of `labels` whose model would add its soft signal to this message."""
        labels = [label for label in labels if label in self.models]
        if not labels:
            return []
        pieces = self._pieces(folded)  # the n-grams are read once, for every label
        name = script(folded)
        return [
            label
            for label in labels
            if max(map(self.models[label].logit, pieces), default=self.models[label].bias)
            >= self.models[label].thresholds[name]
        ]

    def _pieces(self, folded: str) -> list[set[str]]:
        # a model trained without the class features has no weights for them: they cost it nothing
        reads = any(model.reads_classes for model in self.models.values())
        return _pieces(folded, self.classes if reads else None)


def _pieces(folded: str, classes: WordClasses | None) -> list[set[str]]:
    if len(folded) <= _WHOLE:
        return [features(folded, classes)]
    parts = [p for p in _SENTENCE.split(folded) if p.strip()][-_MAX_SENTENCES:]
    return [features(part[-_WHOLE:], classes) for part in parts]
