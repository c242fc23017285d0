"""The store thread survives what happens to a database: closed stores, dropped connections."""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, text
from store_backends import backend_settings, engine, migrated  # noqa: F401 - fixtures

from bot.config import Settings
from bot.engine.engine import Engine
from bot.errors import StoreError
from bot.service import Service
from bot.store.db import open_engine
from bot.store.writers import StoreWorker
from bot.types import Inbound


async def test_a_turn_after_close_fails_at_once(backend_settings: Settings, engine: Engine) -> None:
    service = Service.open(backend_settings, engine=engine)
    await service.handle(Inbound("telegram:1", text="/start", message_id="c1"))
    service.close()
    with pytest.raises(StoreError):
        await service.handle(Inbound("telegram:1", text="/help", message_id="c2"))
    with pytest.raises(StoreError):
        service.handle_sync(Inbound("telegram:1", text="/help", message_id="c3"))


@pytest.mark.postgres
async def test_postgres_connection_dropped_under_the_store_thread(
    pg_url: str, tmp_settings: Settings, engine: Engine
) -> None:
    settings = dataclasses.replace(tmp_settings, database_url=migrated(pg_url))
    service = Service.open(settings, engine=engine)
    try:
        await service.handle(Inbound("telegram:1", text="/start", message_id="d1"))
        with service.store.db.connect() as conn:  # as a DBA's restart or a failover would
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        assert killed >= 1
        outcomes = []
        for n in range(2, 5):
            try:
                result = await service.handle(Inbound("telegram:1", text="/help", message_id=f"d{n}"))
                outcomes.append(result.outbound.stage)
            except StoreError:
                outcomes.append("error")  # nothing committed: the platform resends it
        assert outcomes.count("error") <= 1 and outcomes[-1] == "help"
        session = service.session("telegram:1")
        assert session is not None and session.version == 1 + outcomes.count("help")
    finally:
        service.close()


@pytest.mark.postgres
def test_a_serving_worker_opens_its_read_connections_up_front(
    tmp_settings: Settings, pg_url: str, engine: Engine
) -> None:
    settings = dataclasses.replace(tmp_settings, database_url=migrated(pg_url))
    service = Service.open(settings, engine=engine)
    try:
        pool = service.store.db.pool
        service.store.open_read_connections(2)
        opened = pool.checkedin()  # type: ignore[attr-defined]
        assert opened >= service.store.worker.lanes + 2  # the store threads' and two for reads
        jobs = [  # at once, so every store thread gets some and takes its connection
            service.store.submit(lambda conn: conn.exec_driver_sql("SELECT 1"))
            for _ in range(3 * service.store.worker.lanes)
        ]
        assert all(job.result(10) is not None for job in jobs)
        assert service.session("telegram:1") is None  # and a read takes one: none is opened
        assert pool.checkedin() + pool.checkedout() == opened  # type: ignore[attr-defined]
    finally:
        service.close()


@pytest.mark.postgres
def test_a_users_jobs_stay_on_one_lane_and_new_users_go_to_idle_lanes(pg_url: str) -> None:
    db = open_engine(pg_url, writers=4)
    worker = StoreWorker(db, lanes=4)
    try:
        started, release = threading.Event(), threading.Event()
        ran: list[tuple[str, str]] = []  # (job, store thread) in the order they ran

        def job(name: str, wait: bool = False) -> Callable[[Connection], str]:
            def run(conn: Connection) -> str:
                ran.append((name, threading.current_thread().name))
                if wait:
                    started.set()
                    release.wait(10)
                return name

            return run

        busy = worker.submit(job("amy-1", wait=True), "amy")
        assert started.wait(10)
        amy_later = worker.submit(job("amy-2"), "amy")  # queued behind amy's first job
        others = [worker.submit(job(user), user) for user in ("bo", "cy", "di")]
        assert [f.result(10) for f in others] == ["bo", "cy", "di"]
        lanes = dict(ran)
        assert len({lanes["amy-1"], lanes["bo"], lanes["cy"], lanes["di"]}) == 4  # each an idle lane
        assert not amy_later.done()  # amy's second job waits for her first one
        release.set()
        assert (busy.result(10), amy_later.result(10)) == ("amy-1", "amy-2")
        assert dict(ran)["amy-2"] == lanes["amy-1"]
    finally:
        worker.close()
        db.dispose()
