"""weiquan's webhook served on loopback, wired to the fake Bot API: what the Telegram tests drive."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from serving import outside_env
from starlette.applications import Starlette

from bot.channels.telegram import adapter as telegram
from bot.channels.telegram.channel import Telegram
from bot.config import Secret, Settings
from bot.service import Clock, Service
from fakes.loopback import LoopbackServer
from fakes.telegram_api import TOKEN, FakeBotAPI, running_fake
from fakes.telegram_payloads import TelegramUser

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
    fake_base: str  # the fake's PTB base_url

    webhook: telegram.TelegramWebhook

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        """POST an update, then wait until its replies are delivered (they go out after the 200)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        response = await self.client.post(f"{self.url}/telegram/webhook", json=update, headers=headers)
        while self.webhook.pending:
            await asyncio.sleep(0.005)
        return response

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
async def webhook_harness(base: Settings, clock: Clock = time.time) -> AsyncIterator[Harness]:
    with running_fake() as (fake, api_base):
        settings = telegram_settings(base, api_base)
        service = Service.open(settings, clock=clock)
        channel = Telegram(service, settings)

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            await channel.start()
            yield
            await channel.aclose()

        try:
            app = Starlette(routes=channel.routes(), lifespan=lifespan)
            with LoopbackServer(app, lifespan="on") as server:
                async with httpx.AsyncClient(timeout=30) as client:
                    yield Harness(fake, service, server.url, client, api_base, channel.webhook)
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


def live(markup: Any) -> bool:
    """Buttons still to be pressed (an answered question keeps only inert "~" ticks)."""
    return bool(markup) and any(b["callback_data"] != "~" for b in buttons(markup))


def newest_message(fake: FakeBotAPI, chat_id: int, with_buttons: bool = False) -> tuple[int, Any]:
    """(message_id, reply_markup now) of the newest message the bot sent to this chat."""
    message_id = max(
        mid
        for (chat, mid), markup in fake.markups.items()
        if chat == chat_id and (live(markup) or not with_buttons)
    )
    return message_id, fake.markups[(chat_id, message_id)]


def next_press(
    fake: FakeBotAPI, chat_id: int, with_buttons: bool = False
) -> list[tuple[int, Any, str]] | None:
    """The presses that answer the newest question without knowing the flow: the option with id
    "next"/"done" when offered, else the first one; a multi-select ticks its first box, then done.
    None when the newest message has no buttons (a free-text question)."""
    message_id, markup = newest_message(fake, chat_id, with_buttons)
    if not live(markup):
        return None
    datas = [b["callback_data"] for b in buttons(markup)]
    if "m!" in datas:
        return [(message_id, markup, next(d for d in datas if d.startswith("m:"))), (message_id, None, "m!")]
    return [(message_id, markup, next((d for d in datas if d in ("next", "done")), datas[0]))]


async def press_through(h: Harness, user: TelegramUser, typed: str | None = None, max_steps: int = 60) -> int:
    """Presses buttons until the stage is summary; returns the number of updates it sent.
    `typed` answers the states that take free-text answers instead of pressing their buttons."""
    key, sent = f"telegram:{user.id}", 0
    for _ in range(max_steps):
        if h.stage(key) == "summary":
            return sent
        session = h.service.session(key)
        field = h.service.engine.flow.state(session.state).input if session else None
        takes_text = field is not None and field.kind == "text"  # money/dates would not parse
        presses = next_press(h.fake, user.id)
        if presses is None or (typed is not None and takes_text):
            assert typed is not None, "a free-text question without buttons"
            assert (await h.post(user.text(typed))).status_code == 200
            sent += 1
            continue
        for message_id, markup, data in presses:
            now = markup or h.fake.markups[(user.id, message_id)]  # after the tick was drawn
            assert (await h.post(user.press(message_id, now, data))).status_code == 200
            sent += 1
    raise AssertionError(f"no summary after {max_steps} steps")


def weiquan_env(tmp_path: Path, api_base: str, **extra: str) -> dict[str, str]:
    env = outside_env()
    env.update(
        WEIQUAN_DATA_DIR=str(tmp_path / "var"),
        WEIQUAN_DATA_KEY="weiquan-test-data-key-0123456789abcdef",
        WEIQUAN_TELEGRAM_TOKEN=TOKEN,
        WEIQUAN_TELEGRAM_API_BASE=api_base,
        WEIQUAN_LOG_LEVEL="INFO",
        **extra,
    )
    return env
