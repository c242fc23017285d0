"""One spelling for matching: NFKC, simplified characters, case-folded, punctuation as spaces."""

from __future__ import annotations

import re
import unicodedata

from bot.safety.normalise import simplified_converter

_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-zA-Z]")


def fold(text: str) -> str:
    """`會不會坐牢？` and `会不会坐牢` read the same; so do `ＥＮＧＬＩＳＨ` and `english`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = simplified_converter().convert(text)
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def script_counts(text: str) -> tuple[int, int]:
    """(Chinese characters, Latin letters) in the text."""
    return len(_CJK.findall(text)), len(_LATIN.findall(text))

