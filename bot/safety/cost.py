"""What the detector adds to a turn, for `weiquan bench` (measured in the same run)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from bot.safety.detector import Detector

# Typed messages of the lengths people send (10 to 70 characters), calm and not, both languages:
# the bench's own script is mostly option numbers, which cost next to nothing to read.
FREE_TEXT = (
    "他们天天打电话给我妈，说我是老赖，我真的好烦，怎么办啊",
    "借了3万，到手2万4，每个月还2500，利息是不是太高了",
    "催收说今晚要带人上门，我好害怕",
    "我真的撑不下去了，不想活了",
    "they keep calling my mom every day and I owe 3000 yuan",
    "I can't go on anymore, I want to end it",
    "有人说可以花钱修复征信，我已经转了3000",
    "烦死了",
)


def scan_cost_us(detector: Detector, texts: Sequence[str], rounds: int = 200) -> float:
    """Mean microseconds per message over `texts`, each scanned `rounds` times."""
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            detector.scan(text)
    return round((time.perf_counter() - started) / (rounds * len(texts)) * 1e6, 1)
