"""`weiquan bench` on PostgreSQL and through real `serve` workers, at a tiny size.

Figures are not asserted (the machine is shared); the JSON fields and the delivery check are:
every reply reached the fake Bot API once and in order, and the check itself catches a lost,
a doubled and a reordered reply.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from serving import outside_env

from bot.benchmarks.conversation import SCRIPT
from bot.benchmarks.load import FIRST_CHAT, Sent
from bot.benchmarks.webhook import check, expected_replies


def bench(cwd: Path, *args: str) -> list[dict[str, Any]]:
    """Runs the installed command from a folder outside the checkout: nothing from bench/ or tests/."""
    env = {name: value for name, value in outside_env().items() if name != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [orjson.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def assert_delivered(result: dict[str, Any]) -> None:
    assert result["errors"] == 0
    assert result["expected_replies"] > 0
    assert (result["lost_replies"], result["doubled_replies"], result["out_of_order_chats"]) == (0, 0, 0)


def test_in_process_bench_on_sqlite_reports_where_a_turn_goes(tmp_path: Path) -> None:
    [result] = bench(tmp_path, "--users", "6", "--turns", str(len(SCRIPT)))
    assert result["database"] == "sqlite"
    assert (result["turns"], result["sessions"]) == (6 * len(SCRIPT), 6)
    # six conversations in flight start spread over the script: the clock starts once all are
    # under way, so the turns before it are not timed
    assert result["timed_turns"] == 6 * len(SCRIPT) - sum(n * len(SCRIPT) // 6 for n in range(6))
    assert result["ratio"] == pytest.approx(result["turns_per_s"] / result["floor_turns_per_s"], abs=0.002)
    store_only = result["store_only_turns_per_s"] / result["floor_turns_per_s"]
    assert result["store_only_ratio"] == pytest.approx(store_only, abs=0.002)
    assert result["engine_us_per_turn"] > 0 and result["safety_us_per_turn"] > 0


@pytest.mark.postgres
def test_in_process_bench_on_postgresql_reports_its_floor(pg_url: str, tmp_path: Path) -> None:
    [result] = bench(tmp_path, "--database-url", pg_url, "--users", "4", "--turns", "6")
    assert result["database"] == "postgresql"
    assert (result["turns"], result["sessions"]) == (24, 4)
    floors = [result[f"floor_{n}conn_turns_per_s"] for n in (1, 4, 8, 16)]
    assert all(rate > 0 for rate in floors) and result["floor_turns_per_s"] == max(floors)
    assert result["ratio"] == pytest.approx(result["turns_per_s"] / result["floor_turns_per_s"], abs=0.002)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_answer_every_message_once_in_order(pg_url: str, tmp_path: Path) -> None:
    # the whole script once: /summary (a text and a document) and a confirmed /restart included
    [result] = bench(
        tmp_path,
        "--workers",
        "2",
        "--database-url",
        pg_url,
        "--users",
        "6",
        "--turns",
        str(len(SCRIPT)),
        "--clients",
        "6",
    )
    expected = ("webhook_conversations", 2, 6 * len(SCRIPT))
    assert (result["mode"], result["workers"], result["turns"]) == expected
    assert_delivered(result)
    assert len(result["rss_mb_per_worker"]) == 2 and all(rss > 0 for rss in result["rss_mb_per_worker"])
    assert result["db_connections"] >= 2
    assert result["floor_turns_per_s"] > 0 and result["ratio"] > 0


@pytest.mark.postgres
@pytest.mark.slow
def test_soak_prints_a_line_per_window_and_a_summary(pg_url: str, tmp_path: Path) -> None:
    lines = bench(
        tmp_path,
        "--webhook",
        "20",
        "--duration",
        "4",
        "--every",
        "1",
        "--workers",
        "2",
        "--database-url",
        pg_url,
        "--users",
        "7",
    )
    *windows, summary = lines
    assert len(windows) >= 3
    assert all(len(w["rss_mb_per_worker"]) == 2 and w["db_connections"] >= 2 for w in windows)
    assert summary["mode"] == "webhook_arrivals" and summary["requests"] == 80
    assert_delivered(summary)
    assert len(summary["rss_growth_pct"]) == 2
    assert summary["db_connections_at_end"] >= 2


@pytest.mark.slow
def test_sqlite_server_through_the_webhook(tmp_path: Path) -> None:
    [result] = bench(tmp_path, "--workers", "1", "--users", "3", "--turns", "5")
    assert result["database"] == "sqlite" and result["db_connections"] is None
    assert_delivered(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database-url", "sqlite:///x.sqlite"], "must be a PostgreSQL URL"),
        (["--database-url", "not a url"], "not a database URL"),
        (["--users", "0"], "--users must be more than 0"),
        (["--workers", "-1"], "--workers must be more than 0"),
    ],
)
def test_bad_arguments_get_a_sentence_not_a_traceback(args: list[str], message: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_the_delivery_check_catches_lost_doubled_and_reordered_replies() -> None:
    canon = expected_replies(4)
    sent = Sent()
    for user in range(4):
        for _ in range(4):
            sent.next_text(user)
    good = [f for reply in canon for f in reply]
    assert len(set(good)) == len(good) >= 4  # distinct replies, so a swap is visible
    chats = {
        str(FIRST_CHAT + 0): good,
        str(FIRST_CHAT + 1): good[:-1],  # the last reply never arrived
        str(FIRST_CHAT + 2): good + good[1:2],  # one reply twice
        str(FIRST_CHAT + 3): [good[1], good[0], *good[2:]],
    }
    counts = check(sent, {"chats": chats}, canon)
    assert counts == {"lost_replies": 1, "doubled_replies": 1, "out_of_order_chats": 1}


@pytest.mark.parametrize("value", ["lots", "0", "65"])
def test_a_malformed_store_connection_count_is_named_not_a_traceback(value: str, tmp_path: Path) -> None:
    env = {**os.environ, "WEIQUAN_STORE_CONNECTIONS": value, "WEIQUAN_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "--users", "1", "--turns", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "WEIQUAN_STORE_CONNECTIONS must be a whole number from 1 to 64" in done.stderr
    assert "Traceback" not in done.stderr
