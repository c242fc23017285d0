"""The statements run on every turn and every delivery find their rows through an index.

Tables that grow with every message (sessions, turns, the outbox, the inbound log) must never be
read whole by a statement that runs per message: a server under steady load would slow down as
they grow until it fell behind (it did, with the outbox). SQLite's EXPLAIN QUERY PLAN says
`SCAN <table>` for a read of the whole table, `SEARCH <table> USING …` for an indexed one, and a
bare `SEARCH <table>` for min()/max() walked along the table from one end (no index to narrow it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.store import delivery_lease
from bot.store.db import open_engine, upgrade
from bot.store.hotpath import HotPath, Sql

GROWING = ("sessions", "turns", "outbox", "inbound_log", "delivery_leases")


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    engine = open_engine(f"sqlite:///{tmp_path / 'plans.sqlite'}")
    upgrade(engine)
    return engine


def _per_message_statements(db: Engine) -> dict[str, Sql]:
    hot = HotPath(db.dialect)
    named = {f"turn.{name}": sql for name, sql in vars(hot).items() if isinstance(sql, Sql)}
    every_write = hot.writes(saves=False, turn=True, reply=True, outbox=True)
    named.update({f"turn.write_{n}": sql for n, sql in enumerate(every_write.statements)})
    named.update({f"delivery.{name}": sql for name, sql in delivery_lease.statements(db.dialect).items()})
    return named


def _full_scans(db: Engine, sql: Sql) -> list[str]:
    placeholders = sql.text.count("?")
    raw = db.raw_connection()
    try:
        plan = raw.execute(f"EXPLAIN QUERY PLAN {sql.text}", (1,) * placeholders).fetchall()
    finally:
        raw.close()
    details = [str(row[-1]) for row in plan]
    return [
        d
        for d in details
        for table in GROWING
        if d in (f"SCAN {table}", f"SEARCH {table}") or d.startswith(f"SCAN {table} ")
    ]


def test_per_message_statements_are_all_checked(db: Engine) -> None:
    names = set(_per_message_statements(db))
    # the ones that once scanned, or would without their index
    assert {"delivery.oldest_unsent", "turn.load_session_for_turn", "turn.find_reply"} <= names
    assert {"turn.write_0", "turn.write_1", "turn.write_2"} <= names  # transcript, dedup, outbox


def test_no_per_message_statement_reads_a_growing_table_whole(db: Engine) -> None:
    scans = {
        name: found for name, sql in _per_message_statements(db).items() if (found := _full_scans(db, sql))
    }
    assert scans == {}


def test_the_check_sees_a_full_scan(db: Engine) -> None:
    """Without the index by session, finding a user's oldest unsent reply reads the whole outbox."""
    with db.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_outbox_session")
    oldest = delivery_lease.statements(db.dialect)["oldest_unsent"]
    assert _full_scans(db, oldest) == ["SEARCH outbox"]


@pytest.mark.postgres
def test_postgres_batch_and_write_statements_use_their_indexes(pg_url: str) -> None:
    """PostgreSQL runs its own statements for a batch's reads and a turn's writes (arrays, a
    session update as a CTE): with sequential scans priced out, none may still read a growing
    table whole, or a planner would fall back to that as the tables grow."""
    import psycopg

    from bot.benchmarks import pg_floor

    db = open_engine(pg_url)
    upgrade(db)
    hot = HotPath(db.dialect)
    db.dispose()
    checked: dict[str, tuple[Sql, dict[str, object]]] = {
        "load_sessions_for_turns": (hot.load_sessions_for_turns, {"keys": ["telegram:1", "telegram:2"]}),
        "find_replies": (hot.find_replies, {"keys": ["a" * 40]}),
    }
    values: dict[str, object] = dict.fromkeys(("state", "stage", "lang", "channel", "key"), "x")
    values |= dict.fromkeys(("sid", "old", "version", "risk", "attempts"), 1)
    values |= {"human": False, "at": 1.0, "last_activity_at": 1.0, "claimed_until": 1.0}
    values |= dict.fromkeys(("data_enc", "text_enc", "reply_enc", "payload_enc"), b"x")
    writes = hot.writes(saves=True, turn=True, reply=True, outbox=True)
    assert writes.counts_update and len(writes.statements) == 1
    checked["writes"] = (writes.statements[0], values)
    with psycopg.connect(pg_floor.conninfo(pg_url)) as conn:
        conn.execute("SET enable_seqscan = off")
        for name, (sql, params) in checked.items():
            plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {sql.text}", params))
            assert not [t for t in GROWING if f"Seq Scan on {t}" in plan], (name, plan)
        conn.rollback()
