"""Logs hold ids and events only: a planted phrase and every secret are absent from all output.

The webhook runs as in production (setup_logging at DEBUG, JSON lines on stderr; uvicorn, PTB,
httpx and SQLAlchemy log through the same root), while the conversation carries a planted
phrase, the Bot API fails with an error that echoes it, and hostile bodies arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import orjson
import pytest
from fakes.telegram_api import TOKEN
from fakes.telegram_harness import SECRET, webhook_harness
from fakes.telegram_payloads import TelegramUser

from bot.config import Settings
from bot.logs import setup_logging

PHRASE = "PLANTED秘密短语zx81q"


@pytest.fixture
def production_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    named = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    setup_logging("DEBUG")
    try:
        yield
    finally:
        root.handlers[:], root.level = saved
        for name, level in named.items():
            logging.getLogger(name).setLevel(level)


async def test_no_text_or_secret_in_any_log_line(
    tmp_settings: Settings, production_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    async with webhook_harness(tmp_settings) as h:
        setup_logging("DEBUG")  # again: the harness's uvicorn has configured its own loggers
        user = TelegramUser(4711)
        await h.post(user.text("/start"))
        await h.post(user.text(f"催收说 {PHRASE} 要来"))
        await h.post(user.text("我不想活了 " + PHRASE))
        h.fake.fail("sendMessage", 400, f"Bad Request: can't parse entities: {PHRASE}")
        await h.post(user.text(PHRASE))
        h.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        await h.post(user.text(PHRASE))
        message_id, _ = max(((mid, m) for (chat, mid), m in h.fake.markups.items() if chat == user.id))
        await h.post(user.press(message_id, None, PHRASE[:40]))  # forged callback data
        await h.post(user.text(PHRASE), secret="wrong-zx81q")
        raw = f'{{"update_id": 1, "message": {{"text": "{PHRASE}"'.encode()
        await h.client.post(f"{h.url}/telegram/webhook", content=raw,
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})  # fmt: skip
        h.service.store.delete_user(f"telegram:{user.id}")
    captured = capsys.readouterr()
    output = captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if line.startswith("{")]
    assert len(lines) >= 3  # the scan below looked at real log lines
    events = [orjson.loads(line) for line in lines]
    assert any(e.get("status") == 403 for e in events)  # the refused secret was logged, by id
    for needle in (PHRASE, "秘密短语", "zx81q", TOKEN, TOKEN.split(":")[-1], SECRET,
                   tmp_settings.data_key.reveal(), tmp_settings.console_secret.reveal()):  # fmt: skip
        assert needle not in output, needle
    assert "Traceback" not in output
