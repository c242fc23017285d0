"""`weiquan serve` as a real process: the Telegram webhook is mounted and talks to the fake."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
from fakes.telegram_api import running_fake
from fakes.telegram_harness import SECRET, wait_until, weiquan_env
from fakes.telegram_payloads import TelegramUser


def test_serve_mounts_the_webhook(tmp_path: Path, free_port: int) -> None:
    user = TelegramUser(31337)
    with running_fake() as (fake, api_base):
        env = weiquan_env(tmp_path, api_base, WEIQUAN_TELEGRAM_WEBHOOK_SECRET=SECRET)
        log = (tmp_path / "serve.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(free_port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{free_port}"
        try:
            wait_until(lambda: _up(f"{base}/healthz"), seconds=60)
            hook = f"{base}/telegram/webhook"
            wrong = httpx.post(
                hook, json=user.text("/start"), headers={"X-Telegram-Bot-Api-Secret-Token": "no"}
            )
            assert wrong.status_code == 403
            assert fake.calls == []  # serve never calls setWebhook (or anything) by itself
            right = httpx.post(
                hook, json=user.text("/start"), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert right.status_code == 200  # once committed; the reply follows in the background
            wait_until(lambda: len(fake.sent_texts(user.id)) == 1)
        finally:
            server.terminate()
            code = server.wait(timeout=30)
            log.close()
        output = (tmp_path / "serve.log").read_text(errors="replace")
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells the signal
        assert code in (0, -signal.SIGTERM), output
        assert "Application shutdown complete" in output
        assert "Traceback" not in output, output


def _up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
