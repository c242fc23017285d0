"""One spelling for matching: NFKC, simplified characters, case-folded, punctuation as spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from opencc import OpenCC

_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-zA-Z]")


def fold(text: str) -> str:
    """`會不會坐牢？` and `会不会坐牢` read the same; so do `ＥＮＧＬＩＳＨ` and `english`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _to_simplified().convert(text)
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def script_counts(text: str) -> tuple[int, int]:
    """(Chinese characters, Latin letters) in the text."""
    return len(_CJK.findall(text)), len(_LATIN.findall(text))


@cache
def _to_simplified() -> Any:
    return OpenCC("t2s")  # built once: it reads its dictionaries from disk
