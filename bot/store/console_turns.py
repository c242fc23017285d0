"""The console's rows in every turn and every erasure (tables in console_tables.py).

Each turn of a known session asks for the operator replies waiting for it (handed over once)
and whether an operator holds the case; the application layer (bot/turns.py) decides what the
user then sees.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, exists, or_, select, update

from bot.store.console_tables import console_audit, console_notes, console_pending, console_takeovers
from bot.store.hotpath import compile_sql, run

if TYPE_CHECKING:
    from bot.store.repo import Store


class ConsoleTurnRows:
    """Almost always no case is held and no reply waits, so the per-session lookups run only while
    some row exists anywhere; that is re-checked every RECHECK_SECONDS, and at once after a
    console write in this process (`wake`). Another process (`weiquan chat`) sees a takeover
    within RECHECK_SECONDS.
    """

    RECHECK_SECONDS = 0.5

    def __init__(self, store: Store) -> None:
        self.cipher = store.cipher
        self._busy = True
        self._recheck_at = 0.0
        dialect = store.db.dialect
        self.any_sql = compile_sql(
            select(
                or_(
                    exists(select(console_takeovers.c.session_id)),
                    exists(select(console_pending.c.id)),
                )
            ),
            dialect,
        )
        self.held_sql = compile_sql(
            select(console_takeovers.c.operator).where(console_takeovers.c.session_id == bindparam("sid")),
            dialect,
        )
        self.pending_sql = compile_sql(
            select(console_pending.c.id, console_pending.c.text_enc)
            .where(console_pending.c.session_id == bindparam("sid"))
            .order_by(console_pending.c.id),
            dialect,
        )
        self.drop_sql = compile_sql(
            delete(console_pending).where(console_pending.c.session_id == bindparam("sid")), dialect
        )

    def take_for_turn(self, conn: Connection, session_id: int) -> tuple[list[str], bool]:
        """The operator replies waiting for this session (removed: shown once), oldest first, and
        whether an operator holds the conversation."""
        dbapi = conn.connection.dbapi_connection
        if not self._anything_held_or_waiting(dbapi):
            return [], False
        params = {"sid": session_id}
        pending = run(dbapi, self.pending_sql, params).fetchall()
        if pending:
            run(dbapi, self.drop_sql, params)
        texts = [self.cipher.decrypt(blob).decode() for _id, blob in pending]
        return texts, run(dbapi, self.held_sql, params).fetchone() is not None

    def wake(self) -> None:
        """A console write just happened: look again at the next turn."""
        self._recheck_at = 0.0

    def _anything_held_or_waiting(self, dbapi: Any) -> bool:
        now = time.monotonic()
        if now >= self._recheck_at:
            self._busy = bool(run(dbapi, self.any_sql, {}).fetchone()[0])
            self._recheck_at = now + self.RECHECK_SECONDS
        return self._busy


def erase_console_rows(conn: Connection, session_id: int) -> None:
    for table in (console_notes, console_pending, console_takeovers):
        conn.execute(delete(table).where(table.c.session_id == session_id))
    conn.execute(
        update(console_audit)
        .where(console_audit.c.session_id == session_id)
        .values(user_key=None, session_id=None)
    )


def wake(store: Store) -> None:
    """After a takeover or a queued reply: the next turn of any user re-checks the tables."""
    store.console.wake()
