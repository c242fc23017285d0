"""What a message that fits no option and no slot seems to be: another language, an FAQ,
distress, or nothing we know. Data: dialogs/faq.yaml and dialogs/understanding.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import amounts, dates, offers
from bot.engine.faq import FaqMatcher, FaqTable, load_table
from bot.engine.i18n import LANGS
from bot.engine.textnorm import fold, script_counts
from bot.errors import FlowError
from bot.yamlfile import load_yaml

_LANG_COMMAND = re.compile(r"^/(?:lang|language)(?:@\w+)?\s+(\S+)$", re.I)
_WORDS = re.compile(r"[a-zA-Z]+")


@dataclass(frozen=True, slots=True)
class Phrases:
    """Per language: what asks to switch to it, what says yes or no, what is short distress."""

    switch_to: Mapping[str, frozenset[str]]
    yes: frozenset[str]
    no: frozenset[str]
    distress: frozenset[str]

    @classmethod
    def none(cls) -> Phrases:
        return cls({}, frozenset(), frozenset(), frozenset())


@dataclass(frozen=True, slots=True)
class Reading:
    answer: str | None = None  # an FAQ intent to answer
    offer: offers.Offer | None = None
    gentle: bool = False  # emoji-only or a short cry: a kind word, not "not understood"


@dataclass(slots=True)
class Understanding:
    phrases: Phrases
    table: FaqTable | None = None
    matcher: FaqMatcher | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls, dialogs: Path, flow_answers: Mapping[str, Sequence[str]], cache: Path | None = None
    ) -> Understanding:
        phrases = load_phrases(dialogs / "understanding.yaml")
        faq_file = dialogs / "faq.yaml"
        if not faq_file.is_file():
            return cls(phrases)
        table = load_table(faq_file)
        return cls(phrases, table, FaqMatcher(table, flow_answers, cache))

    def requested_language(self, text: str) -> str | None:
        """`/lang en`, `English please`, `说中文` → the language asked for."""
        command = _LANG_COMMAND.match(text.strip())
        if command:
            wanted = command.group(1).casefold()
            return next((lang for lang in LANGS if lang.casefold().startswith(wanted[:2])), None)
        folded = fold(text)
        return next((lang for lang, said in self.phrases.switch_to.items() if folded in said), None)

    def other_language(self, lang: str, text: str) -> str | None:
        """The language a message is mostly written in, when it is not the session's."""
        cjk, latin = script_counts(text)
        if lang != "en" and latin >= 10 and latin >= 4 * cjk and len(_WORDS.findall(text)) >= 3:
            return "en"
        if lang == "en" and cjk >= 5 and cjk >= latin:
            return "zh_CN"
        return None

    def says_yes(self, text: str) -> bool | None:
        folded = fold(text)
        return True if folded in self.phrases.yes else False if folded in self.phrases.no else None

    def read(self, lang: str, text: str) -> Reading:
        other = self.other_language(lang, text)
        if other:
            return Reading(offer=offers.Offer(offers.LANG, (other,)))
        if self.is_distress(text):  # a whole message like "好怕" or "😭😭😭" asks for kindness first
            return Reading(gentle=True)
        if self.matcher is not None and not self.is_a_value(text):
            match = self.matcher.match(lang, text)
            if match.answer:
                return Reading(answer=match.answer)
            if match.candidates:
                return Reading(offer=offers.Offer(offers.FAQ, match.candidates))
        return Reading()

    def confident_answer(self, lang: str, text: str) -> str | None:
        """An FAQ asked where a free-text slot would otherwise take it as the answer."""
        if self.matcher is None or self.is_a_value(text):
            return None
        return self.matcher.match(lang, text).answer

    def jump_of(self, intent: str) -> str | None:
        return self.table.intents[intent].jump if self.table is not None else None

    def covers_of(self, intent: str) -> tuple[str, ...]:
        return self.table.intents[intent].covers if self.table is not None else ()

    @staticmethod
    def is_a_value(text: str) -> bool:
        """An amount or a date (`3000`, `tomorrow`) answers something; it asks nothing."""
        return amounts.money(text) is not None or dates.read_date(text, 0.0) is not None

    def is_distress(self, text: str) -> bool:
        folded = fold(text)
        if not folded:  # only emoji and punctuation: 😭😭😭, ……, ？？？
            return bool(text.strip())
        return folded in self.phrases.distress


def load_phrases(path: Path) -> Phrases:
    doc = load_yaml(path) if path.is_file() else {}
    if not isinstance(doc, dict):
        raise FlowError(f"{path}: expected a mapping at the top")

    def folded(node: object) -> frozenset[str]:
        values = node.values() if isinstance(node, dict) else [node]
        return frozenset(fold(str(p)) for v in values if isinstance(v, list) for p in v)

    switch = doc.get("switch_language") or {}
    return Phrases(
        {lang: folded({lang: switch.get(lang) or []}) for lang in LANGS},
        folded(doc.get("affirm") or {}),
        folded(doc.get("deny") or {}),
        folded(doc.get("distress") or {}),
    )
