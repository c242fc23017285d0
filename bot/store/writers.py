"""The store threads: each takes jobs from its queue and commits concurrent ones together.

Group commit: every job waiting when a thread wakes is run in one transaction, so N concurrent
turns cost one fsync. SQLite has one writer, so one thread; PostgreSQL gets several threads, each
on its own connection, because a turn there is several network round trips and one connection
spends most of its time waiting for them (and the server flushes concurrent commits together).
A user's jobs go to the thread that still holds one of theirs and run in arrival order, so a
session's turns never run concurrently in a process and keep their order; a user with none in
flight goes to the least busy thread. Replies are handed back only after the commit.
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
from typing import Any, Protocol

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


class BatchReads(Protocol):
    """The reads each job of a batch would make first, made once for the whole batch: on
    PostgreSQL a statement is a round trip and some 50 µs of the driver's CPU, so N turns'
    session lookups become one statement. `reads` are what the jobs were submitted with."""

    def prepare(self, conn: Connection, reads: list[Any]) -> None: ...

    def forget(self, conn: Connection) -> None: ...


@dataclass(slots=True)
class _Item:
    job: Job
    future: Future[Any] | asyncio.Future[Any] = field(default_factory=Future)
    reads: Any = None  # what the job reads first (BatchReads), if anything
    key: str | None = None  # the user whose job it is (see _Router)


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


class _Lane:
    """One store thread with its own connection and queue."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        batch_reads: BatchReads | None,
        finished: Callable[[list[_Item]], None] | None = None,
    ) -> None:
        self._engine = engine
        self._batch_reads = batch_reads
        self._finished = finished  # told of each batch once it is committed (or failed)
        self._nested = engine.dialect.name != "sqlite"  # SQLite holds the write lock: no races
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def put(self, item: _Item) -> None:
        self._queue.put(item)

    def stop(self) -> None:
        self._queue.put(None)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout=timeout)

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
                if self._finished is not None:
                    self._finished(batch)
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
        if len(batch) == 1:
            self._commit_alone(conn, batch[0])
        else:
            self._commit_batch(conn, batch)
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

    def _commit_batch(self, conn: Connection, batch: list[_Item]) -> None:
        """All jobs in one transaction, with no savepoints: a savepoint per turn cost two more
        round trips on PostgreSQL, and conflicts are rare (a turn locks its session row first).
        If any job fails or collides with another worker, nothing of the batch is kept and each
        job runs again in a transaction of its own, where a conflict is retried and a failure is
        that job's alone. Committing nothing first also releases this batch's row locks, so two
        workers that locked the same users in different orders do not deadlock again."""
        try:
            with conn.begin():
                if self._nested:
                    # wait briefly for another worker's rows, then give up and split the batch,
                    # rather than waiting for PostgreSQL's 1 s deadlock check
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
                outcomes = self._run_batch(conn, batch)
        except Exception:
            for item in batch:
                self._commit_alone(conn, item)
            return
        _hand_back(outcomes)

    def _run_batch(self, conn: Connection, batch: list[_Item]) -> list[tuple[_Item, bool, Any]]:
        reads = [item.reads for item in batch if item.reads is not None]
        if self._batch_reads is None or len(reads) < 2:
            return [(item, True, item.job(conn)) for item in batch]
        self._batch_reads.prepare(conn, reads)
        try:
            return [(item, True, item.job(conn)) for item in batch]
        finally:
            self._batch_reads.forget(conn)

    def _commit_alone(self, conn: Connection, item: _Item) -> None:
        """One job in its own transaction; on PostgreSQL a conflict reloads and retries the turn.
        SQLite needs no retry: BEGIN IMMEDIATE holds the one write lock for the whole transaction,
        so no other process can change a session between our read and our write."""
        for _attempt in range(MAX_RETRIES if self._nested else 1):
            try:
                with conn.begin():
                    try:
                        value = item.job(conn)
                    except Exception as exc:
                        raise _JobFailed(exc) from exc
            except _JobFailed as failed:
                if self._nested and _retryable(failed.error):
                    continue
                _hand_back([(item, False, self._reported(failed.error))])
            except Exception as exc:  # BEGIN or COMMIT failed: the connection or the server
                if self._nested and _retryable(exc):
                    continue
                _hand_back([(item, False, self._reported(exc))])
            else:
                _hand_back([(item, True, value)])
            return
        log.warning("store job gave up after %d conflicts", MAX_RETRIES)
        _hand_back([(item, False, StoreError("too many concurrent changes, please try again"))])

    def _reported(self, exc: Exception) -> Exception:
        """A job's own error reaches its caller; a database error becomes a StoreError."""
        if isinstance(exc, StoreError):
            return exc
        if isinstance(exc, DBAPIError | self._driver_error):
            reason = type(exc.orig if isinstance(exc, DBAPIError) else exc).__name__
            log.error("store job failed: %s", reason)
            return StoreError("the database is unavailable")
        return exc


