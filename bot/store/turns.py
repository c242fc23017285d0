"""One turn's unit of work, as one synchronous block of statements on one connection.

load session → the application's step (which saves or erases the session) → transcript row →
dedup row → outbox row. The store knows nothing of the dialogue: the step is passed in.
On PostgreSQL the sessions and recorded replies of a whole group-committed batch are read by
two statements before its turns run (TurnRunner.prepare), instead of one or two per turn, and a
turn's session update joins its one write statement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, delete

from bot.errors import ConflictError
from bot.store.codec import (
    encode_session_data,
    outbound_from_json,
    outbound_to_json,
    session_from_row,
)
from bot.store.crypto import Cipher
from bot.store.hotpath import HotPath, SessionRow, Sql, run
from bot.store.limits import bounded
from bot.store.schema import inbound_log, outbox, sessions, turns
from bot.types import Inbound, Outbound, Session, TurnResult, UserKey

# Channels whose replies go through the outbox (sent after commit, marked sent after delivery).
OUTBOX_CHANNELS = frozenset({"telegram", "wechat"})
# How long the turn that wrote an outbox row has to deliver it before a retry may claim it
# (renewed while its channel is still working on it); also how soon after a crash the retry loop
# takes over what the dead process left.
OUTBOX_LEASE_SECONDS = 5.0


class TurnStep(Protocol):
    """The application's part of a turn (bot/turns.py): decide the reply, and save or erase the
    session through the unit. Runs on the store thread, inside the turn's transaction."""

    def __call__(self, unit: TurnUnit) -> Outbound: ...


_CURSOR = "weiquan.turn_cursor"  # Connection.info: the cursor turns use


def _turn_cursor(conn: Connection) -> Any:
    """The connection's one DBAPI cursor for turns, made once: a cursor per statement cost 10-15%
    of PostgreSQL's client time per turn, one per turn still about 5%. It lives in the pooled
    connection's `info`, which SQLAlchemy clears when it reconnects."""
    cursor = conn.info.get(_CURSOR)
    if cursor is None:
        cursor = conn.info[_CURSOR] = conn.connection.cursor()
    return cursor


def dedup_key(inbound: Inbound) -> str:
    """Channel + user + message id: a message id is only unique within its sender's messages
    (WeChat MsgIds can be guessed), so another user reusing one starts a turn of their own."""
    raw = f"{inbound.user_key}\n{inbound.message_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


@dataclass(slots=True)
class TurnUnit:
    """What a step sees of the transaction: the loaded session (None for a new user), the message
    cut to size (`full_text`: as received, for readers that must see all of it), and two writes."""

    _conn: Connection
    cursor: Any  # the turn's DB-API cursor: one for all its statements, not one each
    inbound: Inbound
    full_text: str
    now: float
    session_id: int | None
    session: Session | None
    _runner: TurnRunner
    _version: int = 0
    failed: bool = False
    said: str | None = None  # the reply as the transcript keeps it
    # PostgreSQL: the session's update, made by the turn's last statement with its other writes
    _held_update: dict[str, Any] | None = None

    @property
    def conn(self) -> Connection:
        """The turn's connection. A session update still held for the last statement is made
        first, so whatever reads through the connection (an effect handler) sees it."""
        if self._held_update is not None:
            self._runner.update(self.cursor, self._held_update)
            self._held_update = None
        return self._conn

    def held_update(self) -> dict[str, Any] | None:
        """The session update left for the turn's last statement (taken once)."""
        held, self._held_update = self._held_update, None
        return held

    def fail(self) -> None:
        """The step could not decide a reply: nothing of this turn is recorded (no transcript,
        dedup or outbox row), so a redelivered message is stepped again."""
        self.failed = True

    def save(self, session: Session, reply: Outbound) -> int:
        """Write the session (version + 1); returns its id (new for a first turn). On PostgreSQL an
        update waits for the turn's write statement (or `conn`). The transcript keeps `reply` as
        it is now: what effects add later (a /move code) stays out of it."""
        values = self._runner.session_values(session, self._version, reply.stage, self.now)
        if self.session_id is None:
            self.session_id = self._runner.insert(self.cursor, session, values, self.now)
        else:
            values.update(sid=self.session_id, old=self._version)
            if self._runner.sql.update_with_writes:
                self._held_update = values
            else:
                self._runner.update(self.cursor, values)
        self.session = session
        self.said = reply.text
        return self.session_id

    def erase(self) -> None:
        """The user asked for erasure: every row about the session goes (all erasers)."""
        self._held_update = None
        if self.session_id is not None:
            self._runner.on_delete(self._conn, self.session_id)
        self.session_id = None
        self.said = None


_BATCH = "weiquan.turn_reads"  # Connection.info: what the batch's reads found, while it runs


@dataclass(slots=True)
class _BatchFound:
    sessions: dict[str, Any]  # user key -> its session row, None: no session yet
    replies: dict[str, bytes | None]  # dedup key -> the reply recorded for it, None: none yet

    @staticmethod
    def of(conn: Connection) -> _BatchFound | None:
        found: _BatchFound | None = conn.info.get(_BATCH)
        return found


