"""The operator console's tables and every statement on them.

Operators, the audit log (who looked at, took over, exported or deleted which case), private
notes, takeovers and operator replies waiting for the user's next turn. Free text (notes,
replies) is encrypted like the rest of the user's data; erasing a user deletes their notes and
replies and strips the case from the audit rows, which keep who and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)

from bot.store.crypto import Cipher
from bot.store.schema import metadata, sessions, turns

operators = Table(
    "operators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("must_change", Boolean, nullable=False),  # a one-time password is still in use
    Column("disabled", Boolean, nullable=False),
    Column("generation", Integer, nullable=False),  # bumped on password change: old cookies die
    Column("created_at", Float, nullable=False),
    # "admin" may reply to, take over and hand back any case; "operator" only the cases they hold
    Column("role", String(16), nullable=False, server_default="operator"),
)

# Sign-in attempts, counted before the password is checked (per account, per address), shared by
# every worker process; rows older than the throttle's window are deleted as new ones come in.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),  # sha256 of "name:…" or "addr:…"
    Column("at", Float, nullable=False),  # an attempt not yet proven right counts as a failure
    Index("ix_login_attempts_key", "key", "at"),
)

console_audit = Table(
    "console_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("operator", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("user_key", String(128), nullable=True),  # NULL once the user's data is erased
    Column("session_id", Integer, nullable=True),
)


def _session_fk() -> Column[int]:
    return Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)


console_notes = Table(
    "console_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _session_fk(),
    Column("at", Float, nullable=False),
    Column("operator", String(64), nullable=False),
    Column("text_enc", LargeBinary, nullable=False),
)

console_takeovers = Table(
    "console_takeovers",
    metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("operator", String(64), nullable=False),
    Column("since", Float, nullable=False),
)

console_pending = Table(
    "console_pending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _session_fk(),
    Column("at", Float, nullable=False),
    Column("operator", String(64), nullable=False),
    Column("text_enc", LargeBinary, nullable=False),
)


@dataclass(frozen=True, slots=True)
class OperatorRow:
    id: int
    name: str
    password_hash: str
    must_change: bool
    disabled: bool
    generation: int
    admin: bool = False  # role "admin": may act on any case


@dataclass(frozen=True, slots=True)
class Note:
    at: float
    operator: str
    text: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: float
    operator: str
    action: str
    user_key: str | None


def _session_id(user_key: str) -> Any:
    return select(sessions.c.id).where(sessions.c.user_key == user_key).scalar_subquery()


# -- operators ------------------------------------------------------------------------------
def insert_operator(
    conn: Connection, name: str, password_hash: str, now: float, *, admin: bool = False
) -> None:
    conn.execute(
        insert(operators).values(
            name=name,
            password_hash=password_hash,
            must_change=True,
            disabled=False,
            generation=0,
            created_at=now,
            role="admin" if admin else "operator",
        )
    )


def find_operator(conn: Connection, *, name: str | None = None, id: int | None = None) -> OperatorRow | None:
    column, value = (operators.c.name, name) if name is not None else (operators.c.id, id)
    row = conn.execute(
        select(
            operators.c.id,
            operators.c.name,
            operators.c.password_hash,
            operators.c.must_change,
            operators.c.disabled,
            operators.c.generation,
            operators.c.role,
        ).where(column == value)
    ).first()
    if row is None:
        return None
    return OperatorRow(row[0], row[1], row[2], bool(row[3]), bool(row[4]), row[5], row[6] == "admin")


def end_sessions(conn: Connection, operator_id: int) -> None:
    """Sign-out: every session cookie of this operator, copies included, stops working."""
    conn.execute(
        update(operators).where(operators.c.id == operator_id).values(generation=operators.c.generation + 1)
    )


def set_password(conn: Connection, operator_id: int, password_hash: str) -> None:
    conn.execute(
        update(operators)
        .where(operators.c.id == operator_id)
        .values(
            password_hash=password_hash,
            must_change=False,
            generation=operators.c.generation + 1,
        )
    )


def rehash_password(conn: Connection, operator_id: int, password_hash: str) -> None:
    conn.execute(update(operators).where(operators.c.id == operator_id).values(password_hash=password_hash))


def disable(conn: Connection, name: str) -> bool:
    result = conn.execute(
        update(operators)
        .where(operators.c.name == name)
        .values(disabled=True, generation=operators.c.generation + 1)
    )
    return bool(result.rowcount)


# -- audit ---------------------------------------------------------------------------------
def audit(conn: Connection, operator: str, action: str, user_key: str | None, now: float) -> None:
    session_id = _session_id(user_key) if user_key else None
    conn.execute(
        insert(console_audit).values(
            at=now, operator=operator, action=action, user_key=user_key, session_id=session_id
        )
    )


def audit_log(conn: Connection, limit: int = 200) -> list[AuditRow]:
    rows = conn.execute(
        select(console_audit.c.at, console_audit.c.operator, console_audit.c.action, console_audit.c.user_key)
        .order_by(console_audit.c.id.desc())
        .limit(limit)
    ).all()
    return [AuditRow(*row) for row in rows]


# -- notes, takeovers, pending replies --------------------------------------------------------
def _insert_text(
    conn: Connection,
    table: Table,
    cipher: Cipher,
    user_key: str,
    operator: str,
    text: str,
    now: float,
) -> bool:
    session_id = conn.execute(select(sessions.c.id).where(sessions.c.user_key == user_key)).scalar()
    if session_id is None:
        return False
    blob = cipher.encrypt(text.encode())
    conn.execute(insert(table).values(session_id=session_id, at=now, operator=operator, text_enc=blob))
    return True


def add_note(conn: Connection, cipher: Cipher, user_key: str, operator: str, text: str, now: float) -> bool:
    """A private note: only operators ever see it; encrypted like the user's own words."""
    return _insert_text(conn, console_notes, cipher, user_key, operator, text, now)


