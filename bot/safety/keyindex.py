"""Which of many patterns could match a text, told from the short strings each one needs.

A pattern needs, for each part a match cannot skip, one of a few short strings
(firstchars.needs): `(?:想|要)[^。]{0,3}死` needs 想 or 要, and 死. A message holds only
a few dozen of the strings the several hundred patterns of a label need, so checking what each
pattern needs, before running it, leaves a handful of the patterns to run. The check is done for
all the patterns at once, in a few operations on one big integer: each pattern owns one bit per
need and a guard bit above them; the message's strings set the bits of the needs they meet, and
adding 1 at the lowest bit of every pattern carries into its guard bit exactly when all its
needs are met.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import reduce
from operator import or_
from typing import Generic, TypeVar

Item = TypeVar("Item")


class KeyIndex(Generic[Item]):
    def __init__(self, entries: Sequence[tuple[Item, Sequence[frozenset[str]]]]) -> None:
        self.entries = tuple(entries)  # (item, what it needs), in order
        masks: dict[str, int] = {}
        self._items: dict[int, Item] = {}  # guard bit -> its item
        self._lows = self._guards = bit = 0
        for item, needs in reversed(entries):  # the first entry on top: it is read out first
            self._lows |= 1 << bit
            for need in needs:
                for key in need:
                    masks[key] = masks.get(key, 0) | 1 << bit
                bit += 1
            self._guards |= 1 << bit
            self._items[bit] = item
            bit += 1
        self._masks = masks
        self._keys = frozenset(masks)

    def candidates(self, keys: frozenset[str]) -> Iterator[Item]:
        """The items whose needs `keys` (a text's strings, `text_keys`) all meet, in order."""
        met = reduce(or_, map(self._masks.__getitem__, keys & self._keys), 0)
        passing = (met + self._lows) & self._guards
        while passing:
            bit = passing.bit_length() - 1
            yield self._items[bit]
            passing ^= 1 << bit


def text_keys(text: str, sizes: Iterable[int]) -> frozenset[str]:
    """Every string of the given sizes (in characters) in the text."""
    return frozenset([text[at : at + size] for size in sizes for at in range(len(text) - size + 1)])
