"""`weiquan test-dialogs` as a user runs it: good transcripts pass, a wrong one is reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FAILING = TESTS / "fixtures" / "failing"
GOOD = sorted((TESTS / "dialogs").glob("[ze][hn]_*.yaml"))


def _run(*paths: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "test-dialogs", *(str(p) for p in paths)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=600,
    )


def test_the_failing_fixture_is_reported_with_file_step_and_diff(tmp_path: Path) -> None:
    done = _run(FAILING, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "0 passed, 2 failed"
    wrong = "zh_crisis_wrongly_expected_welcome.yaml: step 2"
    assert any(wrong in line and "stage: expected 'welcome', got 'crisis'" in line for line in lines)
    assert any("contains: '这句话不会出现在回复里' not in reply" in line for line in lines)
    not_offered = "zh_choose_option_not_offered.yaml: step 2 (choose: ['resume']): not offered: ['resume']"
    assert any(not_offered in line for line in lines), lines


@pytest.mark.slow
def test_good_transcripts_pass_and_a_mix_fails(tmp_path: Path) -> None:
    assert len(GOOD) >= 40
    sample = [p for p in GOOD if "crisis" in p.name or "full_walk" in p.name]
    done = _run(*sample, cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[-1] == f"{len(sample)} passed, 0 failed"
    mixed = _run(*sample, FAILING, cwd=tmp_path)
    assert mixed.returncode == 1
    assert mixed.stdout.splitlines()[-1] == f"{len(sample)} passed, 2 failed"


def test_scenarios_exist_in_both_languages() -> None:
    zh = {p.name.removeprefix("zh_") for p in GOOD if p.name.startswith("zh_")}
    en = {p.name.removeprefix("en_") for p in GOOD if p.name.startswith("en_")}
    assert zh == en, f"only zh_CN: {sorted(zh - en)}; only en: {sorted(en - zh)}"
