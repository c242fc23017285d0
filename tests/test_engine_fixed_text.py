"""A state's plain texts are built once per language, and only its plain texts."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine
from bot.engine.i18n import LANGS
from bot.types import Message, Option


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def _expected(engine: Engine, state: str, lang: str) -> list[Message] | None:
    """The state's reply read straight from the flow and the locale files, for a state with
    no views, no `if:` blocks and no `when:` options; None for any other state."""
    spec = engine.flow.state(state)
    if any(i.view or i.condition for i in spec.say) or any(o.when for o in spec.options):
        return None
    text = engine.i18n.text
    messages = [Message(text(lang, item.key)) for item in spec.say if text(lang, item.key)]
    options = tuple(Option(o.id, text(lang, o.label)) for o in spec.options)
    prompt = text(lang, spec.prompt) if spec.prompt else ""
    if spec.multi and options:
        prompt = f"{prompt}\n{text(lang, 'common.multi_hint')}".strip()
    if prompt or options:
        messages.append(Message(prompt, options, spec.multi, spec.input is not None))
    return messages


def test_every_plain_state_shows_its_locale_texts_in_both_languages(engine: Engine) -> None:
    checked = 0
    for state in engine.flow.states:
        for lang in LANGS:
            expected = _expected(engine, state, lang)
            if expected is None:
                continue
            session = engine.new_session("test:fixed", lang, 1.0)
            session.state = state
            for _ in range(2):  # the first render builds the parts, the second reuses them
                assert list(engine.current(session, 2.0).messages) == expected, (state, lang)
            checked += 1
    assert checked > 2 * 50


def test_a_state_with_conditional_options_shows_what_this_session_may_see(engine: Engine) -> None:
    """Options with `when:` are worked out per session, never taken from the per-state parts."""
    states = [s for s in engine.flow.states.values() if any(o.when for o in s.options)]
    assert states
    for spec in states:
        session = engine.new_session("test:fixed", "en", 1.0)
        session.state = spec.name
        visible = [o.id for o in engine.visible_options(session, spec)]
        assert len(visible) < len(spec.options)  # a new session meets no `when:`
        shown = [m for m in engine.current(session, 2.0).messages if m.options]
        assert [o.id for o in shown[-1].options] == visible if shown else not visible
