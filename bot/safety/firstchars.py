"""What a regular expression needs of a text before it can match: the characters a match can
start with (first_chars), and the short strings it reads at each part it cannot skip (needs), so
a rule can be skipped unless the message holds them. Python's `re` does such a skip itself only
inside one search; across hundreds of rules per message, not calling a rule at all is what keeps
the detector cheap."""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

# The standard library's own parser (Python >= 3.11 names; sre_parse is deprecated and untyped).
_p: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")


def first_chars(pattern: str) -> frozenset[str] | None:
    """The set of possible first characters, or None when it cannot be told (always run)."""
    try:
        parsed = _p.parse(pattern)
    except re.error:
        return None
    return _first(list(parsed))


def _first(items: list[Any]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op in (_c.AT,):  # \b, ^: zero width, look at what follows
            continue
        if op in (_c.ASSERT, _c.ASSERT_NOT):  # look-behind or look-ahead: zero width too
            continue
        if op is _c.LITERAL:
            return frozenset(chars | {chr(av)})
        if op is _c.IN:
            members = _charset(av)
            return None if members is None else frozenset(chars | members)
        if op is _c.SUBPATTERN:
            inner = _first(list(av[-1]))
            return None if inner is None else frozenset(chars | inner)
        if op is _c.BRANCH:
            union: set[str] = set()
            for alternative in av[1]:
                first = _first(list(alternative))
                if first is None:
                    return None
                union |= first
            return frozenset(chars | union)
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, _high, body = av
            first = _first(list(body))
            if first is None:
                return None
            if low > 0:
                return frozenset(chars | first)
            chars |= first  # optional: its first characters, or whatever follows
            continue
        return None  # anything else (., categories, backreferences): cannot tell
    return None  # the pattern can match the empty string


def _charset(items: list[Any]) -> set[str] | None:
    members: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            members.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < 128:
            members.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None  # negated sets, categories, wide ranges
    return members


_MAX_PAIRS = 600  # strings told apart at most, per part of a pattern
_CASELESS = re.compile(r"\(\?[a-zA-Z-]*i")  # (?i): its letters may be typed in either case
# an escape, a character class (a "]" first in it is a member), a bracket, a bar
_TOKENS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[()|]", re.DOTALL)


@cache  # a process may load the rules many times (each engine a test builds): read each once
def needs(pattern: str, length: int) -> tuple[frozenset[str], ...]:
    """What any text the pattern matches holds: for each part of the pattern a match cannot skip,
    the strings of `length` characters a match can read from there (fewer at the end of a match).
    `(?:想|要)[^。]{0,3}死` needs one of 想, 要 and needs 死; `\\bi (want|wish) to die` needs
    "i w", then " wa" or " wi" (with length 3), and so on. Parts it cannot tell are left out."""
    if _CASELESS.search(pattern):
        return ()
    try:
        items = _flat(list(_p.parse(pattern)))
    except re.error:
        return ()
    found: list[frozenset[str]] = []
    for start, (op, av) in enumerate(items):
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT) or (op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0):
            continue  # reads nothing, or may be skipped
        for size in range(length, 0, -1):
            strings = _prefixes(items[start:], size, 0)
            if strings:
                found.append(frozenset(strings))
                break
    return tuple(dict.fromkeys(found))


def _flat(items: list[Any]) -> list[Any]:
    """The pattern as one sequence, its groups opened (their parts cannot be skipped either)."""
    out: list[Any] = []
    for op, av in items:
        out.extend(_flat(list(av[-1])) if op is _c.SUBPATTERN else [(op, av)])
    return out


def alternatives(pattern: str) -> list[str]:
    """The pattern's top-level alternatives (`a|b(c|d)` → `a`, `b(c|d)`; `(?:a|b)` → `a`, `b`):
    a text matches the pattern when it matches one of them (unless they refer to each other's
    groups by number)."""
    inside = _inside_group(pattern)
    if inside is not None:
        return alternatives(inside)
    parts: list[str] = []
    depth = start = 0
    for token in _TOKENS.finditer(pattern):
        if token.group() in "()":
            depth += 1 if token.group() == "(" else -1
        elif token.group() == "|" and depth == 0:
            parts.append(pattern[start : token.start()])
            start = token.end()
    return [*parts, pattern[start:]]


def _inside_group(pattern: str) -> str | None:
    """X when the whole pattern is one group `(X)` or `(?:X)` (not a look-around: `(?!X)`)."""
    if not pattern.startswith("(") or (pattern.startswith("(?") and not pattern.startswith("(?:")):
        return None
    depth = 0
    for token in _TOKENS.finditer(pattern):
        if token.group() in "()":
            depth += 1 if token.group() == "(" else -1
            if depth == 0:
                break
    if depth or token.end() < len(pattern):
        return None  # the group closes before the end (or never)
    return pattern[3:-1] if pattern.startswith("(?:") else pattern[1:-1]


def _prefixes(items: list[Any], need: int, depth: int) -> set[str] | None:
    """Every string of `need` characters a match of `items` can start with (None: cannot tell)."""
    if need == 0:
        return {""}
    if not items or depth > 40:
        return None  # the match may be shorter than `need`, or the pattern too deep to tell
    (op, av), rest = items[0], items[1:]
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return _prefixes(rest, need, depth + 1)
    if op is _c.LITERAL:
        return _extend({chr(av)}, rest, need, depth)
    if op is _c.IN:
        members = _charset(av)
        return None if members is None else _extend(members, rest, need, depth)
    if op is _c.SUBPATTERN:
        return _prefixes(list(av[-1]) + rest, need, depth + 1)
    if op is _c.BRANCH:
        found: set[str] = set()
        for alternative in av[1]:
            more = _prefixes(list(alternative) + rest, need, depth + 1)
            if more is None:
                return None
            found |= more
        return found if len(found) <= _MAX_PAIRS else None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, body = av
        fewer = high if high == _c.MAXREPEAT else high - 1
        again = [] if high == 1 else [(op, (max(low - 1, 0), fewer, body))]
        repeated = _prefixes(list(body) + again + rest, need, depth + 1)
        if repeated is None:
            return None
        if low == 0:
            skipped = _prefixes(rest, need, depth + 1)
            if skipped is None:
                return None
            repeated |= skipped
        return repeated if len(repeated) <= _MAX_PAIRS else None
    return None


def _extend(chars: set[str], rest: list[Any], need: int, depth: int) -> set[str] | None:
    if need == 1:
        return set(chars)
    tails = _prefixes(rest, need - 1, depth + 1)
    if tails is None:
        return None
    found = {c + t for c in chars for t in tails}
    return found if len(found) <= _MAX_PAIRS else None
