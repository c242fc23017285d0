"""The console's sign-in throttle, in the store so every worker process shares it.

An attempt is counted before its password is checked (argon2 is slow on purpose: checking first
lets a burst of parallel guesses through before any of them is counted). Two counters apply: one
per account *and* address, one per address (any names). There is deliberately no counter per
account alone: a stranger guessing from elsewhere must never lock the operator out of their own
account. Keys are digests, so the table holds no names or addresses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, insert, select, text

from bot.store.console_tables import login_attempts


def digest(kind: str, *parts: str) -> str:
    return hashlib.sha256("\n".join((kind, *parts)).encode()).hexdigest()


def _lock(conn: Connection, key: str) -> None:
    """PostgreSQL: serialise count-then-insert per key across workers (SQLite's BEGIN IMMEDIATE
    already holds the one write lock)."""
    if conn.dialect.name == "postgresql":
        number = int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


def admit(conn: Connection, limits: Sequence[tuple[str, int]], now: float, window: float) -> list[int] | None:
    """Counts one attempt under every key, unless one of them reached its limit (None).

    Returns the new attempt rows: `settle` removes them once the password proved right.
    """
    for key, _limit in sorted(limits):
        _lock(conn, key)
    conn.execute(delete(login_attempts).where(login_attempts.c.at < now - window))
    for key, limit in limits:
        recent = conn.execute(
            select(func.count()).select_from(login_attempts).where(login_attempts.c.key == key)
        ).scalar_one()
        if recent >= limit:
            return None
    ids = []
    for key, _limit in limits:
        row = conn.execute(
            insert(login_attempts).values(key=key, at=now).returning(login_attempts.c.id)
        ).scalar_one()
        ids.append(int(row))
    return ids


def settle(conn: Connection, attempt_ids: Sequence[int], cleared_key: str) -> None:
    """The password was right: this attempt is not a failure, and the account-and-address
    counter starts again."""
    conn.execute(delete(login_attempts).where(login_attempts.c.id.in_(list(attempt_ids))))
    conn.execute(delete(login_attempts).where(login_attempts.c.key == cleared_key))
