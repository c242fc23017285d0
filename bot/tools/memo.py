"""Remembering what a tool derived from a case's answers, while the answers stay the same.

Rendering one screen asks the same questions of the same answers many times (each evidence
option asks whether the checklist wants it; the plan, the letters and the summary each assess
the loan), and each answer is a few dozen microseconds of the store thread's time. A result is
kept under the answers' exact JSON, so any change to them is a new key: nothing can go stale.
The one exception is where the user stands on a screen (which plan step, which evidence item is
open): no tool reads it, and leaving it out of the key lets paging through the plan, and the
summary after it, reuse what the first step derived. Results must be immutable (tuples, frozen
dataclasses, frozensets), since every caller shares them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import orjson

from bot.tools.answers import Answers

T = TypeVar("T")
# Distinct answer sets per function: enough for several thousand conversations between one of a
# user's turns and their next (a few hundred kB per function at most).
KEPT = 4096
# Where the user stands on a screen, not what their case is (see above).
POSITION_KEYS = ("plan_step", "evidence_item")


def _key(answers: Answers) -> bytes:
    if any(name in answers for name in POSITION_KEYS):
        answers = {name: value for name, value in answers.items() if name not in POSITION_KEYS}
    return orjson.dumps(answers)


def by_answers(derive: Callable[[Answers], T]) -> Callable[[Answers], T]:
    recent: dict[bytes, T] = {}

    @functools.wraps(derive)
    def remembered(answers: Answers) -> T:
        key = _key(answers)
        try:
            return recent[key]
        except KeyError:
            pass
        value = derive(answers)
        if len(recent) >= KEPT:
            recent.clear()  # cheaper than tracking age; a screen's own repeats hit again at once
        recent[key] = value
        return value

    return remembered
