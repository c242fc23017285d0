"""`weiquan bench`: realistic conversations through the engine and the real store.

Prints one JSON line: the project's durable turns per second and latency, the raw-sqlite3
floor for the same turn measured in the same run, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.benchmarks import pg_floor
from bot.benchmarks.conversation import SCRIPT, message, passed_through, raw_sqlite_floor
from bot.config import Settings
from bot.engine.engine import Engine
from bot.safety import cost as safety_cost
from bot.service import Service
from bot.store.codec import encode_session_data
from bot.store.db import open_engine, upgrade
from bot.store.schema import sessions
from bot.store.turns import TurnUnit
from bot.types import Inbound, Message, Outbound


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


Send = Callable[[Inbound], Awaitable[object]]


async def _drive(
    send: Send, users: int, turns: int, clients: int, channel: str = "bench"
) -> tuple[list[float], float]:
    """Each client takes conversations from the queue, one after another; returns each timed
    turn's latency and the seconds they took. The conversations in flight are spread over the
    script, as real ones are: client i's first conversation has had i/clients of its turns
    before the clock starts. (In step, all clients would ask for their summary, the costliest
    screen, in the same instant, and the slowest turns would be that queue, not the service.)"""
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for user in range(users):
        queue.put_nowait(user)
    waiting = clients
    spread = asyncio.Event()

    async def converse(user: int, first: int, last: int, timed: bool) -> None:
        for turn in range(first, last):
            started = time.perf_counter()
            await send(Inbound(f"{channel}:{user}", message(turn, user)))
            if timed:
                latencies.append(time.perf_counter() - started)

    async def client(index: int) -> None:
        nonlocal waiting
        user = queue.get_nowait()
        head = index * turns // clients
        await converse(user, 0, head, timed=False)
        waiting -= 1
        if waiting == 0:
            spread.set()
        await spread.wait()
        await converse(user, head, turns, timed=True)
        while not queue.empty():
            await converse(queue.get_nowait(), 0, turns, timed=True)

    async def timed() -> float:
        await spread.wait()
        return time.perf_counter()

    clock = asyncio.ensure_future(timed())
    await asyncio.gather(*(client(index) for index in range(clients)))
    return latencies, time.perf_counter() - await clock


@dataclass(slots=True)
class _StoreOnly:
    """A step with no dialogue at all: the session is saved with a fixed reply. Driven like the
    real turns, it measures the store's unit of work and the plumbing around it (futures, group
    commit, encryption), the ceiling any dialogue is measured under."""

    engine: Engine
    reply: Outbound

    def __call__(self, unit: TurnUnit) -> Outbound:
        session = unit.session or self.engine.new_session(unit.inbound.user_key, None, unit.now)
        session.last_activity_at = unit.now
        unit.save(session, self.reply)
        return self.reply


def store_only(service: Service, users: int, turns: int, clients: int) -> float:
    """Turns per second of the store's unit of work alone (same users, turns and concurrency)."""
    reply = Outbound((Message("谢谢你，这些都记下了。" * 8),), "h_done", "harassment", "zh_CN")
    step = _StoreOnly(service.engine, reply)
    store, clock = service.store, service.clock

    async def send(inbound: Inbound) -> object:
        return await store.submit_turn_async(inbound, clock, step)

    latencies, elapsed = asyncio.run(_drive(send, users, turns, clients, "storeonly"))
    return len(latencies) / elapsed


def engine_cost(engine: Engine, users: int = 50) -> float:
    """µs per turn of the dialogue itself (safety scan, engine step) over the bench conversation,
    on sessions in memory: the share of a turn that is not the store's."""
    sessions = [engine.new_session(f"bench:{user}", None, 1.0) for user in range(users)]
    started = time.perf_counter()
    for turn in range(len(SCRIPT)):
        for user, session in enumerate(sessions):
            text = message(turn, user)
            engine.step(session, Inbound(session.user_key, text), 1000.0 + turn, engine.safety.scan(text))
    return (time.perf_counter() - started) / (users * len(SCRIPT)) * 1e6