class _JobFailed(Exception):
    """Carries a job's own exception out of the transaction block (which rolls back)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(type(error).__name__)
        self.error = error


class _Router:
    """Which lane a job goes to. A user's job goes to the lane that still holds one of theirs, so
    their jobs run one after another in arrival order; a user with none in flight, and a job for
    no user, go to the lane with the fewest jobs queued or running. Hashing users to lanes left
    some lanes with half as many users again as others at 64 conversations in flight, and their
    users waited that much longer: the tail of the latency."""

    def __init__(self, lanes: int) -> None:
        self._lock = threading.Lock()
        self._load = [0] * lanes  # jobs queued or running, per lane
        self._held: dict[str, list[int]] = {}  # user key -> [their lane, their jobs in flight]

    def route(self, key: str | None) -> int:
        with self._lock:
            held = self._held.get(key) if key is not None else None
            if held is None:
                lane = min(range(len(self._load)), key=self._load.__getitem__)
                if key is not None:
                    self._held[key] = [lane, 1]
            else:
                lane = held[0]
                held[1] += 1
            self._load[lane] += 1
            return lane

    def done(self, lane: int, items: list[_Item]) -> None:
        with self._lock:
            self._load[lane] -= len(items)
            for item in items:
                if item.key is None:
                    continue
                held = self._held[item.key]
                held[1] -= 1
                if held[1] == 0:
                    del self._held[item.key]


class StoreWorker:
    """Routes jobs to lanes (_Router); SQLite has one."""

    def __init__(self, engine: Engine, lanes: int = 1, batch_reads: BatchReads | None = None) -> None:
        count = 1 if engine.dialect.name == "sqlite" else max(1, lanes)
        self._router = _Router(count) if count > 1 else None
        self._lanes = [
            _Lane(engine, f"weiquan-store-{n}", batch_reads, self._finished_on(n)) for n in range(count)
        ]
        self._closed = False

    def _finished_on(self, lane: int) -> Callable[[list[_Item]], None] | None:
        router = self._router
        return None if router is None else lambda items: router.done(lane, items)

    @property
    def lanes(self) -> int:
        return len(self._lanes)

    def submit(self, job: Job, key: str | None = None, reads: Any = None) -> Future[Any]:
        return self._put(_Item(job, reads=reads, key=key))  # type: ignore[return-value]

    def submit_async(self, job: Job, key: str | None = None, reads: Any = None) -> asyncio.Future[Any]:
        """Like submit, for a coroutine: the whole batch wakes its event loop once."""
        item = _Item(job, asyncio.get_running_loop().create_future(), reads, key)
        return self._put(item)  # type: ignore[return-value]

    def _put(self, item: _Item) -> Future[Any] | asyncio.Future[Any]:
        if self._closed:
            raise StoreError("the store is closed")
        lane = 0 if self._router is None else self._router.route(item.key)
        self._lanes[lane].put(item)
        return item.future

    def close(self) -> None:
        self._closed = True
        for lane in self._lanes:
            lane.stop()
        for lane in self._lanes:
            lane.join(timeout=30)
