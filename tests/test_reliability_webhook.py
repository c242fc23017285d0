"""40 concurrent updates for one chat and 40 for different chats through POST /telegram/webhook.

Real HTTP on loopback into uvicorn, the fake Bot API on loopback, the store on SQLite and on
PostgreSQL. Every update is answered exactly once; a chat's answers go out in the order its
turns were committed (each sendMessage text equals that turn's recorded reply); the final state
is the last turn's state and the version counts the turns.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import asyncio
import time

from fakes.telegram_harness import webhook_harness
from fakes.telegram_payloads import TelegramUser
from store_backends import backend_settings  # noqa: F401 - fixture

from bot.config import Settings

UPDATES = 40
TEXTS = ["/help", "/back", "zzz", "/summary", "/back", "3"]


async def test_concurrent_webhook_updates_answered_once_in_order(
    backend_settings: Settings,
) -> None:
    async with webhook_harness(backend_settings) as h:
        one = TelegramUser(610_000)
        many = [TelegramUser(620_000 + n) for n in range(UPDATES)]
        updates = [one.text("/start")] + [one.text(TEXTS[n % len(TEXTS)]) for n in range(UPDATES - 1)]
        updates += [user.text("/start") for user in many]
        started = time.perf_counter()
        responses = await asyncio.gather(*(h.post(u) for u in updates))
        seconds = time.perf_counter() - started
        print(f"\nwebhook: {len(updates)} updates in {seconds:.2f}s = {len(updates) / seconds:.0f}/s")
        assert [r.status_code for r in responses] == [200] * len(updates)

        for user, count in [(one, UPDATES)] + [(u, 1) for u in many]:
            key = f"telegram:{user.id}"
            turns = h.service.store.transcript(key)
            assert len(turns) == count, key  # every update stepped exactly once
            assert h.fake.sent_texts(user.id) == [t["out"] for t in turns], key  # once, in order
            session = h.service.session(key)
            assert session is not None and session.version == count
            assert session.state == turns[-1]["state"]
        assert h.fake.refused() == []

        # Telegram resending all of them (no 200 seen, say) changes nothing and sends nothing
        sent_before = len(h.fake.calls_to("sendMessage"))
        again = await asyncio.gather(*(h.post(u) for u in updates))
        assert [r.status_code for r in again] == [200] * len(updates)
        assert len(h.fake.calls_to("sendMessage")) == sent_before
        assert len(h.service.store.transcript(f"telegram:{one.id}")) == UPDATES