def preload(service: Service, count: int) -> None:
    """`count` idle sessions already stored (each with a real encrypted blob), to show that a
    turn's cost does not grow with the number of stored conversations."""
    template = service.engine.new_session("bench:template", None, 1.0)
    template.answers.update({"contacted": ["me", "family"], "methods": ["calls", "sms"]})
    template.history.extend(["welcome", "h_contacted", "h_methods"])
    blob = encode_session_data(service.store.cipher, template)
    rows = (
        {
            "user_key": f"idle:{n}",
            "channel": "idle",
            "state": "h_frequency",
            "stage": "harassment",
            "lang": "zh_CN",
            "version": 3,
            "risk": 1,
            "human": False,
            "data_enc": blob,
            "created_at": 1.0,
            "last_activity_at": 1.0,
        }
        for n in range(count)
    )
    with service.store.db.begin() as conn:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 10_000:
                conn.execute(insert(sessions), batch)
                batch = []
        if batch:
            conn.execute(insert(sessions), batch)


FAQ_TEXT = (
    ("zh_CN", "法律规定银行必须给我停息挂账，对吧？"),
    ("zh_CN", "他们会打给我家人吗"),
    ("zh_CN", "你好"),
    ("en", "can they call my boss"),
    ("en", "will i go to jail"),
    ("en", "ok"),
)


def faq_cost(engine: Engine, rounds: int = 50) -> float:
    """µs for reading one free-text message that fits no option (the only turns that reach the
    FAQ matcher): language check, amount/date check, classifier."""
    started = time.perf_counter()
    for _ in range(rounds):
        for lang, text in FAQ_TEXT:
            engine.understanding.read(lang, text)
    return (time.perf_counter() - started) / (rounds * len(FAQ_TEXT)) * 1e6


@contextmanager
def _database(database_url: str | None) -> Iterator[str | None]:
    """None: the embedded SQLite file. A PostgreSQL URL: a migrated throwaway schema on it."""
    if database_url is None:
        yield None
        return
    with pg_floor.scratch_schema(database_url) as schema:
        url = pg_floor.in_schema(database_url, schema)
        db = open_engine(url)
        try:
            upgrade(db)
        finally:
            db.dispose()
        yield url


def _pg_bytes(url: str) -> int:
    with psycopg.connect(pg_floor.conninfo(url)) as db:
        row = db.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
        ).fetchone()
    return int(row[0] or 0) if row else 0


