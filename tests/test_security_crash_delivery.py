"""PostgreSQL, `weiquan serve --workers 2`, one worker SIGKILLed mid-load (30 users x 20 turns):
no reply goes out twice or out of turn order, and every reply goes out except, per user, at most
the one next in line for delivery when the worker died (a reply is marked sent when a worker takes
it for sending, so a crash during its send loses that send rather than repeating it:
bot/store/delivery_lease.py). Measured and printed.

The driver behaves like Telegram: each user's updates are sent one after another, an update is
resent until it gets a 2xx (a killed worker's connections fail), users run concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from fakes.telegram_api import TOKEN, FakeBotAPI, running_fake
from fakes.telegram_harness import SECRET
from fakes.telegram_payloads import TelegramUser
from serving import DATA_KEY, children, serve_env, serving
from store_backends import migrated, unsent

from bot.config import Secret, Settings
from bot.service import Service

pytestmark = pytest.mark.postgres

USERS, TURNS = 30, 20
TEXTS = ["/help", "/back", "zzz", "/summary", "/back", "1", "/restart", "/start"]


async def drive(url: str, users: list[TelegramUser], progress: list[int]) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

    async def one_user(client: httpx.AsyncClient, user: TelegramUser) -> None:
        for n in range(TURNS):
            update = user.text("/start" if n == 0 else TEXTS[n % len(TEXTS)])
            while True:  # Telegram resends until it gets a 2xx
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.post(f"{url}/telegram/webhook", json=update, headers=headers)
                    if response.status_code == 200:
                        break
                await asyncio.sleep(0.2)
            progress[0] += 1

    limits = httpx.Limits(max_connections=2 * USERS, max_keepalive_connections=0)  # both workers
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(one_user(client, user) for user in users))


def _in_order(sent: list[str], expected: list[str]) -> bool:
    """`sent` is `expected` with some replies left out, in the same order."""
    remaining = iter(expected)
    return all(any(text == want for want in remaining) for text in sent)


def tally(
    settings: Settings, fake: FakeBotAPI, users: list[TelegramUser], at_kill: dict[int, list[str]]
) -> dict[str, int]:
    lost = doubled = disordered = lost_elsewhere = 0
    service = Service.open(settings)
    try:
        for user in users:
            expected = [t["out"] for t in service.store.transcript(f"telegram:{user.id}")]
            assert len(expected) == TURNS, f"user {user.id}: {len(expected)} turns committed"
            sent = fake.sent_texts(user.id)
            # the reply next in line for this user when the worker died: delivery is in order and
            # lags behind the turns (Telegram's send rate), so it may be several turns back
            in_hand = {len([t for t in at_kill.get(user.id, []) if t in expected])}
            for text in set(expected):
                want, got = expected.count(text), sent.count(text)
                lost += max(0, want - got)
                doubled += max(0, got - want)
                if want > got and not in_hand & {i for i, t in enumerate(expected) if t == text}:
                    lost_elsewhere += want - got
            if not _in_order([t for t in sent if t in expected], expected):
                disordered += 1
            if sent != expected:  # what went wrong, for the report
                print(f"user {user.id}: sent {[expected.index(t) if t in expected else t for t in sent]}")
    finally:
        service.close()
    return {
        "lost": lost,
        "lost_away_from_the_kill": lost_elsewhere,
        "doubled": doubled,
        "out_of_order_users": disordered,
    }


@pytest.mark.slow
async def test_a_killed_worker_loses_doubles_and_reorders_nothing(
    pg_url: str, tmp_settings: Settings, tmp_path: Path
) -> None:
    url = migrated(pg_url)
    settings = dataclasses.replace(tmp_settings, database_url=url, data_key=Secret(DATA_KEY))
    users = [TelegramUser(660_000 + n) for n in range(USERS)]
    with running_fake() as (fake, api_base):
        env = serve_env(
            tmp_path,
            WEIQUAN_DATABASE_URL=url,
            WEIQUAN_TELEGRAM_TOKEN=TOKEN,
            WEIQUAN_TELEGRAM_WEBHOOK_SECRET=SECRET,
            WEIQUAN_TELEGRAM_API_BASE=api_base,
        )
        with serving(tmp_path, env, "--workers", "2") as (base, process):
            workers = children(process.pid)
            assert len(workers) >= 2, workers
            progress = [0]
            load = asyncio.ensure_future(drive(base, users, progress))
            while progress[0] < USERS * TURNS // 3:  # a third of the way in: kill one worker
                assert not load.done()
                await asyncio.sleep(0.01)
            os.kill(workers[0], signal.SIGKILL)
            killed_at = progress[0]
            at_kill = {user.id: fake.sent_texts(user.id) for user in users}  # delivered so far
            started = time.monotonic()
            await load
            load_seconds = time.monotonic() - started
            deadline = time.monotonic() + 120  # Bot API rate limits: 30 messages/s per worker
            while len(fake.sent_texts()) < USERS * TURNS and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)  # anything sent twice would show up by now
            seconds = time.monotonic() - started
    counts = tally(settings, fake, users, at_kill)
    counts_unsent = unsent(url)
    print(
        f"\nkilled a worker after {killed_at} of {USERS * TURNS} turns; the rest answered in "
        f"{load_seconds:.1f}s, waited {seconds:.1f}s after the kill; {counts}; "
        f"still unsent in the outbox: {counts_unsent}"
    )
    assert counts["lost_away_from_the_kill"] == 0 and counts["lost"] <= USERS, counts
    assert counts["doubled"] == 0 and counts["out_of_order_users"] == 0, counts
