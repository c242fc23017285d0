"""`weiquan serve`'s app runs its channels: the lifespan starts every configured channel once and,
at shutdown, leaves no retry loop, delivery or follow-up task running and no HTTP client open.
Real app, real uvicorn on 127.0.0.1, the fake Bot API and the fake WeChat API."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
from collections.abc import AsyncIterator

import httpx
import uvicorn
from fakes.telegram_api import running_fake as running_telegram
from fakes.telegram_harness import SECRET, telegram_settings
from fakes.telegram_payloads import TelegramUser
from fakes.wechat_api import running_fake as running_wechat
from fakes.wechat_harness import wechat_settings
from fakes.wechat_payloads import WeChatServer
from starlette.applications import Starlette

from bot.app import build_app
from bot.channels.lifecycle import Lifecycle
from bot.channels.telegram.channel import Telegram
from bot.channels.wechat.channel import WeChat
from bot.config import Settings
from bot.service import Service


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """uvicorn in this event loop with the app's lifespan on, so the test sees its tasks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def _state(channel: Telegram | WeChat) -> Lifecycle:
    """A channel's state read through a call, so the checker does not keep an earlier reading."""
    return channel.state


def _channels(app: Starlette) -> tuple[Telegram, WeChat]:
    channels = app.state.channels
    assert [type(c) for c in channels] == [Telegram, WeChat]
    return channels[0], channels[1]


async def test_lifespan_starts_and_stops_every_configured_channel(tmp_settings: Settings) -> None:
    with running_telegram() as (telegram_fake, telegram_base), running_wechat() as (wechat_fake, wechat_base):
        with_telegram = telegram_settings(tmp_settings, telegram_base)
        settings = wechat_settings(with_telegram, wechat_base, safe_mode=False)
        app = build_app(Service.open(settings), settings)
        telegram, wechat = _channels(app)
        assert telegram.state is wechat.state is Lifecycle.NEW
        assert not telegram.updates.retrying and not wechat.conversation.retrying  # not before start-up
        before = asyncio.all_tasks()

        async with serving(app) as url, httpx.AsyncClient(timeout=30) as client:
            assert _state(telegram) is _state(wechat) is Lifecycle.RUNNING
            assert telegram.updates.retrying and wechat.conversation.retrying  # started at start-up
            update = TelegramUser(4301).text("/start")
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            accepted = await client.post(f"{url}/telegram/webhook", json=update, headers=headers)
            assert accepted.status_code == 200
            callback = WeChatServer(safe_mode=False).text("oLifespanUser", "/start", 1)
            answer = await client.post(f"{url}/wechat", params=callback.params, content=callback.body)
            assert answer.status_code == 200
            await wechat.send_operator_text("wechat:oLifespanUser", "hello")  # the API client opens
            assert not wechat.api.closed

        # the welcome sent after the 200 was delivered before the Bot API client closed
        assert telegram_fake.sent_texts(4301)
        assert wechat_fake.sent_texts("oLifespanUser") == ["hello"]
        assert _state(telegram) is _state(wechat) is Lifecycle.CLOSED
        assert not telegram.updates.retrying and not wechat.conversation.retrying
        assert telegram.updates.pending == 0
        assert wechat.api.closed
        assert all(request.closed for request in telegram.requests)
        left = {task for task in asyncio.all_tasks() - before if not task.done()}
        assert left == {asyncio.current_task()} - before


async def test_only_configured_channels_are_built_and_none_outlives_the_app(tmp_settings: Settings) -> None:
    with running_telegram() as (_, telegram_base):
        settings = telegram_settings(tmp_settings, telegram_base)
        app = build_app(Service.open(settings), settings)
        assert [type(c) for c in app.state.channels] == [Telegram]
        (telegram,) = app.state.channels
        async with serving(app) as url, httpx.AsyncClient(timeout=30) as client:
            assert (await client.post(f"{url}/wechat", content=b"<xml/>")).status_code == 404
            assert _state(telegram) is Lifecycle.RUNNING
        assert _state(telegram) is Lifecycle.CLOSED and not telegram.updates.retrying


async def test_wechat_without_a_callback_token_only_pushes(tmp_settings: Settings) -> None:
    with running_wechat() as (fake, api_base):
        settings = dataclasses.replace(wechat_settings(tmp_settings, api_base), wechat_token=None)
        app = build_app(Service.open(settings), settings)
        (wechat,) = app.state.channels
        assert isinstance(wechat, WeChat) and wechat.routes() == [] and wechat.can_push
        async with serving(app) as url, httpx.AsyncClient(timeout=30) as client:
            assert (await client.get(f"{url}/wechat")).status_code == 404
            assert not wechat.conversation.retrying  # nothing is received, so nothing to resend
            await wechat.send_operator_text("wechat:oPushOnly", "hi")
        assert fake.sent_texts("oPushOnly") == ["hi"]
        assert _state(wechat) is Lifecycle.CLOSED and wechat.api.closed
