"""A statistical backstop for the crisis screening question only.

The pattern families catch what they were written for; a person in despair can always find words
no family holds. This linear model over character n-grams (Chinese) and words (English), trained
on tests/safety/tune (crisis against everything else), adds the *soft* crisis signal, the one
caring question, when the patterns found nothing and the message reads like the crisis examples.
It never shows the crisis screen by itself, so a calm message it misjudges costs one question.

Scored by hand from a dictionary of weights (dialogs/safety/backstop.json, written by
`python -m bot.safety.backstop_train`): a few microseconds per clause, no scikit-learn at run time.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import FlowError

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z']*")
# a long vent is read clause by clause, where its last sentences carry what matters
_SENTENCE = re.compile(r"[。！？!?；;\n]+|\.(?:\s|$)")
_MAX_SENTENCES = 12
_WHOLE = 200  # characters read as one piece, as the model was trained (on whole messages)


def features(folded: str) -> set[str]:
    """Character 1–3-grams of each run of Chinese characters; English words, word pairs, and
    the 4-letter pieces of longer words."""
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
    return grams


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
class Backstop:
    weights: Mapping[str, float]
    bias: float
    thresholds: Mapping[str, float]  # per script ("zh", "en"), logits: at or above, it asks
    trained_on: str  # the fingerprint of the tuning set

    @classmethod
    def load(cls, path: Path) -> Backstop | None:
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                weights={str(k): float(v) for k, v in data["weights"].items()},
                bias=float(data["bias"]),
                thresholds={name: float(data["thresholds"][name]) for name in ("zh", "en")},
                trained_on=str(data["trained_on"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FlowError(f"{path}: not a backstop model ({exc!r}); run "
                            "python -m bot.safety.backstop_train") from exc  # fmt: skip

    def score(self, folded: str) -> float:
        """The logit of a message, or of its most alarming sentence among the last ones."""
        if len(folded) <= _WHOLE:
            return self._logit(folded)
        parts = [p for p in _SENTENCE.split(folded) if p.strip()][-_MAX_SENTENCES:]
        return max((self._logit(text[-_WHOLE:]) for text in parts), default=self.bias)

    def asks(self, folded: str) -> bool:
        return self.score(folded) >= self.thresholds[script(folded)]

    def _logit(self, text: str) -> float:
        # binary features, L2-normalised over the known ones: what the trainer's vectoriser does
        known = [w for w in map(self.weights.get, features(text)) if w is not None]
        if not known:
            return self.bias
        return self.bias + sum(known) / math.sqrt(len(known))
