"""Every message fits a phone: at most ~600 Chinese or ~1,200 English characters, nothing twice,
and no internal fact id (F0…) anywhere a person reads.

The walk renders every state of the flow against the answers of real stories (the story
transcripts in tests/dialogs/, replayed on the real engine), as Telegram and WeChat would send them.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine.engine import Engine
from bot.types import Inbound, Message, Session

DIALOGS = Path(__file__).parent / "dialogs"
LIMIT = {"zh_CN": 600, "en": 1200}
FACT_ID = re.compile(r"\bF\d{3}\b")


@cache
def engine() -> Engine:
    return Engine.load()


def story_sessions() -> list[Session]:
    """The session each story transcript ends with (plus an empty one), replayed on the engine."""
    sessions = []
    for path in sorted(DIALOGS.glob("*_story_*.yaml")):
        doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        session = engine().new_session("t:walk", doc.get("lang"), 1.0)
        now = 1.0
        for step in doc["steps"]:
            now += 5
            if "user" in step:
                inbound = Inbound("t:walk", str(step["user"]), locale=doc.get("lang"))
            else:
                ids = step["choose"] if isinstance(step["choose"], list) else [step["choose"]]
                inbound = Inbound("t:walk", option_ids=tuple(ids), locale=doc.get("lang"))
            engine().step(session, inbound, now)
        sessions.append(session)
    sessions.append(engine().new_session("t:empty", "en", 1.0))
    return sessions


def shown(message: Message) -> str:
    """The message as a channel shows it: the text, then one `N. label` line per option."""
    lines = [message.text] + [f"{n}. {o.label}" for n, o in enumerate(message.options, start=1)]
    return "\n".join(line for line in lines if line)


def rendered_everywhere() -> list[tuple[str, str, str]]:
    """(state, lang, message) for every state of the flow in every story's situation."""
    out = []
    for base in story_sessions():
        for state in engine().flow.states:
            session = copy.deepcopy(base)
            session.state = state
            for message in engine().current(session, 2.0).messages:
                out.append((state, session.lang, shown(message)))
    return out


@cache
def all_messages() -> tuple[tuple[str, str, str], ...]:
    return tuple(rendered_everywhere())


def test_the_walk_covers_every_state_in_both_languages() -> None:
    seen = {(state, lang) for state, lang, _ in all_messages()}
    for state in engine().flow.states:
        assert (state, "zh_CN") in seen and (state, "en") in seen, state


def test_no_message_is_longer_than_a_phone_screen_allows() -> None:
    too_long = [
        (state, lang, len(text), text[:60]) for state, lang, text in all_messages() if len(text) > LIMIT[lang]
    ]
    assert not too_long, too_long[:10]


def test_no_internal_fact_id_is_ever_shown() -> None:
    leaks = [(state, FACT_ID.findall(text)) for state, _, text in all_messages() if FACT_ID.search(text)]
    assert not leaks, leaks[:10]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_evidence_checklist_is_listed_once(lang: str) -> None:
    session = next(s for s in story_sessions() if s.lang == lang and s.answers.get("lenders"))
    session = copy.deepcopy(session)
    session.state = "e_checklist"
    text = "\n".join(shown(m) for m in engine().current(session, 2.0).messages)
    title = "催收电话的录音和通话记录" if lang == "zh_CN" else "Recordings and logs of collection calls"
    assert text.count(title) == 1


def test_no_locale_text_carries_a_fact_id() -> None:
    """Fact ids live in key suffixes and comments; a person never reads one (e.g. "（F005）")."""
    catalogs = engine().i18n.catalogs
    leaks = [
        (lang, key)
        for lang, catalog in catalogs.items()
        for key, value in catalog.items()
        if FACT_ID.search(value)
    ]
    assert not leaks, leaks[:10]
