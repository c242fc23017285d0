"""`weiquan lint` on the shipped content, and on broken copies of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import diagram
from bot.config import content_dir
from bot.engine.flow import load_flow
from bot.errors import FlowError
from bot.lint import lint

BROKEN_STATES = """
states:
  orphan:
    stage: lender
    options:
      - {id: next, next: welcome}
  stuck:
    stage: lender
  wrong_condition:
    stage: lender
    options:
      - {id: go, next: [{to: welcome, if: no_such_condition}, {to: welcome}]}
"""


@pytest.fixture
def content(tmp_path: Path) -> tuple[Path, Path]:
    dialogs, locales = tmp_path / "dialogs", tmp_path / "locales"
    shutil.copytree(content_dir("dialogs"), dialogs)
    shutil.copytree(content_dir("locales"), locales)
    return dialogs, locales


def test_shipped_content_is_clean() -> None:
    assert lint() == []


def test_cli_exit_code() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "lint"], capture_output=True, check=False)
    assert done.returncode == 0, done.stdout


def test_finds_unreachable_dead_ends_and_unknown_names(content: tuple[Path, Path]) -> None:
    dialogs, locales = content
    (dialogs / "broken.yaml").write_text(BROKEN_STATES, encoding="utf-8")
    problems = "\n".join(lint(dialogs, locales))
    assert "unreachable state 'orphan'" in problems
    assert "dead end: 'stuck'" in problems
    assert "unknown condition 'no_such_condition'" in problems
    assert "missing key 'orphan.prompt'" in problems


def test_unknown_target_fails_with_file_and_line(content: tuple[Path, Path]) -> None:
    dialogs, _ = content
    (dialogs / "broken.yaml").write_text(
        "states:\n  x:\n    stage: lender\n    options:\n      - {id: a, next: nowhere}\n",
        encoding="utf-8",
    )
    with pytest.raises(FlowError, match=r"broken.yaml:3: .*unknown 'nowhere'"):
        load_flow(dialogs)


def test_missing_translation_and_bad_placeholders(content: tuple[Path, Path]) -> None:
    _, locales = content
    (locales / "en" / "extra.yaml").write_text(
        "views:\n  budget2: '{x}'\nwelcome2:\n  prompt: 'unclosed {'\n", encoding="utf-8"
    )
    (locales / "zh_CN" / "extra.yaml").write_text("views:\n  budget2: '{y}'\n", encoding="utf-8")
    problems = "\n".join(lint(None, locales))
    assert "extra key 'welcome2.prompt'" in problems
    assert "'views.budget2' placeholders differ" in problems
    assert "bad placeholder in 'welcome2.prompt'" in problems


def test_diagram_is_drawn_from_the_dialogs() -> None:
    flow = load_flow(content_dir("dialogs"))
    chart = diagram.mermaid(flow)
    assert chart.startswith("flowchart TD")
    assert "welcome -->|self| h_contacted" in chart
    assert all(name in diagram.dot(flow) for name in flow.states)