@dataclass(slots=True)
class TurnRunner:
    cipher: Cipher
    on_delete: Callable[[Connection, int], None]  # erases every row about a session
    dialect: Any
    sql: HotPath = field(init=False)

    def __post_init__(self) -> None:
        self.sql = HotPath(self.dialect)

    def load(
        self, conn: Connection, user_key: str, *, for_turn: bool = False
    ) -> tuple[int | None, Session | None]:
        sql = self.sql.load_session_for_turn if for_turn else self.sql.load_session
        return self._load(conn.connection.dbapi_connection, sql, user_key)

    def prepare(self, conn: Connection, reads: list[Inbound]) -> None:
        """Read (and lock) the sessions of a batch's turns and the replies already recorded for
        their message ids, for run() to take; each is taken once, so a user's second turn in the
        batch reads again and sees the first one's writes. The store worker calls this, on
        PostgreSQL (`HotPath.reads_in_batches`)."""
        cursor = _turn_cursor(conn)
        user_keys = sorted({inbound.user_key for inbound in reads})
        found = _BatchFound(dict.fromkeys(user_keys), {})
        for row in run(cursor, self.sql.load_sessions_for_turns, {"keys": user_keys}):
            found.sessions[row[1]] = row
        dedup_keys = [dedup_key(bounded(inbound)) for inbound in reads if inbound.message_id]
        if dedup_keys:
            found.replies = dict.fromkeys(dedup_keys)
            found.replies.update(run(cursor, self.sql.find_replies, {"keys": dedup_keys}).fetchall())
        conn.info[_BATCH] = found

    def forget(self, conn: Connection) -> None:
        conn.info.pop(_BATCH, None)

    def _load(self, cursor: Any, sql: Sql, user_key: str) -> tuple[int | None, Session | None]:
        return self._decoded(run(cursor, sql, {"user_key": user_key}).fetchone())

    def _session_row(self, batch: _BatchFound | None, cursor: Any, user_key: str) -> Any:
        if batch is not None and user_key in batch.sessions:
            return batch.sessions.pop(user_key)
        return run(cursor, self.sql.load_session_for_turn, {"user_key": user_key}).fetchone()

    def _recorded_reply(self, batch: _BatchFound | None, cursor: Any, key: str) -> bytes | None:
        if batch is not None and key in batch.replies:
            return batch.replies.pop(key)
        row = run(cursor, self.sql.find_reply, {"key": key}).fetchone()
        return None if row is None else bytes(row[0])

    def _decoded(self, row: Any) -> tuple[int | None, Session | None]:
        if row is None:
            return None, None
        record = SessionRow._make(row)
        return record.id, session_from_row(self.cipher, record)

    def run(self, conn: Connection, inbound: Inbound, now: float, step: TurnStep) -> TurnResult:
        full_text = inbound.text
        inbound = bounded(inbound)
        cursor = _turn_cursor(conn)
        key = dedup_key(inbound) if inbound.message_id else None
        # The session row is locked first (PostgreSQL), so a worker that waited for another one's
        # turn on this user sees that turn's dedup row once it holds the lock.
        batch = _BatchFound.of(conn)
        session_id, session = self._decoded(self._session_row(batch, cursor, inbound.user_key))
        if key is not None:
            recorded = self._recorded_reply(batch, cursor, key)
            if recorded is not None:
                reply = outbound_from_json(self.cipher.decrypt(recorded))
                return TurnResult(reply, duplicate=True)
        version = session.version if session is not None else 0
        unit = TurnUnit(conn, cursor, inbound, full_text, now, session_id, session, self, version)
        reply = step(unit)
        if unit.failed:
            return TurnResult(reply)
        session_id, saved, held = unit.session_id, unit.session, unit.held_update()
        keeps_turn = session_id is not None and saved is not None and unit.said is not None
        needs_outbox = session_id is not None and inbound.channel in OUTBOX_CHANNELS
        writes = self.sql.writes(held is not None, keeps_turn, key is not None, needs_outbox)
        if not writes.statements:
            return TurnResult(reply)
        values: dict[str, Any] = {"sid": session_id, "at": now, **(held or {})}
        if keeps_turn and saved is not None:
            text = orjson.dumps({"in": inbound.text or list(inbound.option_ids), "out": unit.said})
            values.update(state=saved.state, text_enc=self.cipher.encrypt(text))
        if key is not None or needs_outbox:
            reply_blob = self.cipher.encrypt(outbound_to_json(reply))
            values.update(key=key, reply_enc=reply_blob, channel=inbound.channel, payload_enc=reply_blob)
            values.update(claimed_until=now + OUTBOX_LEASE_SECONDS, attempts=0)
        for sql in writes.statements:
            written = run(cursor, sql, values)
        if writes.counts_update:
            updated, outbox_id = written.fetchone()
            if updated != 1:
                raise ConflictError(f"session {session_id} changed under us")
        else:
            outbox_id = written.fetchone()[0] if needs_outbox else None
        return TurnResult(reply, outbox_id=outbox_id)

    def session_values(self, session: Session, version: int, stage: str, now: float) -> dict[str, Any]:
        return {
            "state": session.state,
            "stage": stage,
            "lang": session.lang,
            "version": version + 1,
            "risk": session.risk,
            "human": session.human,
            "data_enc": encode_session_data(self.cipher, session),
            "last_activity_at": now,
        }

    def insert(self, cursor: Any, session: Session, values: dict[str, Any], now: float) -> int:
        values.update(
            user_key=session.user_key,
            channel=UserKey.parse(session.user_key).channel,
            created_at=session.created_at or now,
        )
        return int(run(cursor, self.sql.insert_session, values).fetchone()[0])

    def update(self, cursor: Any, values: dict[str, Any]) -> None:
        if run(cursor, self.sql.update_session, values).rowcount != 1:
            raise ConflictError(f"session {values['sid']} changed under us")


def erase_session_rows(conn: Connection, session_id: int) -> None:
    for table in (outbox, inbound_log, turns):
        conn.execute(delete(table).where(table.c.session_id == session_id))
    conn.execute(delete(sessions).where(sessions.c.id == session_id))