def _texts(conn: Connection, table: Table, cipher: Cipher, user_key: str) -> list[Note]:
    rows = conn.execute(
        select(table.c.at, table.c.operator, table.c.text_enc)
        .where(table.c.session_id == _session_id(user_key))
        .order_by(table.c.id)
    ).all()
    return [Note(r.at, r.operator, cipher.decrypt(r.text_enc).decode()) for r in rows]


def notes(conn: Connection, cipher: Cipher, user_key: str) -> list[Note]:
    return _texts(conn, console_notes, cipher, user_key)


def take_over(conn: Connection, user_key: str, operator: str, now: float) -> bool:
    session_id = conn.execute(select(sessions.c.id).where(sessions.c.user_key == user_key)).scalar()
    if session_id is None:
        return False
    conn.execute(delete(console_takeovers).where(console_takeovers.c.session_id == session_id))
    conn.execute(insert(console_takeovers).values(session_id=session_id, operator=operator, since=now))
    return True


def hand_back(conn: Connection, user_key: str) -> None:
    conn.execute(delete(console_takeovers).where(console_takeovers.c.session_id == _session_id(user_key)))


def takeovers(conn: Connection) -> dict[str, str]:
    """user_key -> operator, for every conversation an operator holds."""
    rows = conn.execute(
        select(sessions.c.user_key, console_takeovers.c.operator).join(
            sessions, sessions.c.id == console_takeovers.c.session_id
        )
    ).all()
    return {row[0]: row[1] for row in rows}


def queue_reply(
    conn: Connection, cipher: Cipher, user_key: str, operator: str, text: str, now: float
) -> bool:
    """Keep an operator's reply for the user's next turn (channels without a push sender)."""
    return _insert_text(conn, console_pending, cipher, user_key, operator, text, now)


def waiting_replies(conn: Connection, cipher: Cipher, user_key: str) -> list[Note]:
    """Operator replies the user has not seen yet (shown at their next message)."""
    return _texts(conn, console_pending, cipher, user_key)


def record_sent_reply(conn: Connection, cipher: Cipher, user_key: str, shown: str, now: float) -> bool:
    """A reply pushed through the user's channel joins the transcript like any bot message."""
    row = conn.execute(select(sessions.c.id, sessions.c.state).where(sessions.c.user_key == user_key)).first()
    if row is None:
        return False
    blob = cipher.encrypt(orjson.dumps({"in": "", "out": shown}))
    conn.execute(insert(turns).values(session_id=row.id, at=now, state=row.state, text_enc=blob))
    return True


def holder(conn: Connection, user_key: str) -> str | None:
    """The operator holding this conversation, if any."""
    return conn.execute(
        select(console_takeovers.c.operator).where(console_takeovers.c.session_id == _session_id(user_key))
    ).scalar()


def call_starter(conn: Connection, user_key: str) -> str | None:
    """Who started a guided call (its `new_call` audit row)."""
    return conn.execute(
        select(console_audit.c.operator)
        .where(console_audit.c.action == "new_call", console_audit.c.user_key == user_key)
        .order_by(console_audit.c.id)
        .limit(1)
    ).scalar()
