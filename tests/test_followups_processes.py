"""The follow-up worker as real processes: `weiquan worker --once` and inside `weiquan telegram`.

A complaint is recorded ten days in the past (an injected clock); the processes run on the real
clock, so the reminder is due as soon as they start. Each sends it once, whatever runs after."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import TEST_DATA_KEY
from fakes.telegram_api import TOKEN, running_fake
from fakes.telegram_harness import wait_until
from serving import outside_env

from bot.config import Settings
from bot.service import Service
from bot.types import Inbound

QUESTION = "现在怎么样了"


def env_for(tmp_path: Path, api_base: str) -> dict[str, str]:
    env = outside_env()
    env.update(
        WEIQUAN_DATA_DIR=str(tmp_path / "var"),
        WEIQUAN_DATA_KEY=TEST_DATA_KEY,
        WEIQUAN_TELEGRAM_TOKEN=TOKEN,
        WEIQUAN_TELEGRAM_API_BASE=api_base,
        WEIQUAN_LOG_LEVEL="INFO",
    )
    return env


def record_in_the_past(tmp_path: Path, api_base: str, user_key: str) -> None:
    with contextlib.chdir(tmp_path):
        settings = Settings.load(env_for(tmp_path, api_base))
    service = Service.open(settings, clock=lambda: time.time() - 10 * 86400)
    try:
        for message in ("/filed", "公安机关", "今天", "没有编号"):
            reply = service.handle_sync(Inbound(user_key, message)).outbound
        assert reply.state == "fu_recorded"
    finally:
        service.close()


def weiquan(tmp_path: Path, api_base: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env_for(tmp_path, api_base),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_weiquan_worker_once_sends_the_due_reminder_once(tmp_path: Path) -> None:
    with running_fake() as (fake, api_base):
        record_in_the_past(tmp_path, api_base, "telegram:2468")
        first = weiquan(tmp_path, api_base, "worker", "--once")
        assert first.returncode == 0, first.stderr
        assert "1 reminder(s) sent" in first.stderr
        second = weiquan(tmp_path, api_base, "worker", "--once")
        assert second.returncode == 0 and "0 reminder(s) sent" in second.stderr
        assert len([t for t in fake.sent_texts(2468) if QUESTION in t]) == 1
        assert TOKEN not in first.stderr + second.stderr


def test_weiquan_worker_without_a_channel_says_so(tmp_path: Path) -> None:
    env = outside_env()
    env.update(WEIQUAN_DATA_DIR=str(tmp_path / "var"), WEIQUAN_DATA_KEY=TEST_DATA_KEY)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "worker", "--once"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "no channel can receive reminders" in done.stderr


def test_weiquan_telegram_runs_the_worker(tmp_path: Path) -> None:
    with running_fake() as (fake, api_base):
        record_in_the_past(tmp_path, api_base, "telegram:1357")
        log = (tmp_path / "polling.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "telegram"],
            cwd=tmp_path,
            env=env_for(tmp_path, api_base),
            stdout=log,
            stderr=log,
        )
        try:
            wait_until(lambda: any(QUESTION in t for t in fake.sent_texts(1357)), seconds=60)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
            log.close()
        assert len([t for t in fake.sent_texts(1357) if QUESTION in t]) == 1
        assert "Traceback" not in (tmp_path / "polling.log").read_text(errors="replace")


def test_serve_app_runs_the_worker(tmp_settings: Settings) -> None:
    import dataclasses

    from fakes.loopback import LoopbackServer

    from bot.app import build_app
    from bot.config import Secret

    with running_fake() as (fake, api_base):
        settings = dataclasses.replace(
            tmp_settings,
            telegram_token=Secret(TOKEN),
            telegram_webhook_secret=Secret("s3cret"),
            telegram_api_base=api_base,
        )
        past = Service.open(settings, clock=lambda: time.time() - 10 * 86400)
        try:
            for message in ("/filed", "公安机关", "今天", "没有编号"):
                past.handle_sync(Inbound("telegram:9753", message))
        finally:
            past.close()
        with LoopbackServer(build_app(Service.open(settings), settings), lifespan="on"):
            wait_until(lambda: any(QUESTION in t for t in fake.sent_texts(9753)), seconds=60)
        assert len([t for t in fake.sent_texts(9753) if QUESTION in t]) == 1
