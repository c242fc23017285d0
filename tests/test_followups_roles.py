"""Roles declared in any dialogs file become commands' targets and count as reachable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import content_dir
from bot.engine.engine import Engine
from bot.engine.flow import load_flow
from bot.engine.machine import goto
from bot.errors import FlowError
from bot.lint import check_flow


def test_followup_roles_get_goto_transitions_and_are_reachable() -> None:
    engine = Engine.load()
    for role in ("reminders", "filed", "followup", "move", "evidence_log", "evidence_describe"):
        assert goto(role) in engine.machine.events
        assert engine.flow.roles[role] in engine.flow.states
    assert not [p for p in check_flow(engine.flow) if "unreachable" in p]


def test_a_role_naming_no_state_is_refused(tmp_path: Path) -> None:
    dialogs = tmp_path / "dialogs"
    shutil.copytree(content_dir("dialogs"), dialogs)
    (dialogs / "zz_extra.yaml").write_text("roles:\n  nowhere: no_such_state\n", encoding="utf-8")
    with pytest.raises(FlowError, match="nowhere"):
        load_flow(dialogs)