def run(
    users: int,
    turns: int,
    clients: int = 64,
    peer: bool = True,
    stored: int = 0,
    database_url: str | None = None,
) -> dict[str, Any]:
    # On PostgreSQL the turn is a Telegram one (its reply goes to the outbox), as in the floor.
    channel = "bench" if database_url is None else "telegram"
    with tempfile.TemporaryDirectory(prefix="weiquan-bench-") as tmp, _database(database_url) as url:
        environ = {"WEIQUAN_DATA_DIR": tmp, "WEIQUAN_DATA_KEY": "bench-key", "HOME": tmp}
        if url is not None:
            environ["WEIQUAN_DATABASE_URL"] = url
        environ.update(passed_through())
        service = Service.open(Settings.load(environ))
        if stored:
            preload(service, stored)
        gc.collect()
        gc.freeze()  # as `weiquan serve` does once started
        latencies, elapsed = asyncio.run(_drive(service.handle, users, turns, min(clients, users), channel))
        engine_us = engine_cost(service.engine)
        faq_us = faq_cost(service.engine)
        session_count = service.store.count_sessions()
        conversation = [message(turn, 0) for turn in range(len(SCRIPT))]  # as the users typed it
        safety_turn_us = safety_cost.scan_cost_us(service.engine.safety, conversation)
        safety_text_us = safety_cost.scan_cost_us(service.engine.safety, safety_cost.FREE_TEXT)
        service.store.forget_erased_pages()
        service.close()
        if url is None:
            db_bytes = sum(p.stat().st_size for p in Path(tmp).glob("weiquan.sqlite*"))
        else:
            db_bytes = _pg_bytes(url)
        bare = Service.open(Settings.load({**environ, "WEIQUAN_DATA_DIR": str(Path(tmp) / "store-only")}))
        try:
            store_only_rate = store_only(bare, users, turns, min(clients, users))
        finally:
            bare.close()
        floors: dict[int, float] = {}
        if url is None:
            floor = raw_sqlite_floor(Path(tmp) / "floor.sqlite", min(users, 1000), max(1, turns // 2))
        else:
            floors = pg_floor.floor(url, min(users, 1000), max(1, turns // 4))
            floor = max(floors.values())
    project = len(latencies) / elapsed
    result: dict[str, Any] = {
        "database": "sqlite" if url is None else "postgresql",
        "users": users,
        "turns": users * turns,
        "timed_turns": len(latencies),  # the rest spread the conversations over the script
        "clients": min(clients, users),
        "turns_per_s": round(project, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 3),
        "sessions": session_count,
        "db_bytes_per_session": round(db_bytes / max(session_count, 1)),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "floor_turns_per_s": round(floor, 1),
        "ratio": round(project / floor, 3),
        # the same turns with no dialogue (the store's unit of work alone), and the dialogue's
        # own CPU per turn: where a turn's time goes
        "store_only_turns_per_s": round(store_only_rate, 1),
        "store_only_ratio": round(store_only_rate / floor, 3),
        "engine_us_per_turn": round(engine_us, 1),
        # the safety detector's share of a turn: over this script, and over typed free text
        "safety_us_per_turn": safety_turn_us,
        "safety_us_per_free_text": safety_text_us,
        "faq_us_per_turn": round(faq_us, 1),
        **{f"floor_{count}conn_turns_per_s": round(rate, 1) for count, rate in floors.items()},
    }
    if peer:
        result.update(_peer(users))
    return result


def _peer(users: int) -> dict[str, Any]:
    """python-telegram-bot's ConversationHandler, in the same run (bench/ptb_peer.py)."""
    try:
        from bench import ptb_peer
    except ImportError:
        print("peer figures need a checkout: make bench (bench/ptb_peer.py)", file=sys.stderr)
        return {}
    replying = ptb_peer.run(users=users, turns=4, persistence=False, replies=True)
    bare = ptb_peer.run(users=users, turns=4, persistence=False)
    pickled = ptb_peer.run(users=min(users, 1000), turns=2, persistence=True, replies=True)
    return {
        # No persistence; each update answered with the next question and buttons, as ours are.
        "peer_ptb_updates_per_s": round(replying["updates_per_s"], 1),
        # No persistence and no reply at all: the handler only records the answer in memory.
        "peer_ptb_bare_updates_per_s": round(bare["updates_per_s"], 1),
        # PicklePersistence saved after every update: durable per turn, like every weiquan turn.
        "peer_ptb_pickle_updates_per_s": round(pickled["updates_per_s"], 1),
    }


def _emit(line: dict[str, Any]) -> None:
    print(orjson.dumps(line).decode(), flush=True)


def _problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line, in words, or None."""
    for name in ("users", "turns", "clients", "workers", "duration", "every"):
        value = getattr(args, name, None)
        if value is not None and value <= 0:
            return f"--{name} must be more than 0"
    if args.webhook is not None and args.webhook <= 0:
        return "--webhook RATE must be more than 0"
    if args.database_url is not None:
        try:
            backend = make_url(args.database_url).get_backend_name()
        except ArgumentError:
            return "--database-url is not a database URL (postgresql://user@host/db)"
        if backend != "postgresql":
            return "--database-url must be a PostgreSQL URL (postgresql://user@host/db)"
    return None


def main(args: argparse.Namespace) -> int:
    problem = _problem(args)
    if problem is not None:
        print(f"weiquan bench: {problem}", file=sys.stderr)
        return 2
    args.turns = args.turns or len(SCRIPT)
    # Stopped with SIGTERM (a timeout, kill), unwind like Ctrl-C: the servers, fake Bot API and
    # scratch schemas this run started are stopped and dropped instead of left running.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.webhook is not None or args.workers is not None:
        from bot.benchmarks import webhook

        workers = args.workers or 1
        if args.webhook is None:
            _emit(webhook.run_conversations(args.users, args.turns, args.clients, workers, args.database_url))
            return 0
        every = args.every or max(1.0, args.duration / 10)
        _emit(
            webhook.run_arrivals(
                args.webhook,
                args.duration,
                args.clients,
                args.users,
                workers,
                args.database_url,
                every,
                _emit,
            )
        )
        return 0
    _emit(run(args.users, args.turns, args.clients, stored=args.stored, database_url=args.database_url))
    return 0
