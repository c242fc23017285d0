"""One turn's database work, as one synchronous block of statements on one connection.

load session → engine.step → save session (version + 1) → transcript row → dedup row → outbox row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from sqlalchemy import Connection, delete

from bot.engine.engine import Engine
from bot.errors import ConflictError
from bot.store.codec import (
    encode_session_data,
    outbound_from_json,
    outbound_to_json,
    session_from_row,
)
from bot.store.crypto import Cipher
from bot.store.hotpath import SESSION_COLUMNS, HotPath, run
from bot.store.limits import bounded
from bot.store.schema import inbound_log, outbox, sessions, turns
from bot.types import Inbound, Message, Outbound, Session, TurnResult, UserKey

log = logging.getLogger("weiquan.turn")

# Channels whose replies go through the outbox (sent after commit, marked sent after delivery).
OUTBOX_CHANNELS = frozenset({"telegram", "wechat"})
# How long the turn that wrote an outbox row has to deliver it before a retry may claim it
# (renewed while its channel is still working on it); also how soon after a crash the retry loop
# takes over what the dead process left.
OUTBOX_LEASE_SECONDS = 5.0


# A handler may return an Outbound to replace the reply (e.g. a code it just issued, or the case
# it just moved here); None keeps the engine's reply.
EffectHandler = Callable[[Connection, int, Session, float], Outbound | None]
# Runs before the engine for a known session (the console's takeovers, bot/store/console_tables.py):
# returns messages to put before the bot's reply, and True when the bot must stay silent.
TurnHook = Callable[[Connection, int, Session, Inbound, float], tuple[tuple[Message, ...], bool]]


class _Row:
    __slots__ = SESSION_COLUMNS
    id: int

    def __init__(self, values: tuple[Any, ...]) -> None:
        for name, value in zip(SESSION_COLUMNS, values, strict=True):
            setattr(self, name, value)


def dedup_key(inbound: Inbound) -> str:
    """Channel + user + message id: a message id is only unique within its sender's messages
    (WeChat MsgIds can be guessed), so another user reusing one starts a turn of their own."""
    raw = f"{inbound.user_key}\n{inbound.message_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


@dataclass(slots=True)
class TurnRunner:
    engine: Engine
    cipher: Cipher
    on_delete: Callable[[Connection, int], None]  # erases every row about a session
    dialect: Any
    sql: HotPath = field(init=False)
    # Effects named in the flow (`effects: [...]`) that need rows of their own, written in the
    # turn's transaction: effect -> fn(conn, session_id, session, now).
    effect_handlers: dict[str, EffectHandler] = field(default_factory=dict)
    turn_hook: TurnHook | None = None

    def __post_init__(self) -> None:
        self.sql = HotPath(self.dialect)

    def load(
        self, conn: Connection, user_key: str, *, for_turn: bool = False
    ) -> tuple[int | None, Session | None]:
        dbapi = conn.connection.dbapi_connection
        sql = self.sql.load_session_for_turn if for_turn else self.sql.load_session
        row = run(dbapi, sql, {"user_key": user_key}).fetchone()
        if row is None:
            return None, None
        record = _Row(tuple(row))
        return record.id, session_from_row(self.cipher, record)

    def run(self, conn: Connection, inbound: Inbound, now: float) -> TurnResult:
        # The safety detector reads the whole message before anything cuts it to size: a long
        # vent that ends in "我不想活了" must still reach the crisis screen.
        verdict = self.engine.safety.scan(inbound.text) if not inbound.option_ids else None
        inbound = bounded(inbound)
        dbapi = conn.connection.dbapi_connection
        key = dedup_key(inbound) if inbound.message_id else None
        # The session row is locked first (PostgreSQL), so a worker that waited for another one's
        # turn on this user sees that turn's dedup row once it holds the lock.
        session_id, session = self.load(conn, inbound.user_key, for_turn=True)
        if key is not None:
            seen = run(dbapi, self.sql.find_reply, {"key": key}).fetchone()
            if seen is not None:
                reply = outbound_from_json(self.cipher.decrypt(seen[0]))
                return TurnResult(reply, duplicate=True)
        if session is None:
            session = self.engine.new_session(inbound.user_key, inbound.locale, now)
        version = session.version
        prefix: tuple[Message, ...] = ()
        held = False
        if self.turn_hook is not None and session_id is not None:
            prefix, held = self.turn_hook(conn, session_id, session, inbound, now)
        try:
            if held:  # an operator holds the conversation: record the message, say nothing
                if verdict is not None:
                    self.engine.note_alert(session, verdict, now)
                session.last_activity_at = now
                stage = self.engine.flow.state(session.state).stage
                reply = Outbound(prefix, session.state, stage, session.lang, ("held",))
            else:
                reply = self.engine.step(session, inbound, now, verdict)
                if prefix:
                    reply = replace(reply, messages=prefix + reply.messages)
        except Exception:
            log.exception("engine failed", extra={"user_key": inbound.user_key})
            return TurnResult(self._apology(session))
        if "deleted" in reply.effects:
            if session_id is not None:
                self.on_delete(conn, session_id)
            session_id = None
        else:
            session_id = self._save(dbapi, session_id, session, version, reply.stage, now)
            text = orjson.dumps({"in": inbound.text or list(inbound.option_ids), "out": reply.text})
            run(dbapi, self.sql.insert_turn, {
                "sid": session_id, "at": now, "state": session.state,
                "text_enc": self.cipher.encrypt(text),
            })  # fmt: skip
        for effect in reply.effects:
            handler = self.effect_handlers.get(effect)
            if handler is not None and session_id is not None:
                reply = handler(conn, session_id, session, now) or reply
        needs_outbox = session_id is not None and inbound.channel in OUTBOX_CHANNELS
        if key is None and not needs_outbox:
            return TurnResult(reply)
        reply_blob = self.cipher.encrypt(outbound_to_json(reply))
        if key is not None:
            run(dbapi, self.sql.insert_reply,
                {"key": key, "sid": session_id, "reply_enc": reply_blob, "at": now})  # fmt: skip
        outbox_id = None
        if needs_outbox:
            outbox_id = run(dbapi, self.sql.insert_outbox, {
                "sid": session_id, "channel": inbound.channel,
                "payload_enc": reply_blob, "at": now,
                "claimed_until": now + OUTBOX_LEASE_SECONDS, "attempts": 0,
            }).fetchone()[0]  # fmt: skip
        return TurnResult(reply, outbox_id=outbox_id)

    def _save(
        self, dbapi: Any, session_id: int | None, session: Session, version: int, stage: str,
        now: float,
    ) -> int:  # fmt: skip
        values = {
            "state": session.state,
            "stage": stage,
            "lang": session.lang,
            "version": version + 1,
            "risk": session.risk,
            "human": session.human,
            "data_enc": encode_session_data(self.cipher, session),
            "last_activity_at": now,
        }
        if session_id is None:
            values.update(
                user_key=session.user_key,
                channel=UserKey.parse(session.user_key).channel,
                created_at=session.created_at or now,
            )
            return int(run(dbapi, self.sql.insert_session, values).fetchone()[0])
        values.update(sid=session_id, old=version)
        if run(dbapi, self.sql.update_session, values).rowcount != 1:
            raise ConflictError(f"session {session_id} changed under us")
        return session_id

    def _apology(self, session: Session) -> Outbound:
        text = self.engine.i18n.text(session.lang, "common.error")
        stage = self.engine.flow.state(session.state).stage
        return Outbound((Message(text),), session.state, stage, session.lang)


def erase_session_rows(conn: Connection, session_id: int) -> None:
    for table in (outbox, inbound_log, turns):
        conn.execute(delete(table).where(table.c.session_id == session_id))
    conn.execute(delete(sessions).where(sessions.c.id == session_id))
