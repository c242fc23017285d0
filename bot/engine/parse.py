"""Reading what the user typed: clean text, commands, option numbers and labels, values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from bot.engine import amounts, dates

MAX_TEXT = 2000  # longer messages are cut (the safety detector has read them whole before)
_SEPARATORS = re.compile(r"[\s,，、;；/和]+")
_NUMBER = re.compile(r"^\d{1,2}$")
_NUMERIC = re.compile(r"[\d\s,，、;；/和。.]+")  # option numbers, amounts, and what separates them


def clean(text: str) -> str:
    """NFKC (full-width digits → ASCII), no control characters, no lone surrogates, bounded."""
    if text.isascii() and text.isprintable():  # the common "1 2 3": already clean
        return text.strip()[:MAX_TEXT]
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_TEXT]


def is_numeric(text: str) -> bool:
    """Only digits and separators (`2`, `1 3 5`, `3000`): a phrase made of these characters
    could be found in such a reply, any other phrase cannot."""
    return _NUMERIC.fullmatch(text) is not None


def command_table(commands: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Every spelling, case-folded, to its command: one dict lookup per message."""
    return {s.casefold(): command for command, spellings in commands.items() for s in spellings}


def command_of(text: str, table: Mapping[str, str]) -> str | None:
    word = text.strip().casefold()
    if word.startswith("/"):
        word = word.split("@", 1)[0]  # Telegram group style: /help@botname
    return table.get(word)


def option_numbers(text: str, count: int) -> list[int] | None:
    """`1 3 5`, `1,3,5`, `1、3` → [0, 2, 4]; None if the text is not only option numbers."""
    if len(text) <= 2 and text.isdecimal():  # the common single pick, without the regexes
        index = int(text) - 1
        return [index] if 0 <= index < count else None
    tokens = [t for t in _SEPARATORS.split(text.strip().rstrip("。.")) if t]
    if not tokens or not all(_NUMBER.match(t) for t in tokens):
        return None
    picks: list[int] = []
    for token in tokens:
        index = int(token) - 1
        if not 0 <= index < count:
            return None
        if index not in picks:
            picks.append(index)
    return picks


def number_tokens(text: str) -> list[int]:
    """The numbers of a reply made only of numbers (`1 2 3 4 5 6`), else []."""
    tokens = [t for t in _SEPARATORS.split(text.strip().rstrip("。.")) if t]
    return [int(t) for t in tokens] if tokens and all(_NUMBER.match(t) for t in tokens) else []


def offer_choice(
    option_ids: Sequence[str], text: str, ids: Sequence[str], labels: Sequence[str], numbered_after: int
) -> str | None:
    """Which of the engine's own options was picked: by id, by its number on screen, or by label."""
    if option_ids:
        return option_ids[0] if len(option_ids) == 1 and option_ids[0] in ids else None
    numbers = number_tokens(text)
    if len(numbers) == 1 and 0 <= numbers[0] - 1 - numbered_after < len(ids):
        return ids[numbers[0] - 1 - numbered_after]
    index = option_by_label(text, labels)
    return None if index is None else ids[index]


def option_by_label(text: str, labels: Sequence[str]) -> int | None:
    """The one option whose label is the text, or the only one that contains it."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    # the text was NFKC-folded by clean(); fold labels the same way ("下一步：" has a full-width colon)
    folded = [unicodedata.normalize("NFKC", label).casefold() for label in labels]
    if wanted in folded:
        return folded.index(wanted)
    if len(wanted) >= 2:
        hits = [i for i, label in enumerate(folded) if wanted in label]
        if len(hits) == 1:
            return hits[0]
    return None


def money(text: str) -> float | None:
    return amounts.money(text)


def integer(text: str) -> int | None:
    match = re.match(r"^(\d{1,3})\s*(?:个月|月|期|months?)?$", text.strip(), re.I)
    return int(match.group(1)) if match and 0 < int(match.group(1)) <= 600 else None


def date_text(text: str, now: float | None = None) -> str | None:
    """The ISO date the text names; without `now` only a full date (year, month, day) is read."""
    reading = dates.read_date(text, now if now is not None else 0.0)
    if reading is None or (now is None and not dates.FULL_DATE.fullmatch(text.strip())):
        return None
    return reading.iso


class PhraseMatcher:
    """Does a message contain one of the phrases, once the `except` phrases are taken out?"""

    def __init__(self, phrases: Sequence[str], exceptions: Sequence[str] = ()) -> None:
        self._phrases = _alternation(phrases)
        self._exceptions = _alternation(exceptions)

    def __call__(self, text: str) -> bool:
        if self._phrases is None:
            return False
        folded = text.casefold()
        if self._exceptions is not None:
            folded = self._exceptions.sub(" ", folded)
        return self._phrases.search(folded) is not None


def _alternation(phrases: Sequence[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    ordered = sorted({p.casefold() for p in phrases}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered))
