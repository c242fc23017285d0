"""One delivering worker per user, and each reply marked sent before it goes out.

A worker sends a user's replies only while it holds that user's delivery lease (a row in
`delivery_leases`, renewed while sending), and always the user's oldest unsent reply first. The
reply is marked sent in the same transaction that hands it out, so a crash during the send loses
that one send rather than repeating it, and no reply is ever sent twice: a worker that finds its
own reply already marked (another worker sent it first, in order) has nothing left to do. A send
that fails is put back (`unsend`) and the user's later replies wait behind it.

Every reply takes these statements several times (a fifth of a webhook worker's CPU when built
as Core on each call): they are compiled once per dialect and run on the DB-API cursor, as the
turn's own are (bot/store/hotpath.py).
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    bindparam,
    delete,
    func,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from bot.store.codec import outbound_from_json
from bot.store.crypto import Cipher
from bot.store.hotpath import Sql, compile_sql, run
from bot.store.outbox_retry import MAX_ATTEMPTS, PendingReply
from bot.store.schema import delivery_leases, outbox, sessions

_oldest_unsent = (
    select(func.min(outbox.c.id))
    .where(
        outbox.c.session_id == bindparam("sid"),
        outbox.c.sent_at.is_(None),
        outbox.c.attempts < bindparam("max_attempts"),
    )
    .scalar_subquery()
)
_STATEMENTS = {
    "session_of": select(outbox.c.session_id).where(outbox.c.id == bindparam("outbox_id")),
    "session_exists": select(sessions.c.id).where(sessions.c.id == bindparam("sid")),
    "oldest_unsent": select(
        outbox.c.id, outbox.c.payload_enc, outbox.c.attempts, outbox.c.claimed_until, sessions.c.user_key
    )
    .join(sessions, sessions.c.id == outbox.c.session_id)
    .where(outbox.c.id == _oldest_unsent),
    "mark_sent": update(outbox).where(outbox.c.id == bindparam("outbox_id")).values(sent_at=bindparam("at")),
    "unsend": update(outbox)
    .where(outbox.c.id == bindparam("outbox_id"))
    .values(
        sent_at=null(), attempts=outbox.c.attempts + literal_column("1"), claimed_until=bindparam("retry_at")
    ),
    "renew": update(delivery_leases)
    .where(delivery_leases.c.session_id == bindparam("sid"), delivery_leases.c.holder == bindparam("me"))
    .values(until=bindparam("new_until")),
    "release": delete(delivery_leases).where(
        delivery_leases.c.session_id == bindparam("sid"), delivery_leases.c.holder == bindparam("me")
    ),
}


def _take_lease(dialect: Dialect) -> ClauseElement:
    """The lease, new or taken over when it ran out (or is already ours): one statement that
    changes one row exactly when the lease is now ours, also when two workers race for it."""
    dialect_insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    new = dialect_insert(delivery_leases).values(
        session_id=bindparam("sid"), holder=bindparam("new_holder"), until=bindparam("new_until")
    )
    return new.on_conflict_do_update(
        index_elements=[delivery_leases.c.session_id],
        set_={"holder": new.excluded.holder, "until": new.excluded.until},
        where=or_(delivery_leases.c.until <= bindparam("now"), delivery_leases.c.holder == bindparam("me")),
    )


@functools.cache
def statements(dialect: Dialect) -> dict[str, Sql]:
    """Every delivery statement, compiled once per dialect (by name)."""
    named = {**_STATEMENTS, "take_lease": _take_lease(dialect)}
    return {name: compile_sql(statement, dialect) for name, statement in named.items()}


def _run(conn: Connection, name: str, **values: Any) -> Any:
    sql = statements(conn.dialect)[name]
    return run(conn.connection.dbapi_connection, sql, values)


def _session_of(conn: Connection, outbox_id: int) -> int | None:
    row = _run(conn, "session_of", outbox_id=outbox_id).fetchone()
    return None if row is None else int(row[0])


def _acquire(conn: Connection, session_id: int, holder: str, now: float, lease: float) -> bool:
    lease_values = {"sid": session_id, "new_holder": holder, "new_until": now + lease}
    return bool(_run(conn, "take_lease", now=now, me=holder, **lease_values).rowcount == 1)


def take_next(
    conn: Connection,
    cipher: Cipher,
    session_id: int,
    holder: str,
    now: float,
    lease: float,
    *,
    due_only: bool = False,
) -> tuple[bool, PendingReply | None]:
    """(lease held?, the user's oldest unsent reply, now marked sent — or None: nothing left).

    `due_only` (the retry loop): None as well while that oldest reply waits for its retry time
    or for its own sender; nothing younger may overtake it."""
    if _run(conn, "session_exists", sid=session_id).fetchone() is None:
        return True, None  # erased meanwhile: its replies went with it
    if not _acquire(conn, session_id, holder, now, lease):
        return False, None
    row = _run(conn, "oldest_unsent", sid=session_id, max_attempts=MAX_ATTEMPTS).fetchone()
    if row is None:
        return True, None
    outbox_id, payload, attempts, claimed_until, user_key = row
    if due_only and claimed_until is not None and claimed_until > now:
        return True, None
    _run(conn, "mark_sent", outbox_id=outbox_id, at=now)
    reply = outbound_from_json(cipher.decrypt(payload))
    return True, PendingReply(outbox_id, user_key, reply, attempts + 1)


def take_first(
    conn: Connection, cipher: Cipher, outbox_id: int, holder: str, now: float, lease: float
) -> tuple[int | None, bool, PendingReply | None]:
    """A turn's own delivery starts here: the reply's session (None: erased meanwhile), and
    `take_next` for it, in one transaction instead of two."""
    session_id = _session_of(conn, outbox_id)
    if session_id is None:
        return None, True, None
    return session_id, *take_next(conn, cipher, session_id, holder, now, lease)


def unsend(conn: Connection, outbox_id: int, retry_at: float) -> None:
    """The send failed: unsent again, one attempt more, not retried before `retry_at`."""
    _run(conn, "unsend", outbox_id=outbox_id, retry_at=retry_at)


def renew(conn: Connection, session_id: int, holder: str, until: float) -> None:
    _run(conn, "renew", sid=session_id, me=holder, new_until=until)


def release(conn: Connection, session_id: int, holder: str) -> None:
    _run(conn, "release", sid=session_id, me=holder)


def claim_due(conn: Connection, channel: str, now: float, limit: int, holder: str, lease: float) -> list[int]:
    """Users with a reply whose own sender had its chance (lease over), oldest first, whose
    delivery lease this pass now holds: concurrent passes get disjoint users."""
    leased = select(delivery_leases.c.session_id).where(
        delivery_leases.c.session_id == outbox.c.session_id, delivery_leases.c.until > now
    )
    rows = (
        conn.execute(
            select(outbox.c.session_id)
            .where(
                outbox.c.channel == channel,
                outbox.c.sent_at.is_(None),
                outbox.c.attempts < MAX_ATTEMPTS,
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
                ~leased.exists(),
            )
            .group_by(outbox.c.session_id)
            .order_by(func.min(outbox.c.id))
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return [int(sid) for sid in rows if _acquire(conn, int(sid), holder, now, lease)]
