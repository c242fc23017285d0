"""Servers refuse published or short secrets; files under ./var/ are readable by their owner only."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from serving import outside_env

from bot.config import Secret, Settings
from bot.secret_policy import MIN_SECRET, config_problems, example_values

EXAMPLE = Path(__file__).resolve().parent.parent / "deploy" / ".env.example"
GOOD = "a-random-secret-0123456789abcdefghijklmnop"


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = outside_env()
    env.update(WEIQUAN_DATA_DIR=str(tmp_path / "var"), WEIQUAN_LOG_LEVEL="WARNING", **values)
    return env


@pytest.mark.parametrize(
    ("command", "variable", "value"),
    [
        (["serve", "--port", "1"], "WEIQUAN_DATA_KEY", "change-me-to-a-long-random-secret"),
        (["serve", "--port", "1"], "WEIQUAN_CONSOLE_SECRET", "change-me-to-another-long-random-secret"),
        (["serve", "--port", "1"], "WEIQUAN_CONSOLE_SECRET", "short-secret"),
        (["telegram"], "WEIQUAN_DATA_KEY", "x" * (MIN_SECRET - 1)),
        (["worker", "--once"], "WEIQUAN_CONSOLE_SECRET", "change-me-to-another-long-random-secret"),
    ],
)
def test_servers_refuse_weak_secrets_naming_the_variable(
    tmp_path: Path, command: list[str], variable: str, value: str
) -> None:
    others = {"WEIQUAN_DATA_KEY": GOOD, "WEIQUAN_CONSOLE_SECRET": GOOD + "-console"}
    env = _env(tmp_path, **{**others, variable: value}, WEIQUAN_TELEGRAM_TOKEN="1:fake")
    done = subprocess.run(
        [sys.executable, "-m", "bot", *command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert variable in done.stderr
    assert value not in done.stderr + done.stdout  # named, never shown


def test_every_secret_shown_in_the_example_file_is_refused(tmp_settings: Settings) -> None:
    shown = example_values(EXAMPLE)
    assert shown, "deploy/.env.example assigns no values"
    for value in shown:
        weak = dataclasses.replace(tmp_settings, data_key=Secret(value), console_secret=Secret(value))
        problems = config_problems(weak)
        assert any("WEIQUAN_DATA_KEY" in p for p in problems), value
        assert any("WEIQUAN_CONSOLE_SECRET" in p for p in problems), value
    strong = dataclasses.replace(tmp_settings, data_key=Secret(GOOD), console_secret=Secret(GOOD + "!"))
    assert config_problems(strong) == []


def test_public_url_must_be_an_origin(tmp_settings: Settings) -> None:
    base = dataclasses.replace(tmp_settings, data_key=Secret(GOOD), console_secret=Secret(GOOD + "!"))
    for bad in ("bot.example.org", "javascript:alert(1)", "https://bot.example.org/path"):
        assert config_problems(dataclasses.replace(base, public_url=bad)), bad
    assert config_problems(dataclasses.replace(base, public_url="https://bot.example.org")) == []


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_chat_generates_its_keys_and_keeps_var_owner_only(tmp_path: Path) -> None:
    env = _env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="/start\n1\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    var = tmp_path / "var"
    assert _mode(var) == 0o700
    files = [p for p in var.iterdir() if p.is_file()]
    assert {"data.key", "console.key", "weiquan.sqlite"} <= {p.name for p in files}
    for path in files:
        assert _mode(path) & 0o077 == 0, f"{path.name} is {oct(_mode(path))}"
    assert len((var / "data.key").read_text().strip()) >= MIN_SECRET


def test_processes_starting_together_on_a_new_data_directory_share_one_key(tmp_path: Path) -> None:
    # Two workers (or `serve --workers 2`) on an empty ./var/ used to race on creating the keys.
    script = (
        "import sys; from bot.config import Settings; "
        "s = Settings.load({'WEIQUAN_DATA_DIR': sys.argv[1]}); "
        "print(s.data_key.reveal(), s.console_secret.reveal())"
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    keys = {start.communicate(timeout=60)[0] for start in starts}
    assert all(start.returncode == 0 for start in starts)
    assert len(keys) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["console.key", "data.key"]


def test_commands_that_do_not_use_the_keys_leave_no_key_files(tmp_path: Path) -> None:
    env = {k: v for k, v in _env(tmp_path).items() if k not in ("WEIQUAN_DATA_KEY", "WEIQUAN_CONSOLE_SECRET")}
    for command in (["lint"], ["diagram"], ["--help"], ["lint", "--help"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (command, done.stderr)
    assert not (tmp_path / "var").exists()


def test_a_generated_key_is_made_on_first_use_and_then_kept(tmp_path: Path) -> None:
    settings = Settings.load({"WEIQUAN_DATA_DIR": str(tmp_path / "var")})
    assert not (tmp_path / "var").exists()
    first = settings.data_key.reveal()
    assert len(first) >= MIN_SECRET
    assert (tmp_path / "var" / "data.key").read_text().strip() == first
    assert not (tmp_path / "var" / "console.key").exists()
    again = Settings.load({"WEIQUAN_DATA_DIR": str(tmp_path / "var")})
    assert again.data_key.reveal() == first
