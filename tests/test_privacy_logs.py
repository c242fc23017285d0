"""Logs hold ids and events only: a planted phrase and every secret are absent from all output.

The webhook runs as in production (setup_logging at DEBUG, JSON lines on stderr; uvicorn, PTB,
httpx and SQLAlchemy log through the same root), while the conversation carries a planted
phrase, the Bot API fails with an error that echoes it, and hostile bodies arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

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
    named = {name: logging.getLogger(name) for name in logging.root.manager.loggerDict}
    kept = {name: (lg.level, lg.handlers[:], lg.propagate) for name, lg in named.items()}
    setup_logging("DEBUG")
    try:
        yield
    finally:
        root.handlers[:], root.level = saved
        for name, (level, handlers, propagate) in kept.items():
            named[name].setLevel(level)
            named[name].handlers[:], named[name].propagate = handlers, propagate
        logging.raiseExceptions = True


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
        await h.client.post(
            f"{h.url}/telegram/webhook", content=raw, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        h.service.store.delete_user(f"telegram:{user.id}")
    captured = capsys.readouterr()
    output = captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if line.startswith("{")]
    assert len(lines) >= 3  # the scan below looked at real log lines
    events = [orjson.loads(line) for line in lines]
    assert any(e.get("status") == 403 for e in events)  # the refused secret was logged, by id
    for needle in (
        PHRASE,
        "秘密短语",
        "zx81q",
        TOKEN,
        TOKEN.split(":")[-1],
        SECRET,
        tmp_settings.data_key.reveal(),
        tmp_settings.console_secret.reveal(),
    ):
        assert needle not in output, needle
    assert "Traceback" not in output


def test_secrets_in_library_messages_are_masked(
    tmp_path: Path, production_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.load(
        {
            "WEIQUAN_DATA_DIR": str(tmp_path),
            "WEIQUAN_DATA_KEY": "data-key-for-mask-test",
            "WEIQUAN_TELEGRAM_TOKEN": "1234567:token-for-the-mask-test",
            "WEIQUAN_OLD_DATA_KEYS": "old-key-for-mask-test",
        }
    )
    setup_logging("INFO")
    url = "postgresql+psycopg://weiquan:pg-password-123@127.0.0.1/weiquan"
    # what a library might say in an exception text: a request URL, a connection string
    token = settings.telegram_token.reveal() if settings.telegram_token else ""
    logging.getLogger("httpx").error("POST https://api.telegram.org/bot%s/sendMessage failed", token)
    logging.getLogger("telegram.ext").error("bot 7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw refused")
    logging.getLogger("sqlalchemy.pool").error("cannot connect to %s", url)
    old_key = "old-key-for-mask-test"
    logging.getLogger("uvicorn.error").error("keys %s %s", settings.data_key.reveal(), old_key)
    err = capsys.readouterr().err
    assert err.count("[redacted]") >= 5
    for needle in (
        "token-for-the-mask-test",
        "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        "pg-password-123",
        "data-key-for-mask-test",
        "old-key-for-mask-test",
    ):
        assert needle not in err
