"""`weiquan faq-eval`: how well the FAQ matcher reads questions it was not taught.

Scores a split of tests/understanding/ (heldout.yaml by default; fresh.yaml, or any file of the
same form, by path) (paraphrases by intent and language): top-1 and top-3
accuracy and the misses per language; then how many unrelated messages (greetings, amounts, dates,
lender names, and every option label of the flow) would be answered as an FAQ.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.engine import Engine
from bot.engine.faq import NONE
from bot.engine.i18n import LANGS
from bot.errors import FlowError
from bot.yamlfile import load_yaml


@dataclass(slots=True)
class LangScore:
    asked: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, wanted, got
    unrelated: int = 0
    answered: list[tuple[str, str]] = field(default_factory=list)  # unrelated text, intent answered
    micros_per_message: float = 0.0

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.asked if self.asked else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.asked if self.asked else 0.0

    @property
    def false_answer_rate(self) -> float:
        return len(self.answered) / self.unrelated if self.unrelated else 0.0


def _lines(doc: object, lang: str) -> Iterator[str]:
    values = doc.get(lang) if isinstance(doc, dict) else None
    yield from (str(v) for v in values or ())


def evaluate(engine: Engine, split: Path, unrelated: Path) -> dict[str, LangScore]:
    matcher = engine.understanding.matcher
    if matcher is None:
        raise FlowError("no dialogs/faq.yaml: nothing to evaluate")
    split_doc = load_yaml(split) or {}
    intents = split_doc.get("intents") if isinstance(split_doc, dict) else None
    if not isinstance(intents, dict):
        raise FlowError(f"{split}: expected `intents:` with phrasings per intent and language")
    unknown = set(intents) - set(matcher.intents) - {"__line__"}
    if unknown:
        raise FlowError(f"{split}: unknown intents {sorted(unknown)}")
    others = load_yaml(unrelated) or {}
    scores: dict[str, LangScore] = {}
    for lang in LANGS:
        score = scores[lang] = LangScore()
        started = time.perf_counter()
        for intent, node in intents.items():
            for text in _lines(node, lang):
                ranked = [i for i, _ in matcher.rank(lang, text) if i != NONE]
                score.asked += 1
                score.top1 += ranked[:1] == [intent]
                score.top3 += intent in ranked[:3]
                if ranked[:1] != [intent]:
                    score.misses.append((text, intent, ranked[0] if ranked else "-"))
        score.micros_per_message = (time.perf_counter() - started) / max(score.asked, 1) * 1e6
        labels = {engine.i18n.text(lang, o.label) for s in engine.flow.states.values() for o in s.options}
        for text in [*_lines(others, lang), *sorted(labels)]:
            score.unrelated += 1
            answer = None if engine.understanding.is_a_value(text) else matcher.match(lang, text).answer
            if answer:
                score.answered.append((text, answer))
    return scores


def report(scores: dict[str, LangScore], out: Callable[[str], None]) -> None:
    for lang, s in scores.items():
        out(
            f"{lang}: top-1 {s.top1_rate:.1%}  top-3 {s.top3_rate:.1%}  ({s.asked} questions, "
            f"{s.micros_per_message:.0f} µs each)  unrelated answered {s.false_answer_rate:.1%} "
            f"({len(s.answered)}/{s.unrelated})"
        )
        for text, wanted, got in s.misses:
            out(f"  miss  {text!r}: wanted {wanted}, got {got}")
        for text, intent in s.answered:
            out(f"  false {text!r}: answered as {intent}")
