"""The store thread: takes turns from a queue and commits concurrent ones together.

Group commit: every job waiting when the thread wakes is run in one transaction, so N
concurrent turns cost one fsync. Jobs run in arrival order, so one user's messages keep their
order. Replies are handed back only after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from bot.errors import ConflictError, StoreError

log = logging.getLogger("weiquan.store")

Job = Callable[[Connection], Any]
MAX_BATCH = 128
MAX_RETRIES = 8
# PostgreSQL errors that mean "another worker got there first; run the job again":
# deadlock_detected, serialization_failure, and unique_violation (two workers creating the same
# session, or recording the same inbound message id): the retry sees the winner's row.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001", "23505", "55P03"})  # 55P03: lock_timeout
LOCK_WAIT_MS = 200


def _retryable(exc: Exception) -> bool:
    """The hot path runs on the DB-API cursor, so driver errors arrive unwrapped too."""
    if isinstance(exc, ConflictError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return False
        exc = exc.orig if isinstance(exc.orig, Exception) else exc
    return getattr(exc, "sqlstate", None) in _RETRYABLE_SQLSTATES


@dataclass(slots=True)
class _Item:
    job: Job
    future: Future[Any] | asyncio.Future[Any] = field(default_factory=Future)


def _settle(outcomes: list[tuple[_Item, bool, Any]]) -> None:
    for item, ok, value in outcomes:
        if item.future.done():  # an awaiting task was cancelled
            continue
        if ok:
            item.future.set_result(value)
        else:
            item.future.set_exception(value)


def _hand_back(outcomes: list[tuple[_Item, bool, Any]]) -> None:
    """Settle futures: plain ones here, asyncio ones on their loop (one wake-up per loop)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Item, bool, Any]]] = defaultdict(list)
    plain = []
    for outcome in outcomes:
        future = outcome[0].future
        if isinstance(future, asyncio.Future):
            by_loop[future.get_loop()].append(outcome)
        else:
            plain.append(outcome)
    _settle(plain)
    for loop, settled in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, settled)


def _settle_all(items: list[_Item], error: Exception) -> None:
    _hand_back([(item, False, error) for item in items])


class StoreWorker:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._nested = engine.dialect.name != "sqlite"  # SQLite holds the write lock: no races
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="weiquan-store", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Future[Any]:
        return self._put(_Item(job))  # type: ignore[return-value]

    def submit_async(self, job: Job) -> asyncio.Future[Any]:
        """Like submit, for a coroutine: the whole batch wakes its event loop once."""
        return self._put(_Item(job, asyncio.get_running_loop().create_future()))  # type: ignore[return-value]

    def _put(self, item: _Item) -> Future[Any] | asyncio.Future[Any]:
        if self._closed:
            raise StoreError("the store is closed")
        self._queue.put(item)
        return item.future

    def close(self) -> None:
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        conn: Connection | None = None
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                batch = [first]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
                conn = self._commit_on(conn, batch)
                if stop:
                    return
        finally:
            if conn is not None:
                conn.close()
            self._fail_leftovers()

    def _commit_on(self, conn: Connection | None, batch: list[_Item]) -> Connection | None:
        """Commit on the thread's connection, (re)opening it as needed: a database restart or a
        dropped connection fails the batches in flight, never the thread."""
        if conn is None or conn.invalidated:
            if conn is not None:
                conn.close()
            try:
                conn = self._engine.connect()
            except Exception as exc:
                log.error("store cannot connect: %s", type(exc).__name__)
                _settle_all(batch, StoreError("the database is unavailable"))
                return None
        self._commit(conn, batch)
        return conn

    def _fail_leftovers(self) -> None:
        """Jobs that raced close() get an error instead of waiting forever."""
        leftovers = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                leftovers.append(item)
        _settle_all(leftovers, StoreError("the store is closed"))

    def _commit(self, conn: Connection, batch: list[_Item]) -> None:
        todo = batch
        while todo:
            current = todo
            try:
                with conn.begin():
                    outcomes, todo = self._run_jobs(conn, current)
            except Exception as exc:
                if len(current) > 1:
                    for item in current:
                        self._commit(conn, [item])
                    return
                reason = type(exc.orig if isinstance(exc, DBAPIError) else exc).__name__
                log.error("store job failed: %s", reason)
                error = exc if isinstance(exc, StoreError) else StoreError("the database is unavailable")
                outcomes, todo = [(current[0], False, error)], []
            _hand_back(outcomes)

    def _run_jobs(
        self, conn: Connection, items: list[_Item]
    ) -> tuple[list[tuple[_Item, bool, Any]], list[_Item]]:
        """Run jobs in order; stop early when one collides with another worker (PostgreSQL).

        The jobs before it are committed first, so this transaction's row locks are released
        before the job is retried: two workers whose batches lock the same users in different
        orders would otherwise deadlock again on every retry.
        """
        outcomes: list[tuple[_Item, bool, Any]] = []
        for index, item in enumerate(items):
            if index == 1 and self._nested:
                # Holding the first job's locks now: wait briefly for another worker's rows, then
                # yield (commit, retry), instead of waiting for PostgreSQL's 1 s deadlock check.
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
            ran = self._run(conn, item.job, alone=index == 0)
            if ran is None:
                return outcomes, items[index:]
            outcomes.append((item, *ran))
        return outcomes, []

    def _run(self, conn: Connection, job: Job, alone: bool) -> tuple[bool, Any] | None:
        """Run one job; with savepoints (PostgreSQL) a conflict reloads and retries the turn.

        None: it collided while earlier jobs of the transaction hold locks; commit them first.
        SQLite needs no retry: BEGIN IMMEDIATE holds the one write lock for the whole batch, so no
        other process can change a session between our read and our write.
        """
        if not self._nested:
            return True, job(conn)  # errors roll back the batch, which is then retried one by one
        for _attempt in range(MAX_RETRIES):
            savepoint = conn.begin_nested()
            try:
                value = job(conn)
            except Exception as exc:
                savepoint.rollback()
                if not _retryable(exc):
                    return False, exc
                if not alone:
                    return None
                continue
            savepoint.commit()
            return True, value
        log.warning("store job gave up after %d conflicts", MAX_RETRIES)
        return False, StoreError("too many concurrent changes, please try again")
