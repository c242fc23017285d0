"""One spelling for matching: NFKC, simplified characters, case-folded, punctuation as spaces."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from bot.safety.normalise import simplified_converter

_NOT_WORD = re.compile(r"[^\w\s]+")
_APOSTROPHE = re.compile(r"(?<=[a-z])['\u2019\u02bc](?=[a-z])")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-zA-Z]")


def fold(text: str) -> str:
    """`會不會坐牢？` and `会不会坐牢` read the same; so do `ＥＮＧＬＩＳＨ` and `english`, and
    `I'm`, `don’t` and the `im`, `dont` people type without the apostrophe."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHE.sub("", simplified_converter().convert(text))
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def script_counts(text: str) -> tuple[int, int]:
    """(Chinese characters, Latin letters) in the text."""
    return len(_CJK.findall(text)), len(_LATIN.findall(text))


class Synonyms:
    """The domain's many words for one thing (`爸妈`, `家里人`, `亲戚` → `家人`), rewritten to one
    word before the FAQ matcher reads a message, so a phrasing taught with one word also
    recognises the others. Data: `synonyms:` in dialogs/faq.yaml. Works on folded text."""

    def __init__(self, groups: Mapping[str, Sequence[str]], *, whole_words: bool) -> None:
        self.canonical = {fold(str(v)): fold(str(word)) for word, vs in groups.items() for v in vs}
        self.canonical.pop("", None)
        # longest first, so `debt collectors` wins over `collectors`
        variants = sorted(self.canonical, key=lambda v: (-len(v), v))
        alternatives = "|".join(re.escape(v) for v in variants)
        # Latin words only match whole (`hr` is not in `three`); Chinese has no spaces to match on
        pattern = rf"\b(?:{alternatives})\b" if whole_words else f"(?:{alternatives})"
        self._pattern = re.compile(pattern) if variants else None

    def apply(self, folded: str) -> str:
        if self._pattern is None:
            return folded
        return self._pattern.sub(lambda found: self.canonical[found.group(0)], folded)
