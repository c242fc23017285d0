"""What the tools derive from a case is remembered only while the case stays the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import bot.tools
from bot.tools.answers import Answers
from bot.tools.memo import POSITION_KEYS, by_answers
from bot.tools.plan import build_plan, undated_plan

CASE: Answers = {
    "contacted": ["me", "family"],
    "methods": ["calls", "sms", "violence_threats"],
    "lender_name": "某某贷",
    "lender_type": "online_platform",
}


def counting() -> tuple[list[Answers], Callable[[Answers], tuple[str, ...]]]:
    calls: list[Answers] = []

    @by_answers
    def derive(answers: Answers) -> tuple[str, ...]:
        calls.append(answers)
        return tuple(sorted(answers))

    return calls, derive


def test_any_change_to_the_case_is_derived_again() -> None:
    calls, derive = counting()
    derive(CASE)
    derive(dict(CASE))
    assert len(calls) == 1
    derive({**CASE, "methods": ["calls"]})
    derive({**CASE, "frequency": "nonstop"})
    assert len(calls) == 3


def test_paging_through_a_screen_reuses_what_was_derived() -> None:
    calls, derive = counting()
    for step in range(4):
        derive({**CASE, "plan_step": step, "evidence_item": "call_records"})
    assert len(calls) == 1


def test_the_remembered_plan_is_the_plan() -> None:
    assert undated_plan({**CASE, "plan_step": 2}) == build_plan(CASE)


def test_no_tool_reads_where_the_user_stands() -> None:
    """Leaving the position out of the key is only safe while no tool reads it."""
    for path in Path(bot.tools.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name in POSITION_KEYS:
            if path.name != "memo.py":
                assert f'"{name}"' not in source and f"'{name}'" not in source, (path.name, name)
