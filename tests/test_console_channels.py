"""A console takeover of a Telegram user: the bot falls silent, the operator's reply is pushed
through the Bot API (the fake on loopback), and handing back lets the bot answer again."""

from __future__ import annotations

import asyncio

from fakes.telegram_harness import webhook_harness
from fakes.telegram_payloads import TelegramUser

from bot.config import Settings
from bot.console import delivery
from bot.store import console_tables, console_turns


async def test_operator_reply_reaches_telegram_and_the_bot_stays_silent(tmp_settings: Settings) -> None:
    user = TelegramUser(8080)
    key = f"telegram:{user.id}"
    async with webhook_harness(tmp_settings) as h:
        await h.post(user.text("/start"))
        greeted = len(h.fake.sent_texts(user.id))
        assert greeted >= 1
        store = h.service.store
        await asyncio.wrap_future(store.submit(lambda c: console_tables.take_over(c, key, "amy", 1.0)))
        console_turns.wake(store)

        await h.post(user.text("有人吗？"))  # held: recorded for the operator, not answered
        assert len(h.fake.sent_texts(user.id)) == greeted
        assert any(t["in"] == "有人吗？" for t in store.transcript(key))

        outcome = await delivery.deliver(h.service, key, "amy", "你好，我是热线志愿者小李。")
        assert outcome is delivery.Delivery.SENT
        pushed = h.fake.sent_texts(user.id)[-1]
        assert "小李" in pushed and "人工" in pushed  # marked as coming from a person

        await asyncio.wrap_future(store.submit(lambda c: console_tables.hand_back(c, key)))
        console_turns.wake(store)
        await h.post(user.text("/help"))
        assert len(h.fake.sent_texts(user.id)) > greeted + 1  # the bot answers again
