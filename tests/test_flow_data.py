"""What the flow files declare as data: stages, sub-flows and `unless:` conditions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import content_dir
from bot.engine import engine as _engine  # noqa: F401 - registers the flow's conditions
from bot.engine.flow import Check, load_flow
from bot.engine.registry import holds
from bot.errors import FlowError
from bot.types import Session

DETOUR = """
stages: [detours]
states:
  side_trip:
    stage: detours
    subflow: errands
    say:
      - {key: side_trip.borrowed, if: borrower_role}
      - {key: side_trip.not_borrowed, unless: borrower_role}
    options:
      - {id: stay, unless: borrower_role}
      - {id: home, next: [{to: side_trip, unless: borrower_role}, {to: welcome}]}
"""


@pytest.fixture
def dialogs(tmp_path: Path) -> Path:
    folder = tmp_path / "dialogs"
    shutil.copytree(content_dir("dialogs"), folder)
    return folder


def test_unless_is_read_as_a_negated_check(dialogs: Path) -> None:
    (dialogs / "detour.yaml").write_text(DETOUR, encoding="utf-8")
    state = load_flow(dialogs).state("side_trip")
    assert [item.condition for item in state.say] == [Check("borrower_role"), Check("borrower_role", True)]
    assert state.options[0].when == Check("borrower_role", negated=True)
    assert [r.condition for r in state.options[1].routes] == [Check("borrower_role", True), None]


def test_unless_holds_exactly_when_its_condition_does_not() -> None:
    borrower = Session("terminal:1", "welcome", "en", answers={})
    relative = Session("terminal:2", "welcome", "en", answers={"family_role": "relative_borrower"})
    assert holds(Check("borrower_role"), borrower) and not holds(Check("borrower_role"), relative)
    assert holds(Check("borrower_role", negated=True), relative)
    assert not holds(Check("borrower_role", negated=True), borrower)
    assert holds(None, borrower)


def test_if_and_unless_together_are_refused_with_the_file_and_line(dialogs: Path) -> None:
    (dialogs / "detour.yaml").write_text(
        DETOUR.replace(
            "{key: side_trip.borrowed, if: borrower_role}",
            "{key: side_trip.borrowed, if: borrower_role, unless: borrower_role}",
        ),
        encoding="utf-8",
    )
    with pytest.raises(FlowError, match=r"detour.yaml:\d+: `if:` and `unless:` together"):
        load_flow(dialogs)


def test_sub_flow_membership_comes_from_the_yaml_not_the_name(dialogs: Path) -> None:
    (dialogs / "detour.yaml").write_text(DETOUR, encoding="utf-8")
    flow = load_flow(dialogs)
    assert flow.in_subflow("side_trip")
    assert flow.state("side_trip").subflow == "errands"
    assert not flow.in_subflow("welcome") and not flow.in_subflow("no_such_state")
    assert {s.subflow for s in flow.states.values()} >= {"complaints", "move", "timeline"}


def test_a_stage_must_be_declared(dialogs: Path) -> None:
    (dialogs / "detour.yaml").write_text(DETOUR.replace("stages: [detours]\n", ""), encoding="utf-8")
    with pytest.raises(FlowError, match=r"detour.yaml:\d+: state 'side_trip': stage must be one of"):
        load_flow(dialogs)


def test_the_shipped_stages_are_declared_once_in_order() -> None:
    flow = load_flow(content_dir("dialogs"))
    assert flow.stages[0] == "welcome"
    assert {s.stage for s in flow.states.values()} <= set(flow.stages)
