"""The bench's conversation and its floor, shared by `weiquan bench` and the serving benchmarks."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

# One borrower's whole path through the flow, as the flow stands: harassment, the loan and its
# figures (amounts and a date as people type them), one question of their own, the evidence
# checklist, the complaint plan, the summary and a confirmed restart. A test walks it and fails
# if any message lands on "not understood", so the bench cannot drift from the flow. Each user
# names a lender of their own ({user}), so no two cases are alike, as with real borrowers.
SCRIPT = (
    "/start",
    "1",
    "1 2 3",
    "1 2 8",
    "2",
    "1",
    "1",
    "上个月开始的",
    "1",
    "某某贷{user}",
    "1",
    "1",
    "1万",
    "7000",
    "1000",
    "12个月",
    "0",
    "3000",
    "下个月5号",
    "1",
    "1",
    "他们说要起诉我，是真的吗",
    "1",
    "1",
    "9",
    "1",
    "1",
    "1",
    "/summary",
    "/restart",
    "1",
)


# The bench sets its own configuration and ignores the caller's WEIQUAN_* variables, but for these:
# a trained FAQ model is reused rather than retrained, and the store's connections can be compared.
PASSED_THROUGH = ("WEIQUAN_CACHE_DIR", "WEIQUAN_STORE_CONNECTIONS")


def passed_through() -> dict[str, str]:
    return {name: os.environ[name] for name in PASSED_THROUGH if os.environ.get(name)}


def message(turn: int, user: int) -> str:
    """What `user` sends at `turn` (the script over and over)."""
    return SCRIPT[turn % len(SCRIPT)].replace("{user}", str(user))


def raw_sqlite_floor(path: Path, users: int, turns: int) -> float:
    """The same turn in plain sqlite3: read session, write session + transcript row, commit."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, k TEXT UNIQUE, state TEXT, v INT, data BLOB)")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, sid INT, at REAL, state TEXT, x BLOB)")
    payload = os.urandom(600)
    for user in range(users):
        db.execute("INSERT INTO s (k, state, v, data) VALUES (?, 'welcome', 0, ?)", (f"u{user}", payload))
    started = time.perf_counter()
    for _ in range(turns):
        for user in range(users):
            db.execute("BEGIN IMMEDIATE")
            sid, version = db.execute("SELECT id, v FROM s WHERE k = ?", (f"u{user}",)).fetchone()
            db.execute(
                "UPDATE s SET state = ?, v = ?, data = ? WHERE id = ? AND v = ?",
                ("next", version + 1, payload, sid, version),
            )
            db.execute(
                "INSERT INTO t (sid, at, state, x) VALUES (?, ?, ?, ?)",
                (sid, time.time(), "next", payload[:200]),
            )
            db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return users * turns / elapsed
