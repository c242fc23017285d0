"""weiquan's WeChat routes served by uvicorn on 127.0.0.1, wired to the fake WeChat API.

The routes run in the test's own event loop (uvicorn's `serve()` as a task), so a test can await
the adapter's pending customer-service deliveries instead of sleeping; the fake API runs in a
thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from bot.channels.wechat.channel import WeChat
from bot.config import Secret, Settings
from bot.service import Service
from fakes.wechat_api import APPID, SECRET, FakeWeChatAPI, running_fake
from fakes.wechat_payloads import AES_KEY, TOKEN, Callback, WeChatServer


def wechat_settings(base: Settings, api_base: str, safe_mode: bool = True) -> Settings:
    return dataclasses.replace(
        base,
        wechat_token=Secret(TOKEN),
        wechat_appid=APPID,
        wechat_secret=Secret(SECRET),
        wechat_aes_key=Secret(AES_KEY) if safe_mode else None,
        wechat_api_base=api_base,
    )


class MovableClock:
    """The service's clock: real time plus an offset a test may advance (outbox leases)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclasses.dataclass
class Harness:
    fake: FakeWeChatAPI
    service: Service
    channel: WeChat
    url: str
    client: httpx.AsyncClient
    server: WeChatServer
    clock: MovableClock

    async def post(self, callback: Callback, **overrides: str) -> httpx.Response:
        params = {**callback.params, **overrides}
        return await self.client.post(f"{self.url}/wechat", params=params, content=callback.body)

    async def send(self, callback: Callback) -> str:
        """POSTs a callback that must be accepted; the passive reply's Content ("" = "success")."""
        response = await self.post(callback)
        assert response.status_code == 200, response.status_code
        if response.content == b"success":
            return ""
        fields = self.server.reply_fields(response.content)
        assert fields["MsgType"] == "text"
        return fields["Content"]

    async def say(self, openid: str, text: str, msg_id: int) -> str:
        return await self.send(self.server.text(openid, text, msg_id))

    async def turn(self, openid: str, text: str, msg_id: int) -> list[str]:
        """Everything the user received for one message: the passive reply (if any), then the
        customer-service texts sent for it (a long answer's rest, or all of a slow one)."""
        before = len(self.fake.sent_texts(openid))
        passive = await self.say(openid, text, msg_id)
        await self.settle()
        return ([passive] if passive else []) + self.fake.sent_texts(openid)[before:]

    async def settle(self) -> None:
        """Waits until every customer-service delivery the adapter started has finished."""
        await self.channel.conversation.drain()

    def stage(self, openid: str) -> str | None:
        session = self.service.session(f"wechat:{openid}")
        return self.service.engine.flow.state(session.state).stage if session else None

    def state(self, openid: str) -> tuple[str, int] | None:
        session = self.service.session(f"wechat:{openid}")
        return (session.state, session.version) if session else None


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
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


@contextlib.asynccontextmanager
async def wechat_harness(
    base: Settings,
    *,
    safe_mode: bool = True,
    passive_seconds: float | None = None,
    links: bool = True,
) -> AsyncIterator[Harness]:
    """`links`: WEIQUAN_PUBLIC_URL is this test server's own origin (known once it listens)."""
    with running_fake() as (fake, api_base):
        settings = wechat_settings(base, api_base, safe_mode)
        clock = MovableClock()
        service = Service.open(settings, clock=clock)
        try:
            channel = WeChat(service, settings)
            if passive_seconds is not None:
                channel.conversation.passive_seconds = passive_seconds
            await channel.start()
            app = Starlette(routes=channel.routes())
            async with served(app) as url, httpx.AsyncClient(timeout=30) as client:
                if links:
                    channel.links.public_url = url
                server = WeChatServer(safe_mode=safe_mode)
                yield Harness(fake, service, channel, url, client, server, clock)
                await channel.aclose()
        finally:
            service.close()
