"""Shared by the safety tests: one detector per test process, and messages built from word
classes × sentence frames (every combination of the classes' words in every frame)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from functools import cache

from bot.safety.detector import Detector


@cache
def detector() -> Detector:
    return Detector.load()


def fill(frames: Iterable[str], **classes: Iterable[str]) -> list[str]:
    names = list(classes)
    return [
        frame.format(**dict(zip(names, words, strict=True)))
        for frame in frames
        for words in itertools.product(*(classes[n] for n in names))
    ]


def misses(messages: Iterable[str], label: str) -> list[str]:
    """The messages that do not reach `label`'s screen."""
    return [m for m in messages if detector().scan(m).label != label]


def screened(messages: Iterable[str]) -> list[str]:
    """The messages that reach any screen (for calm ones: the false alarms)."""
    return [m for m in messages if detector().scan(m).label is not None]
