"""The parts of a state's reply that depend only on the state and the language.

Most turns show a state whose say blocks, prompt and buttons are plain locale keys: looking
them up and building the buttons again on every turn was a tenth of a turn's engine time. They
are built once per (state, language), on first use; parts that depend on the session (views,
`if:` blocks, options with `when:`) are left to the engine on every turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.flow import StateSpec
from bot.engine.i18n import I18n
from bot.types import Option


@dataclass(frozen=True, slots=True)
class FixedParts:
    say: tuple[str, ...] | None  # the say blocks' text; None if one is a view or has an `if:`
    options: tuple[Option, ...] | None  # every option's button; None if one has a `when:`
    prompt: str
    multi_prompt: str  # the prompt with the hint that several options may be chosen


class FixedTexts:
    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n
        self._parts: dict[tuple[str, str], FixedParts] = {}

    def of(self, spec: StateSpec, lang: str) -> FixedParts:
        parts = self._parts.get((spec.name, lang))
        if parts is None:
            parts = self._parts[(spec.name, lang)] = self._build(spec, lang)
        return parts

    def _build(self, spec: StateSpec, lang: str) -> FixedParts:
        text = self.i18n.text
        plain_say = all(not item.view and not item.condition for item in spec.say)
        plain_options = all(option.when is None for option in spec.options)
        prompt = text(lang, spec.prompt) if spec.prompt else ""
        return FixedParts(
            say=tuple(text(lang, item.key) for item in spec.say) if plain_say else None,
            options=tuple(Option(o.id, text(lang, o.label)) for o in spec.options) if plain_options else None,
            prompt=prompt,
            multi_prompt=f"{prompt}\n{text(lang, 'common.multi_hint')}".strip(),
        )
