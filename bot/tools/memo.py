"""Remembering what a tool derived from a case's answers, while the answers stay the same.

Rendering one screen asks the same questions of the same answers many times (each evidence
option asks whether the checklist wants it; the plan, the letters and the summary each assess
the loan), and each answer is a few dozen microseconds of the store thread's time. A result is
kept under the answers' exact JSON, so any change to them is a new key: nothing can go stale.
Results must be immutable (tuples, frozen dataclasses, frozensets), since every caller shares them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import orjson

from bot.tools.answers import Answers

T = TypeVar("T")
KEPT = 64  # distinct answer sets per function: enough for the turns in flight at once


def by_answers(derive: Callable[[Answers], T]) -> Callable[[Answers], T]:
    recent: dict[bytes, T] = {}

    @functools.wraps(derive)
    def remembered(answers: Answers) -> T:
        key = orjson.dumps(answers)
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
