"""bench/ptb_peer.py really drives PTB conversations (else its figure would mean nothing)."""

from __future__ import annotations

import asyncio
import json
import pickle
import subprocess
import sys
from pathlib import Path

from bench import ptb_peer


def test_conversations_stay_open_mid_script_and_end_after_it() -> None:
    midway = ptb_peer.run(users=30, turns=3, persistence=False)
    assert midway["updates"] == 90
    assert midway["open_conversations"] == 30
    finished = ptb_peer.run(users=30, turns=len(ptb_peer.SCRIPT), persistence=False)
    assert finished["open_conversations"] == 0


def test_pickle_persistence_holds_every_users_answers(tmp_path: Path) -> None:
    path = tmp_path / "peer.pickle"
    figures = asyncio.run(ptb_peer._drive(users=12, turns=3, persistence_path=path, save_every_update=True))
    assert figures["pickle_bytes"] == path.stat().st_size > 0
    with path.open("rb") as handle:
        saved = pickle.load(handle)
    assert len(saved["conversations"]["peer"]) == 12
    assert all(data == {"who": "family", "how": "calls sms"} for data in saved["user_data"].values())


def test_command_line_prints_one_json_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.ptb_peer", "--users", "5", "--turns", "2", "--persistence"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    line = json.loads(done.stdout)
    assert line["peer"] == "ptb_conversationhandler"
    assert line["persistence"] == "pickle"
    assert line["users"] == 5
    assert line["updates_per_s"] > 0
