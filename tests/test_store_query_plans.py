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
    every_write = hot.writes(turn=True, reply=True, outbox=True)
    named.update({f"turn.write_{n}": sql for n, sql in enumerate(every_write)})
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
