"""weiquan's webhook served on loopback, wired to the fake Bot API: what the Telegram tests drive."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.channels import telegram
from bot.config import Secret, Settings
from bot.service import Service
from fakes.telegram_api import TOKEN, FakeBotAPI, LoopbackServer, running_fake

SECRET = "s3cret-webhook_token"


def telegram_settings(base: Settings, api_base: str) -> Settings:
    return dataclasses.replace(
        base,
        telegram_token=Secret(TOKEN),
        telegram_webhook_secret=Secret(SECRET),
        telegram_api_base=api_base,
    )


@dataclasses.dataclass
class Harness:
    fake: FakeBotAPI
    service: Service
    url: str
    client: httpx.AsyncClient

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.client.post(f"{self.url}/telegram/webhook", json=update, headers=headers)

    def stage(self, user_key: str) -> str | None:
        session = self.service.session(user_key)
        return self.service.engine.flow.state(session.state).stage if session else None

    def last_keyboard(self, chat_id: int) -> tuple[int, Any]:
        """(message_id, reply_markup as Telegram holds it now) of the newest message with buttons."""
        for (chat, message_id), markup in sorted(self.fake.markups.items(), reverse=True):
            if chat == chat_id and markup and markup.get("inline_keyboard"):
                return message_id, markup
        raise AssertionError("the bot has sent no keyboard to this chat")


def buttons(markup: Any) -> list[dict[str, Any]]:
    return [button for row in markup["inline_keyboard"] for button in row]


@contextlib.asynccontextmanager
async def webhook_harness(base: Settings) -> AsyncIterator[Harness]:
    with running_fake() as (fake, api_base):
        settings = telegram_settings(base, api_base)
        service = Service.open(settings)
        routes = telegram.routes(service, settings)

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            yield
            for route in routes:
                if isinstance(route, telegram.WebhookRoute):
                    await route.webhook.aclose()

        try:
            with LoopbackServer(Starlette(routes=routes, lifespan=lifespan), lifespan="on") as server:
                async with httpx.AsyncClient(timeout=30) as client:
                    yield Harness(fake, service, server.url, client)
        finally:
            service.close()


def wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    """Waits for another process or thread to get somewhere (no timing is asserted)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition was not met in time")
        time.sleep(0.02)


@contextlib.contextmanager
def fake_api() -> Iterator[tuple[FakeBotAPI, str]]:
    with running_fake() as pair:
        yield pair
