"""One turn's database work, as one synchronous block of Core statements on one connection.

load session → engine.step → save session (version + 1) → transcript row → dedup row → outbox row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from bot.engine.engine import Engine
from bot.errors import ConflictError
from bot.store.codec import (
    encode_session_data,
    outbound_from_json,
    outbound_to_json,
    session_from_row,
)
from bot.store.crypto import Cipher
from bot.store.schema import inbound_log, outbox, sessions, turns
from bot.types import Inbound, Message, Outbound, Session, TurnResult

log = logging.getLogger("weiquan.turn")

# Channels whose replies go through the outbox (sent after commit, marked sent after delivery).
OUTBOX_CHANNELS = frozenset({"telegram", "wechat"})

_SESSION_COLUMNS = (
    sessions.c.id,
    sessions.c.user_key,
    sessions.c.state,
    sessions.c.lang,
    sessions.c.version,
    sessions.c.risk,
    sessions.c.human,
    sessions.c.data_enc,
    sessions.c.created_at,
    sessions.c.last_activity_at,
)


def dedup_key(inbound: Inbound) -> str:
    raw = f"{inbound.channel}:{inbound.message_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


@dataclass(slots=True)
class TurnRunner:
    engine: Engine
    cipher: Cipher
    on_delete: Callable[[Connection, int], None]  # erases every row about a session

    def load(self, conn: Connection, user_key: str) -> tuple[int | None, Session | None]:
        row = conn.execute(
            select(*_SESSION_COLUMNS).where(sessions.c.user_key == user_key)
        ).first()
        if row is None:
            return None, None
        return row.id, session_from_row(self.cipher, row)

    def run(self, conn: Connection, inbound: Inbound, now: float) -> TurnResult:
        key = dedup_key(inbound) if inbound.message_id else None
        if key is not None:
            seen = conn.execute(
                select(inbound_log.c.reply_enc).where(inbound_log.c.key == key)
            ).first()
            if seen is not None:
                reply = outbound_from_json(self.cipher.decrypt(seen.reply_enc))
                return TurnResult(reply, duplicate=True)
        session_id, session = self.load(conn, inbound.user_key)
        if session is None:
            session = self.engine.new_session(inbound.user_key, inbound.locale, now)
        version = session.version
        try:
            reply = self.engine.step(session, inbound, now)
        except Exception:
            log.exception("engine failed", extra={"user_key": inbound.user_key})
            return TurnResult(self._apology(session))
        reply_blob = self.cipher.encrypt(outbound_to_json(reply))
        if "deleted" in reply.effects:
            if session_id is not None:
                self.on_delete(conn, session_id)
            session_id = None
        else:
            session_id = self._save(conn, session_id, session, version, reply.stage, now)
            text = orjson.dumps({"in": inbound.text or list(inbound.option_ids), "out": reply.text})
            conn.execute(
                insert(turns).values(
                    session_id=session_id, at=now, state=session.state,
                    text_enc=self.cipher.encrypt(text),
                )  # fmt: skip
            )
        if key is not None:
            conn.execute(
                insert(inbound_log).values(
                    key=key, session_id=session_id, reply_enc=reply_blob, at=now
                )
            )
        outbox_id = None
        if session_id is not None and inbound.channel in OUTBOX_CHANNELS:
            outbox_id = conn.execute(
                insert(outbox)
                .values(
                    session_id=session_id, channel=inbound.channel,
                    payload_enc=reply_blob, created_at=now,
                )  # fmt: skip
                .returning(outbox.c.id)
            ).scalar_one()
        return TurnResult(reply, outbox_id=outbox_id)

    def _save(
        self,
        conn: Connection,
        session_id: int | None,
        session: Session,
        version: int,
        stage: str,
        now: float,
    ) -> int:
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
            return int(
                conn.execute(
                    insert(sessions)
                    .values(
                        user_key=session.user_key,
                        channel=session.user_key.split(":", 1)[0],
                        created_at=session.created_at or now,
                        **values,
                    )
                    .returning(sessions.c.id)
                ).scalar_one()
            )
        changed = conn.execute(
            update(sessions)
            .where(sessions.c.id == session_id, sessions.c.version == version)
            .values(**values)
        ).rowcount
        if changed != 1:
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
