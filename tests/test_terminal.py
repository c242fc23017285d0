"""`weiquan chat` as a person would use it: piped stdin, separate processes, hostile input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WEIQUAN = [sys.executable, "-m", "bot"]


def chat(tmp_path: Path, stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "WEIQUAN_DATA_DIR": str(tmp_path / "var"), "WEIQUAN_LOG_LEVEL": "WARNING"}
    env.pop("WEIQUAN_DATABASE_URL", None)
    return subprocess.run(
        [*WEIQUAN, "chat", *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )


def test_start_then_first_option(tmp_path: Path) -> None:
    done = chat(tmp_path, b"/start\n1\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "1. 我是借款人" in out
    assert "催收方联系了谁" in out
    assert (tmp_path / "var" / "weiquan.sqlite").exists()
    assert oct((tmp_path / "var" / "data.key").stat().st_mode & 0o777) == "0o600"


def test_two_processes_continue_one_conversation(tmp_path: Path) -> None:
    first = chat(tmp_path, b"/start\n1\n", "--user", "x")
    assert "催收方联系了谁" in first.stdout.decode()
    second = chat(tmp_path, b"2\n", "--user", "x")
    assert "他们用了哪些方式" in second.stdout.decode()  # continued at the next question
    other = chat(tmp_path, b"2\n", "--user", "y")
    assert "他们用了哪些方式" not in other.stdout.decode()  # another user starts fresh


def test_bad_input_gets_a_reprompt_never_a_traceback(tmp_path: Path) -> None:
    hostile = b"\n".join(
        [b"/start", b"", b"x" * 10_000, "😀😀😀".encode(), b"\x01\x02\x1b[31m", b"\xff\xfe\xfa bad", b"1"]
    )
    done = chat(tmp_path, hostile + b"\n")
    assert done.returncode == 0
    out = done.stdout.decode()
    assert "Traceback" not in out + done.stderr.decode()
    assert out.count("没看懂") == 4
    assert out.count("慢慢来") == 1  # emoji only: a kind word instead of "not understood"
    assert out.rstrip().endswith("5. 通讯录里很多人（爆通讯录）")


def test_english(tmp_path: Path) -> None:
    out = chat(tmp_path, b"/start\n", "--lang", "en").stdout.decode()
    assert "1. I'm the borrower" in out


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "WEIQUAN_DATA_DIR": str(tmp_path / "var"), "WEIQUAN_LOG_LEVEL": "WARNING"}
    env.pop("WEIQUAN_DATABASE_URL", None)
    command = f"printf '/start\\n1\\n1 2\\n' | {sys.executable} -m bot chat | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr.decode()
    assert done.returncode == 0, done.stderr
