"""The flow files' JSON Schema in `weiquan lint`, and `weiquan lint --vocabulary`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import content_dir
from bot.engine.flow import INPUT_KINDS
from bot.engine.registry import actions, conditions, views
from bot.flow_schema import SCHEMA_NAME, check_file, check_schema
from bot.lint import lint
from bot.vocabulary import UNDESCRIBED, vocabulary

BROKEN = """\
states:
  x:
    stage: lender
    optoins:
      - {id: a, next: welcome}
  y:
    stage: lender
    options:
      - {id: a, next: 5}
      - {id: b, next: [{to: welcome, if: threatened, unless: threatened}]}
    input: {slot: amount, kind: euros}
"""


@pytest.fixture
def dialogs(tmp_path: Path) -> Path:
    folder = tmp_path / "dialogs"
    shutil.copytree(content_dir("dialogs"), folder)
    return folder


def test_the_shipped_flow_files_fit_the_schema() -> None:
    assert check_schema(content_dir("dialogs")) == []


def test_problems_name_the_file_line_and_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    problems = check_file(path)
    assert f"{path}:3: states.x: Additional properties are not allowed ('optoins' was unexpected)" in problems
    assert any(p.startswith(f"{path}:9: states.y.options[0].next: 5 ") for p in problems), problems
    assert f"{path}:10: states.y.options[1].next[0]: `if:` and `unless:` together: keep one" in problems
    assert any(p.startswith(f"{path}:11: states.y.input.kind: 'euros' is not one of") for p in problems)
    assert len(problems) == 4, problems


def test_lint_reports_the_schema_problems_first(dialogs: Path) -> None:
    (dialogs / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    problems = lint(dialogs)
    assert problems and all("broken.yaml" in p for p in problems)


def test_the_schemas_input_kinds_are_the_engines() -> None:
    schema = json.loads((content_dir("dialogs") / SCHEMA_NAME).read_text(encoding="utf-8"))
    assert schema["$defs"]["state"]["properties"]["input"]["properties"]["kind"]["enum"] == list(INPUT_KINDS)


def test_vocabulary_lists_every_registered_name_with_a_description() -> None:
    listed = vocabulary()
    lines = {line.split()[0]: line for line in listed.splitlines() if line.startswith("  ")}
    for registry in (conditions, actions, views):
        for name in registry.names():
            assert name in lines, name
    assert set(INPUT_KINDS) <= set(lines)
    assert UNDESCRIBED not in listed


def test_lint_vocabulary_on_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "lint", "--vocabulary"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "borrower_role" in done.stdout and "plan_step" in done.stdout and "money" in done.stdout
