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

from sqlalchemy import Dialect, bindparam, insert, select, update
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
        self.update_session = c(
            update(sessions)
            .where(sessions.c.id == bindparam("sid"), sessions.c.version == bindparam("old"))
            .values(**{name: bindparam(name) for name in _SAVED})
        )
        insert_turn = insert(turns).values(
            session_id=bindparam("sid"),
            at=bindparam("at"),
            state=bindparam("state"),
            text_enc=bindparam("text_enc"),
        )
        self.find_reply = c(select(inbound_log.c.reply_enc).where(inbound_log.c.key == bindparam("key")))
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
        # A turn's writes after its step (transcript row, dedup row, outbox row, any of them):
        # on PostgreSQL one statement, the earlier inserts as CTEs, since each statement is a
        # round trip and some 50 µs of the driver's time; on SQLite (no CTE may write) one each.
        self._writes: dict[tuple[bool, bool, bool], tuple[Sql, ...]] = {}
        for turn, reply, box in itertools.product((False, True), repeat=3):
            chosen = [
                part
                for part, wanted in ((insert_turn, turn), (insert_reply, reply), (insert_outbox, box))
                if wanted
            ]
            statements: tuple[Sql, ...] = tuple(c(part) for part in chosen)
            if len(chosen) > 1 and dialect.name == "postgresql":
                *before, last = chosen
                for n, part in enumerate(before):
                    last = last.add_cte(part.cte(f"write_{n}"))
                statements = (c(last),)
            self._writes[(turn, reply, box)] = statements

    def writes(self, turn: bool, reply: bool, outbox: bool) -> tuple[Sql, ...]:
        """The statements that write a turn's transcript row, dedup row and outbox row (the ones
        asked for), in that order; the last returns the outbox row's id when there is one."""
        return self._writes[(turn, reply, outbox)]


def run(dbapi: Any, sql: Sql, values: Mapping[str, Any]) -> Any:
    """Execute on a DB-API connection (sqlite3 and psycopg both have .execute)."""
    return dbapi.execute(sql.text, sql.params(values))
