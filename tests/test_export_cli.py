"""`weiquan export --user CHANNEL:ID --format md|docx|json` as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import docx


def weiquan(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WEIQUAN_DATA_DIR": str(tmp_path / "var"), "WEIQUAN_LOG_LEVEL": "WARNING"}
    env.pop("WEIQUAN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def test_case_file_in_three_formats(tmp_path: Path) -> None:
    # the borrower: contacts and threats, a lender, then the summary
    walk = "/start\n1\n1 2 5\n1 8\n"
    assert weiquan(tmp_path, "chat", "--user", "amy", stdin=walk).returncode == 0

    md = weiquan(tmp_path, "export", "--user", "terminal:amy")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# ") and "证据目录" in md.stdout
    assert "12378" in md.stdout or "110" in md.stdout  # a channel plan with real numbers

    data = json.loads(weiquan(tmp_path, "export", "--user", "terminal:amy", "--format", "json").stdout)
    assert data["lang"] == "zh_CN"
    assert data["violations"], "contacting family and threats are listed as likely violations"

    done = weiquan(tmp_path, "export", "--user", "terminal:amy", "--format", "docx")
    path = tmp_path / done.stdout.strip()
    assert path.name == "terminal:amy.docx" and path.exists()
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "维权" in text

    chosen = tmp_path / "case.md"
    weiquan(tmp_path, "export", "--user", "terminal:amy", "--output", str(chosen))
    assert chosen.read_text(encoding="utf-8") == md.stdout


def test_unknown_user_and_bad_key(tmp_path: Path) -> None:
    missing = weiquan(tmp_path, "export", "--user", "terminal:nobody")
    assert missing.returncode == 1 and "no data" in missing.stderr
    bad = weiquan(tmp_path, "export", "--user", "nobody")
    assert bad.returncode == 2 and "CHANNEL:ID" in bad.stderr
    assert "Traceback" not in missing.stderr + bad.stderr


def test_files_option_with_nothing_kept_writes_nothing(tmp_path: Path) -> None:
    assert weiquan(tmp_path, "chat", "--user", "bo", stdin="/start\n").returncode == 0
    done = weiquan(tmp_path, "export", "--user", "terminal:bo", "--files", str(tmp_path / "files"))
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "files").exists()  # the terminal sends no files: no copies to give back
