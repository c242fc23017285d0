"""The Store: opens the database, owns the store thread, and answers reads and erasures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import OperationalError

from bot.errors import StoreError
from bot.store.checkpoint import Checkpointer
from bot.store.codec import outbound_from_json, session_from_row
from bot.store.console_turns import ConsoleTurnRows, erase_console_rows
from bot.store.crypto import Cipher
from bot.store.db import (
    READ_CONNECTIONS,
    READ_ONLY,
    forget_erased_pages,
    is_sqlite,
    open_engine,
    require_current_schema,
    upgrade,
)
from bot.store.replay import bind_signed_body
from bot.store.schema import inbound_log, outbox, sessions, turns
from bot.store.turns import TurnRunner, TurnStep, erase_session_rows
from bot.store.writers import StoreWorker
from bot.types import Inbound, Outbound, Session, TurnResult

log = logging.getLogger("weiquan.store")

Eraser = Callable[[Connection, int], None]
# Marking replies sent, renewing and claiming leases are jobs of one key, so they run in the
# order they were asked for: a retry pass asked after a reply was marked sent never claims it.
OUTBOX_JOBS = "outbox"


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What the operators' queue shows: no free text."""

    user_key: str
    channel: str
    state: str
    stage: str
    risk: int
    human: bool
    created_at: float
    last_activity_at: float


