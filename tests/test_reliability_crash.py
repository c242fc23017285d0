"""Processes die and run side by side; no turn is lost or doubled, on SQLite and PostgreSQL.

Each child process is a small channel around Service: it sends every user's messages in order,
one round at a time, the way a platform delivers updates until they are acknowledged. A killed
child is simply started again with the same messages (the platform redelivers everything it
has no answer for); duplicates must be recognised, so every user's transcript must come out as
exactly the messages sent, once each, in order.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from store_backends import backend_settings, engine, unsent  # noqa: F401 - fixtures

from bot.config import Settings
from bot.engine.engine import Engine
from bot.service import Service
from bot.store.db import open_engine
from bot.store.schema import inbound_log, turns
from bot.store.turns import OUTBOX_LEASE_SECONDS

USERS, ROUNDS = 30, 60

CHILD = """
import asyncio, sys, time
from bot.config import Settings
from bot.service import Service
from bot.types import Inbound

users, rounds, pause = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
offset, deliveries = float(sys.argv[4]), open(sys.argv[5], "a", buffering=1)

async def send(user_key, outbound):  # the "platform": one line per delivered reply
    deliveries.write(f"resend {user_key}\\n")
    return True

async def turn(service, u, r):
    result = await service.handle(Inbound(f"telegram:{u}", text=f"m{r}", message_id=f"{u}:{r}"))
    if not result.duplicate:  # like the channels: a redelivered update is not answered again
        deliveries.write(f"turn telegram:{u}\\n")
        await service.mark_sent(result.outbox_id)

async def main() -> None:
    service = Service.open(Settings.load(), clock=lambda: time.time() + offset)
    await service.resend_pending("telegram", send, limit=10_000)  # what a crash left unsent
    for r in range(rounds):
        await asyncio.gather(*(turn(service, u, r) for u in range(users)))
        await asyncio.sleep(pause)
    service.close()
    print("done", flush=True)

asyncio.run(main())
"""


def child(settings: Settings, tmp: Path, pause: float, offset: float = 0) -> subprocess.Popen[str]:
    script = tmp / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {
        **os.environ,
        "WEIQUAN_DATA_DIR": str(settings.data_dir),
        "WEIQUAN_DATABASE_URL": settings.database_url,
        "WEIQUAN_DATA_KEY": settings.data_key.reveal(),
        "WEIQUAN_LOG_LEVEL": "WARNING",
    }
    argv = [str(USERS), str(ROUNDS), str(pause), str(offset), str(tmp / "deliveries.txt")]
    return subprocess.Popen(
        [sys.executable, str(script), *argv],
        env=env,
        cwd=tmp,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def count_turns(settings: Settings) -> int:
    db = open_engine(settings.database_url)
    try:
        with db.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(turns)).scalar_one())
    finally:
        db.dispose()


def assert_every_turn_once_in_order(settings: Settings, engine: Engine) -> None:
    service = Service.open(settings, engine=engine)
    try:
        expected = [f"m{r}" for r in range(ROUNDS)]
        for u in range(USERS):
            user = f"telegram:{u}"
            assert [t["in"] for t in service.store.transcript(user)] == expected, user
            session = service.session(user)
            assert session is not None and session.version == ROUNDS
        with service.store.db.connect() as conn:
            logged = conn.execute(select(func.count()).select_from(inbound_log)).scalar_one()
        assert logged == USERS * ROUNDS
    finally:
        service.close()


def finish(process: subprocess.Popen[str]) -> None:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out.strip() == "done"


def test_sigkill_in_the_middle_of_load_loses_and_doubles_nothing(
    backend_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    total = USERS * ROUNDS
    Service.open(backend_settings, engine=engine).close()  # create the SQLite file once
    first = child(backend_settings, tmp_path, pause=0.02)
    try:
        deadline = time.monotonic() + 120
        while count_turns(backend_settings) < total // 3:
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline, "the child made no progress"
            time.sleep(0.01)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    at_kill = count_turns(backend_settings)
    assert total // 3 <= at_kill < total  # it died with work left
    print(f"\nkilled after {at_kill} of {total} turns")

    at_the_kill = unsent(backend_settings.database_url)  # committed, never marked sent: cut off by the kill
    # restarted after the outbox lease: the unsent replies go out first, then every update is
    # redelivered (duplicates are recognised and not answered again)
    finish(child(backend_settings, tmp_path, pause=0, offset=OUTBOX_LEASE_SECONDS + 1))
    assert_every_turn_once_in_order(backend_settings, engine)

    lines = (tmp_path / "deliveries.txt").read_text(encoding="utf-8").splitlines()
    resent = sum(line.startswith("resend") for line in lines)
    print(f"unsent at the kill: {at_the_kill}, resent after restart: {resent}")
    assert resent == at_the_kill  # each unsent reply claimed and delivered once
    assert unsent(backend_settings.database_url) == 0  # nothing left behind
    delivered = {(line.split()[1]) for line in lines}
    assert delivered == {f"telegram:{u}" for u in range(USERS)}
    # at least once for every turn; twice only for replies delivered in the instant before the
    # kill and not yet marked sent (at most one round in flight)
    assert total <= len(lines) <= total + USERS


def test_two_worker_processes_on_the_same_users(
    backend_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    # Both receive every update for the same users (as two workers behind one webhook may, when
    # the platform retries): each turn must be stepped by exactly one of them.
    Service.open(backend_settings, engine=engine).close()  # create the SQLite file once
    started = time.perf_counter()
    workers = [child(backend_settings, tmp_path, pause=0) for _ in range(2)]
    try:
        for worker in workers:
            finish(worker)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    seconds = time.perf_counter() - started
    print(f"\ntwo workers: {USERS * ROUNDS} turns (x2 deliveries) in {seconds:.2f}s incl. start-up")
    assert_every_turn_once_in_order(backend_settings, engine)
