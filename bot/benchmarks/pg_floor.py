"""PostgreSQL for the bench: a throwaway schema, and the raw-psycopg floor for one turn.

The floor is the same turn with nothing but SQL: select the session for update, update it, insert
a transcript row and an outbox row, commit. One connection is no floor: PostgreSQL flushes the
commits of concurrent transactions together, so the floor is the best of several connection counts.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

CONNECTION_COUNTS = (1, 4, 8, 16)
FLOOR_SCHEMA = """
CREATE TABLE s (id serial PRIMARY KEY, k text UNIQUE NOT NULL, state text, v int, data bytea);
CREATE TABLE t (id bigserial PRIMARY KEY, sid int NOT NULL, at float8, state text, x bytea);
CREATE INDEX t_sid ON t (sid, id);
CREATE TABLE o (id bigserial PRIMARY KEY, sid int NOT NULL, payload bytea, at float8);
CREATE INDEX o_sid ON o (sid, id);
"""


def conninfo(url: str, **extra: str) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL (any driver)."""
    parsed = make_url(url)
    params = {key: str(value) for key, value in parsed.query.items()}
    params.update(extra)
    return make_conninfo(
        host=parsed.host or "",
        port=str(parsed.port or ""),
        user=parsed.username or "",
        password=parsed.password or "",
        dbname=parsed.database or "",
        **params,
    )


def in_schema(url: str, schema: str, application_name: str = "") -> str:
    """The URL with its connections' search_path set to `schema` (and a name to count them by)."""
    query = {"options": f"-csearch_path={schema}"}
    if application_name:
        query["application_name"] = application_name
    return make_url(url).update_query_dict(query).render_as_string(hide_password=False)


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """A schema created for this run and dropped after it: the bench never touches real tables."""
    name = f"weiquan_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(conninfo(url), autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(conninfo(url), autocommit=True) as db:
            db.execute(f'DROP SCHEMA "{name}" CASCADE')


def _turns(dsn: str, users: list[int], rounds: int, payload: bytes, failures: list[Exception]) -> None:
    try:
        with psycopg.connect(dsn) as db:
            for _ in range(rounds):
                for user in users:
                    sid, version = db.execute(
                        "SELECT id, v FROM s WHERE k = %s FOR UPDATE", (f"u{user}",)
                    ).fetchone() or (0, 0)
                    db.execute(
                        "UPDATE s SET state = %s, v = %s, data = %s WHERE id = %s AND v = %s",
                        ("next", version + 1, payload, sid, version),
                    )
                    db.execute(
                        "INSERT INTO t (sid, at, state, x) VALUES (%s, %s, %s, %s)",
                        (sid, time.time(), "next", payload[:200]),
                    )
                    db.execute(
                        "INSERT INTO o (sid, payload, at) VALUES (%s, %s, %s)",
                        (sid, payload[:300], time.time()),
                    )
                    db.commit()
    except Exception as exc:  # reported by the caller: a floor with errors is no floor
        failures.append(exc)


def floor(url: str, users: int, rounds: int) -> dict[int, float]:
    """Turns per second of the raw turn at each connection count, `users` sessions × `rounds`."""
    with scratch_schema(url) as schema:
        dsn = conninfo(in_schema(url, schema))
        payload = os.urandom(600)
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(FLOOR_SCHEMA)
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO s (k, state, v, data) VALUES (%s, 'welcome', 0, %s)",
                    [(f"u{user}", payload) for user in range(users)],
                )
        rates: dict[int, float] = {}
        for count in CONNECTION_COUNTS:
            failures: list[Exception] = []
            # each connection owns its users, as a session's turns never run concurrently
            threads = [
                threading.Thread(
                    target=_turns, args=(dsn, list(range(n, users, count)), rounds, payload, failures)
                )
                for n in range(count)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            if failures:
                raise RuntimeError(f"floor with {count} connections failed: {failures[0]!r}")
            rates[count] = users * rounds / elapsed
        return rates
