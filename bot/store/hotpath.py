"""The per-turn statements, written as Core and compiled once per dialect.

Building and compiling a Core statement costs ~100 µs per call, several times the SQL itself;
so the turn's statements are compiled at start-up and run on the connection's DB-API cursor.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, Dialect, String, any_, bindparam, func, insert, null, select, update
from sqlalchemy.sql import ClauseElement

from bot.store.schema import inbound_log, outbox, sessions, turns


class SessionRow(NamedTuple):
    """A session as the turn loads it (the cursor's tuple, by column name)."""

    id: int
    user_key: str
    state: str
    lang: str
    version: int
    risk: int
    human: bool
    data_enc: bytes
    created_at: float
    last_activity_at: float


SESSION_COLUMNS = SessionRow._fields
_SAVED = ("state", "stage", "lang", "version", "risk", "human", "data_enc", "last_activity_at")


@dataclass(frozen=True, slots=True)
class Sql:
    text: str
    order: tuple[str, ...] | None  # positional drivers (sqlite3): parameter order
    _pick: Callable[[Mapping[str, Any]], Any] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pick = None
        if self.order is not None:  # one C call per statement instead of a generator
            getter = itemgetter(*self.order)
            pick = getter if len(self.order) > 1 else (lambda values: (getter(values),))
        object.__setattr__(self, "_pick", pick)

    def params(self, values: Mapping[str, Any]) -> tuple[Any, ...] | Mapping[str, Any]:
        return values if self._pick is None else self._pick(values)


def compile_sql(statement: ClauseElement, dialect: Dialect) -> Sql:
    compiled = statement.compile(dialect=dialect)
    positions = getattr(compiled, "positiontup", None)  # set for positional paramstyles
    order = tuple(positions) if positions else None
    return Sql(str(compiled), order)


class HotPath:
    def __init__(self, dialect: Dialect) -> None:
        def c(statement: ClauseElement) -> Sql:
            return compile_sql(statement, dialect)

        load = select(*(sessions.c[name] for name in SESSION_COLUMNS)).where(
            sessions.c.user_key == bindparam("user_key")
        )
        self.load_session = c(load)
        # A turn locks its session row from the read on (PostgreSQL; SQLite's BEGIN IMMEDIATE
        # already holds the database): another worker's turn for the same user waits, then reads
        # the committed version instead of stepping a stale one and retrying.
        self.load_session_for_turn = c(load.with_for_update())
        self.insert_session = c(
            insert(sessions)
            .values(
                user_key=bindparam("user_key"),
                channel=bindparam("channel"),
                created_at=bindparam("created_at"),
                **{name: bindparam(name) for name in _SAVED},
            )
            .returning(sessions.c.id)
        )
        insert_turn = insert(turns).values(
            session_id=bindparam("sid"),
            at=bindparam("at"),
            state=bindparam("state"),
            text_enc=bindparam("text_enc"),
        )
        self.find_reply = c(select(inbound_log.c.reply_enc).where(inbound_log.c.key == bindparam("key")))
        # A batch's reads at once (PostgreSQL, see TurnRunner.prepare): its sessions, locked in id order
        # so two workers locking overlapping batches queue instead of deadlocking, and the
        # replies already recorded for its message ids.
        self.reads_in_batches = dialect.name == "postgresql"
        if self.reads_in_batches:
            keys = bindparam("keys", type_=ARRAY(String))
            self.load_sessions_for_turns = c(
                select(*(sessions.c[name] for name in SESSION_COLUMNS))
                .where(sessions.c.user_key == any_(keys))
                .order_by(sessions.c.id)
                .with_for_update()
            )
            self.find_replies = c(
                select(inbound_log.c.key, inbound_log.c.reply_enc).where(inbound_log.c.key == any_(keys))
            )
        insert_reply = insert(inbound_log).values(
            key=bindparam("key"),
            session_id=bindparam("sid"),
            reply_enc=bindparam("reply_enc"),
            at=bindparam("at"),
        )
        insert_outbox = (
            insert(outbox)
            .values(
                session_id=bindparam("sid"),
                channel=bindparam("channel"),
                payload_enc=bindparam("payload_enc"),
                created_at=bindparam("at"),
                claimed_until=bindparam("claimed_until"),
                attempts=bindparam("attempts"),
            )
            .returning(outbox.c.id)
        )
        # A turn's writes after its step (session update, transcript row, dedup row, outbox row,
        # any of them): on PostgreSQL one statement, all but the last as CTEs, since each
        # statement is a round trip and some 50 µs of the driver's time; its result row is the
        # number of sessions updated (1, or another worker changed it) and the outbox row's id.
        # On SQLite (no CTE may write) one statement each, the session updated by the step.
        self.update_with_writes = dialect.name == "postgresql"
        update_session = (
            update(sessions)
            .where(sessions.c.id == bindparam("sid"), sessions.c.version == bindparam("old"))
            .values(**{name: bindparam(name) for name in _SAVED})
        )
        self.update_session = c(update_session)
        self._writes: dict[tuple[bool, bool, bool, bool], Writes] = {}
        for saves, turn, reply, box in itertools.product((False, True), repeat=4):
            chosen = [
                part
                for part, wanted in ((insert_turn, turn), (insert_reply, reply), (insert_outbox, box))
                if wanted
            ]
            if saves and self.update_with_writes:
                ctes = [update_session.returning(sessions.c.id).cte("session_write")]
                ctes += [part.cte(f"write_{n}") for n, part in enumerate(chosen)]
                outbox_id = select(ctes[-1].c.id).scalar_subquery() if box else null()
                counted = select(select(func.count()).select_from(ctes[0]).scalar_subquery(), outbox_id)
                self._writes[(saves, turn, reply, box)] = Writes((c(counted.add_cte(*ctes)),), True)
            elif saves:
                continue  # SQLite: the step has already updated the session
            elif len(chosen) > 1 and self.update_with_writes:
                *before, last = chosen
                for n, part in enumerate(before):
                    last = last.add_cte(part.cte(f"write_{n}"))
                self._writes[(saves, turn, reply, box)] = Writes((c(last),), False)
            else:
                self._writes[(saves, turn, reply, box)] = Writes(tuple(c(part) for part in chosen), False)

    def writes(self, saves: bool, turn: bool, reply: bool, outbox: bool) -> Writes:
        """The statements that write a turn's session update (PostgreSQL), transcript row, dedup
        row and outbox row (the ones asked for), in that order."""
        return self._writes[(saves, turn, reply, outbox)]


class Writes(NamedTuple):
    statements: tuple[Sql, ...]
    # the last statement returns (sessions updated, outbox id or NULL), not only the outbox id
    counts_update: bool


def run(dbapi: Any, sql: Sql, values: Mapping[str, Any]) -> Any:
    """Execute on a DB-API connection (sqlite3 and psycopg both have .execute)."""
    return dbapi.execute(sql.text, sql.params(values))
