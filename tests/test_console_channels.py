"""A console takeover of a Telegram user, end to end in one `serve` app: the bot falls silent,
the operator's reply is pushed through the Bot API (the fake on loopback), and handing back lets
the bot answer again."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
from fakes.loopback import LoopbackServer
from fakes.telegram_api import running_fake
from fakes.telegram_harness import SECRET, telegram_settings, wait_until
from fakes.telegram_payloads import TelegramUser
from test_console_http import Console, signed_in_client

from bot.app import build_app
from bot.config import Settings
from bot.service import Service


@contextlib.contextmanager
def serving(settings: Settings) -> Iterator[Console]:
    """The whole `serve` app, lifespan included (it closes the Bot API client and the store)."""
    service = Service.open(settings)
    with LoopbackServer(build_app(service, settings), lifespan="on") as server:
        yield Console(server.url, service, settings, Path(settings.database_url.split("///", 1)[1]))


def test_operator_reply_reaches_telegram_and_the_bot_stays_silent(tmp_settings: Settings) -> None:
    user = TelegramUser(8080)
    key = f"telegram:{user.id}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    with running_fake() as (fake, api_base), serving(telegram_settings(tmp_settings, api_base)) as console:
        hook = f"{console.url}/telegram/webhook"
        assert httpx.post(hook, json=user.text("/start"), headers=headers).status_code == 200
        wait_until(lambda: len(fake.sent_texts(user.id)) >= 1)
        greeted = len(fake.sent_texts(user.id))
        client, token = signed_in_client(console)
        with contextlib.closing(client):
            client.post(f"/console/case/{key}/takeover", data={"csrf": token})
            httpx.post(hook, json=user.text("有人吗？"), headers=headers)  # held: not answered
            wait_until(lambda: any(t["in"] == "有人吗？" for t in console.service.store.transcript(key)))

            sent = client.post(f"/console/case/{key}/reply", data={"csrf": token, "text": "我是志愿者小李"})
            assert sent.headers["location"].endswith("sent=sent")
            # Only the operator's words follow the greeting: the held turn sent nothing, even later.
            wait_until(lambda: len(fake.sent_texts(user.id)) > greeted)
            assert fake.sent_texts(user.id)[greeted:] == ["【人工接线员】我是志愿者小李"]

            client.post(f"/console/case/{key}/handback", data={"csrf": token})
        httpx.post(hook, json=user.text("/help"), headers=headers)
        wait_until(lambda: len(fake.sent_texts(user.id)) > greeted + 1)  # the bot answers again
