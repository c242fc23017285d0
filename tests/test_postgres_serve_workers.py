"""`weiquan serve` with several worker processes on one PostgreSQL database: no lost or doubled turn.

Real processes, real HTTP on loopback, the fake Bot API in this process. Every update is posted
twice at once (Telegram retrying while the first attempt is still running), so two workers race
on the same user and the same update id; different users are all in flight together.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fakes.telegram_api import TOKEN, FakeBotAPI, running_fake
from fakes.telegram_harness import SECRET
from fakes.telegram_payloads import TelegramUser
from store_backends import engine, migrated, unsent  # noqa: F401 - fixture

from bot.config import Secret, Settings
from bot.engine.engine import Engine
from bot.service import Service

pytestmark = pytest.mark.postgres

USERS, MESSAGES = 12, 8
DATA_KEY, CONSOLE_SECRET = "serve-test-key-0123456789abcdefghijklm", "serve-test-console-0123456789abcdefghij"
TEXTS = ["/help", "/back", "zzz", "/summary", "/back", "3", "/restart"]


def free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextlib.contextmanager
def serving(url: str, api_base: str, tmp: Path, ports: list[int], workers: int) -> Iterator[None]:
    env = {
        **os.environ,
        "WEIQUAN_DATA_DIR": str(tmp),
        "WEIQUAN_DATABASE_URL": url,
        "WEIQUAN_DATA_KEY": DATA_KEY,
        "WEIQUAN_TELEGRAM_TOKEN": TOKEN,
        "WEIQUAN_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "WEIQUAN_TELEGRAM_API_BASE": api_base,
        "WEIQUAN_CONSOLE_SECRET": CONSOLE_SECRET,
        "WEIQUAN_LOG_LEVEL": "WARNING",
    }
    log = (tmp / "serve.log").open("wb")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (tmp / "serve.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "weiquan serve did not start"
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                time.sleep(0.1)
        yield
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
        log.close()


async def drive(urls: list[str]) -> list[TelegramUser]:
    users = [TelegramUser(880_000 + n) for n in range(USERS)]

    async def one_user(client: httpx.AsyncClient, user: TelegramUser) -> None:
        for n in range(MESSAGES):
            update = user.text("/start" if n == 0 else TEXTS[n % len(TEXTS)])
            posts = [
                client.post(
                    f"{urls[i % len(urls)]}/telegram/webhook",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                for i in range(2)
            ]
            for response in await asyncio.gather(*posts):
                assert response.status_code == 200

    limits = httpx.Limits(max_connections=4 * USERS, max_keepalive_connections=0)  # spread over workers
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(one_user(client, user) for user in users))
    return users


def check(settings: Settings, engine: Engine, fake: FakeBotAPI, users: list[TelegramUser]) -> None:
    service = Service.open(settings, engine=engine)
    try:
        for user in users:
            key = f"telegram:{user.id}"
            turns = service.store.transcript(key)
            expected = ["/start"] + [TEXTS[n % len(TEXTS)] for n in range(1, MESSAGES)]
            assert [t["in"] for t in turns] == expected, key  # each update once, in order
            # answered exactly once each and in turn order, even when the next update was taken
            # by the other worker (the adapter waits for earlier replies before sending).
            assert fake.sent_texts(user.id) == [t["out"] for t in turns], key
            session = service.session(key)
            assert session is not None and session.version == MESSAGES
    finally:
        service.close()


@pytest.mark.parametrize("layout", ["two_serve_processes", "uvicorn_workers_2"])
async def test_workers_never_lose_or_double_a_turn(
    layout: str, pg_url: str, tmp_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    import dataclasses

    url = migrated(pg_url)
    settings = dataclasses.replace(tmp_settings, database_url=url, data_key=Secret(DATA_KEY))
    ports = free_ports(2 if layout == "two_serve_processes" else 1)
    workers = 1 if layout == "two_serve_processes" else 2
    with running_fake() as (fake, api_base), serving(url, api_base, tmp_path, ports, workers):
        started = time.perf_counter()
        users = await drive([f"http://127.0.0.1:{p}" for p in ports])
        seconds = time.perf_counter() - started
        print(f"\n{layout}: {USERS * MESSAGES} updates x2 deliveries in {seconds:.2f}s")
        deadline = time.monotonic() + 60
        while unsent(url):  # replies go out after the webhook's answer: let them finish
            assert time.monotonic() < deadline, "replies were never delivered"
            await asyncio.sleep(0.05)
    check(settings, engine, fake, users)
    assert fake.refused() == []