class Store:
    def __init__(self, url: str, cipher: Cipher, writers: int = 1) -> None:
        """`writers`: store threads, each on its own connection (PostgreSQL; SQLite has one)."""
        self.db = open_engine(url, writers)
        self._checkpointer: Checkpointer | None = None
        if is_sqlite(self.db):
            upgrade(self.db)  # the embedded default migrates itself on first use
            self._checkpointer = Checkpointer(str(self.db.url.database))
        else:
            try:
                require_current_schema(self.db)
            except StoreError:
                self.db.dispose()
                raise
        self.cipher = cipher
        self._erasers: list[Eraser] = [erase_console_rows]  # every process erases console rows
        self.runner = TurnRunner(cipher, self.erase_session, self.db.dialect)
        self.console = ConsoleTurnRows(self)  # operator takeovers and waiting replies, per turn
        batch_reads = self.runner if self.runner.sql.reads_in_batches else None
        self.worker = StoreWorker(self.db, writers, batch_reads)

    def open_read_connections(self, count: int = READ_CONNECTIONS) -> None:
        """Open the pool's connections now (PostgreSQL): the store threads' and `count` for reads,
        so a serving worker holds a fixed number from its start. The store threads take theirs
        from the same pool when they first commit. An unreachable server is let through, as at
        start-up: the pool opens them once it is back."""
        if is_sqlite(self.db):
            return
        opened: list[Connection] = []
        try:
            for _ in range(self.worker.lanes + count):
                opened.append(self.db.connect())
        except OperationalError:
            log.warning("database unreachable: connections are opened when it is back")
        finally:
            for conn in opened:
                conn.close()  # back to the pool, which keeps it open

    def add_eraser(self, eraser: Eraser) -> None:
        """Other modules' tables (reminders, evidence, audit …) join every erasure."""
        self._erasers.append(eraser)

    def erase_session(self, conn: Connection, session_id: int) -> None:
        """Every row about a session, inside the caller's transaction."""
        for eraser in self._erasers:
            eraser(conn, session_id)
        erase_session_rows(conn, session_id)

    # -- writes, all through the store thread ---------------------------------------------
    def submit_turn(self, inbound: Inbound, clock: Callable[[], float], step: TurnStep) -> Future[TurnResult]:
        return self.worker.submit(
            lambda conn: self.runner.run(conn, inbound, clock(), step), inbound.user_key, inbound
        )

    def submit_turn_async(
        self, inbound: Inbound, clock: Callable[[], float], step: TurnStep
    ) -> asyncio.Future[TurnResult]:
        return self.worker.submit_async(
            lambda conn: self.runner.run(conn, inbound, clock(), step), inbound.user_key, inbound
        )

    def submit(self, job: Callable[[Connection], Any], key: str | None = None) -> Future[Any]:
        """Run a write job on a store thread; with a user key, after that user's queued turns."""
        return self.worker.submit(job, key)

    def submit_async(self, job: Callable[[Connection], Any], key: str | None = None) -> asyncio.Future[Any]:
        """Like submit, awaited: the whole batch wakes the event loop once."""
        return self.worker.submit_async(job, key)

    def mark_sent(self, outbox_id: int, now: float) -> Future[Any]:
        return self.worker.submit(
            lambda conn: conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(sent_at=now)),
            key=OUTBOX_JOBS,
        )

    def bind_signed_body(self, key: str, body_digest: str, now: float, keep: float) -> Future[bool]:
        """A signed request's triple may carry one body only (see bot/store/replay.py)."""
        return self.worker.submit(lambda conn: bind_signed_body(conn, key, body_digest, now, keep))

    def delete_user(self, user_key: str) -> bool:
        def job(conn: Connection) -> bool:
            session_id = conn.execute(select(sessions.c.id).where(sessions.c.user_key == user_key)).scalar()
            if session_id is None:
                return False
            self.erase_session(conn, session_id)
            return True

        erased = bool(self.worker.submit(job, key=user_key).result())
        self.forget_erased_pages()
        return erased

    def purge(self, idle_before: float) -> int:
        def job(conn: Connection) -> int:
            ids = (
                conn.execute(select(sessions.c.id).where(sessions.c.last_activity_at < idle_before))
                .scalars()
                .all()
            )
            for session_id in ids:
                self.erase_session(conn, session_id)
            # Replies recorded for exactly-once delivery outlive an erased session (session_id
            # NULL, no user id); platforms stop resending within a day, so old ones go too.
            conn.execute(delete(inbound_log).where(inbound_log.c.at < idle_before))
            # Delivered replies of conversations still going on are no longer needed either.
            conn.execute(delete(outbox).where(outbox.c.sent_at < idle_before))
            return len(ids)

        count = int(self.worker.submit(job).result())
        self.forget_erased_pages()
        return count

    def forget_erased_pages(self) -> None:
        """SQLite: fold the WAL into the file and truncate it, so erased rows leave no copy."""
        forget_erased_pages(self.db)

    # -- reads, on their own connections -----------------------------------------------------
    def session(self, user_key: str) -> Session | None:
        with self.db.connect().execution_options(**READ_ONLY) as conn:
            return self.runner.load(conn, user_key)[1]

    def transcript(self, user_key: str) -> list[dict[str, Any]]:
        with self.db.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(
                select(turns.c.at, turns.c.state, turns.c.text_enc)
                .join(sessions, sessions.c.id == turns.c.session_id)
                .where(sessions.c.user_key == user_key)
                .order_by(turns.c.id)
            ).all()
        return [{"at": r.at, "state": r.state, **orjson.loads(self.cipher.decrypt(r.text_enc))} for r in rows]

    def sessions_by_risk(self, limit: int = 200) -> list[SessionInfo]:
        with self.db.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(
                select(
                    sessions.c.user_key,
                    sessions.c.channel,
                    sessions.c.state,
                    sessions.c.stage,
                    sessions.c.risk,
                    sessions.c.human,
                    sessions.c.created_at,
                    sessions.c.last_activity_at,
                )
                .order_by(
                    sessions.c.risk.desc(),
                    sessions.c.human.desc(),
                    sessions.c.last_activity_at.desc(),
                )
                .limit(limit)
            ).all()
        return [SessionInfo(*row) for row in rows]

    def count_sessions(self) -> int:
        with self.db.connect().execution_options(**READ_ONLY) as conn:
            return int(conn.execute(select(func.count()).select_from(sessions)).scalar_one())

    def pending_outbox(self, channel: str, limit: int = 100) -> list[tuple[int, str, Outbound]]:
        with self.db.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(
                select(outbox.c.id, sessions.c.user_key, outbox.c.payload_enc)
                .join(sessions, sessions.c.id == outbox.c.session_id)
                .where(outbox.c.channel == channel, outbox.c.sent_at.is_(None))
                .order_by(outbox.c.id)
                .limit(limit)
            ).all()
        return [(r.id, r.user_key, outbound_from_json(self.cipher.decrypt(r.payload_enc))) for r in rows]

    def outbox_backlog(self, channel: str) -> int:
        """Replies of `channel` committed and not yet sent (including those given up on)."""
        with self.db.connect().execution_options(**READ_ONLY) as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(outbox)
                    .where(outbox.c.channel == channel, outbox.c.sent_at.is_(None))
                ).scalar_one()
            )

    def renew_leases(self, outbox_ids: list[int], until: float) -> Future[Any]:
        return self.worker.submit(
            lambda conn: conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(outbox_ids), outbox.c.sent_at.is_(None))
                .values(claimed_until=until)
            ),
            key=OUTBOX_JOBS,
        )

    def close(self) -> None:
        self.worker.close()
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.db.dispose()


__all__ = ["SessionInfo", "Store", "session_from_row"]
