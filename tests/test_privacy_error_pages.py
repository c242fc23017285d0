"""With the database gone, every page answers with a status and no traceback, path or secret.

The whole ASGI app of `weiquan serve` (health, Telegram webhook, WeChat, console) is served by
uvicorn on loopback over a PostgreSQL URL whose server is down and whose password is planted.
"""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest
from fakes.loopback import LoopbackServer
from fakes.telegram_api import running_fake
from fakes.telegram_harness import SECRET, telegram_settings
from fakes.telegram_payloads import TelegramUser

from bot.app import build_app
from bot.config import Settings
from bot.service import Service

PASSWORD = "Pl4ntedDbPassw0rd"


async def test_no_traceback_or_secret_when_the_database_is_down(
    tmp_settings: Settings, free_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    dead = f"postgresql+psycopg://weiquan:{PASSWORD}@127.0.0.1:{free_port}/weiquan"
    with running_fake() as (fake, api_base):
        settings = dataclasses.replace(telegram_settings(tmp_settings, api_base), database_url=dead)
        service = Service.open(settings)
        caplog.set_level(logging.DEBUG)
        with LoopbackServer(build_app(service, settings), lifespan="on") as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                responses = [
                    await client.get("/healthz"),
                    await client.post(
                        "/telegram/webhook",
                        json=TelegramUser(5).text("hi"),
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    ),
                    await client.post(
                        "/telegram/webhook",
                        content=b"{not json",
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    ),
                    await client.get("/console/login"),
                    await client.post("/console/login", data={"name": "x", "password": "y"}),
                    await client.get("/console/"),
                    await client.get("/metrics"),
                    await client.get("/no-such-page"),
                ]
    assert responses[0].status_code == 503
    assert responses[1].status_code == 503  # nothing committed: Telegram will resend
    assert responses[2].status_code == 400
    for response in responses:
        body = response.text
        assert "Traceback" not in body and 'File "' not in body and ".py" not in body, body[:500]
        assert PASSWORD not in body and "sqlalchemy" not in body.lower()
    logged = "\n".join(r.getMessage() + str(r.__dict__.get("args")) for r in caplog.records)
    assert PASSWORD not in logged
    assert fake.calls_to("sendMessage") == []
