"""`weiquan telegram` (long polling) and `--set-webhook`, run as real processes against the fake."""

from __future__ import annotations

import contextlib
import functools
import html
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fakes.telegram_api import TOKEN, FakeBotAPI, running_fake
from fakes.telegram_harness import SECRET, next_press, wait_until, weiquan_env
from fakes.telegram_payloads import TelegramUser

from bot.config import Settings, content_dir
from bot.engine.i18n import I18n
from bot.service import Service

WEIQUAN = [sys.executable, "-m", "bot", "telegram"]
# A fresh process trains the FAQ matcher before it polls: on a busy 2-core machine that alone can
# take over 20 s. A bound on waiting, not a timing assertion.
STARTUP_SECONDS = 120


@contextlib.contextmanager
def polling(tmp_path: Path, api_base: str) -> Iterator[subprocess.Popen[bytes]]:
    """`weiquan telegram` in its own process; stopped with SIGTERM, which must exit 0."""
    log = (tmp_path / "polling.log").open("wb")
    process = subprocess.Popen(
        WEIQUAN, cwd=tmp_path, env=weiquan_env(tmp_path, api_base), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            log.close()
        output = (tmp_path / "polling.log").read_text(errors="replace")
        assert code == 0, output
        assert "Traceback" not in output, output


def sends(fake: FakeBotAPI, chat_id: int) -> int:
    return len(fake.sent_texts(chat_id))


@functools.cache
def sticker_note() -> str:
    """What the bot answers to a sticker (zh_CN), as sent in HTML."""
    return html.escape(I18n.load(content_dir("locales")).text("zh_CN", "telegram.text_only"), quote=False)


def notes(fake: FakeBotAPI, chat_id: int) -> int:
    """How many times the bot answered a sticker (with its "text only, please" note)."""
    return fake.sent_texts(chat_id).count(sticker_note())


def stage_in_store(tmp_path: Path, api_base: str, user_key: str) -> str | None:
    with contextlib.chdir(tmp_path):
        settings = Settings.load(weiquan_env(tmp_path, api_base))
    service = Service.open(settings)
    try:
        session = service.session(user_key)
        return service.engine.flow.state(session.state).stage if session else None
    finally:
        service.close()


def test_polling_conversation_to_the_summary_by_buttons(tmp_path: Path) -> None:
    user = TelegramUser(5150, "zh-CN")
    with running_fake() as (fake, api_base):
        with polling(tmp_path, api_base):
            wait_until(lambda: bool(fake.calls_to("getUpdates")), STARTUP_SECONDS)
            assert fake.calls_to("deleteWebhook")  # polling and a webhook exclude each other
            fake.push_update(user.text("/start"))
            wait_until(lambda: sends(fake, user.id) == 1)
            pressed = barriers = 0
            for _ in range(60):
                if fake.calls_to("sendDocument"):
                    break
                presses = next_press(fake, user.id, with_buttons=True)
                assert presses is not None
                for message_id, markup, data in presses:
                    now = markup or fake.markups[(user.id, message_id)]
                    fake.push_update(user.press(message_id, now, data))
                    pressed += 1
                    # A sticker queued behind the press is answered only once the press is fully
                    # handled (one user's updates run in order), case file included.
                    fake.push_update(user.sticker())
                    barriers += 1
                    wait_until(lambda b=barriers: notes(fake, user.id) == b)  # type: ignore[misc]
            wait_until(lambda: bool(fake.calls_to("sendDocument")))
        assert fake.refused() == []
        assert {"zh", "en", ""} <= set(fake.commands)
        assert [c["command"] for c in fake.commands["en"]][:2] == ["start", "help"]
        assert fake.commands["zh"] != fake.commands["en"]
        assert len(fake.calls_to("answerCallbackQuery")) == pressed
    assert stage_in_store(tmp_path, api_base, f"telegram:{user.id}") == "summary"


def test_one_batch_of_updates_is_answered_in_order_per_chat(tmp_path: Path) -> None:
    """Updates of two users arrive interleaved in one getUpdates batch; each user's replies must
    be exactly what a third user gets sending the same messages one at a time."""
    steps = ["/start", "1", "1 2", "/back", "/help"]
    alice, carol, bob = TelegramUser(1), TelegramUser(3), TelegramUser(2)
    with running_fake() as (fake, api_base):
        with polling(tmp_path, api_base):
            wait_until(lambda: bool(fake.calls_to("getUpdates")), STARTUP_SECONDS)
            for n, text in enumerate(steps, start=1):
                fake.push_update(bob.text(text))
                wait_until(lambda n=n: sends(fake, bob.id) == n)  # type: ignore[misc]
            batch: list[dict[str, Any]] = []
            for text in steps:
                batch += [alice.text(text), carol.text(text)]
            for update in batch:
                fake.push_update(update)
            wait_until(lambda: sends(fake, alice.id) == len(steps) == sends(fake, carol.id))
        assert fake.sent_texts(alice.id) == fake.sent_texts(bob.id) == fake.sent_texts(carol.id)


def test_set_webhook_registers_url_secret_and_commands(tmp_path: Path) -> None:
    url = "https://bot.example.org/telegram/webhook"
    with running_fake() as (fake, api_base):
        env = weiquan_env(tmp_path, api_base, WEIQUAN_TELEGRAM_WEBHOOK_SECRET=SECRET)
        done = subprocess.run(
            [*WEIQUAN, "--set-webhook", url],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert fake.webhook_url == url
        registered = fake.calls_to("setWebhook")[0]
        assert registered.params["secret_token"] == SECRET
        assert "callback_query" in registered.json("allowed_updates")
        assert {"zh", "en", ""} <= set(fake.commands)
        assert SECRET.encode() not in done.stdout + done.stderr
        assert TOKEN.encode() not in done.stdout + done.stderr


def test_set_webhook_without_a_secret_is_refused(tmp_path: Path) -> None:
    with running_fake() as (fake, api_base):
        done = subprocess.run(
            [*WEIQUAN, "--set-webhook", "https://bot.example.org/hook"],
            cwd=tmp_path,
            env=weiquan_env(tmp_path, api_base),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode != 0
        assert fake.calls_to("setWebhook") == []


def test_polling_without_a_token_exits_with_an_error(tmp_path: Path) -> None:
    env = weiquan_env(tmp_path, "http://127.0.0.1:9/bot")
    del env["WEIQUAN_TELEGRAM_TOKEN"]
    done = subprocess.run(WEIQUAN, cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False)
    assert done.returncode != 0
    assert b"Traceback" not in done.stderr


def test_a_rejected_token_never_reaches_the_output(tmp_path: Path) -> None:
    with running_fake(token="999:another-token") as (fake, api_base):
        done = subprocess.run(
            WEIQUAN,
            cwd=tmp_path,
            env=weiquan_env(tmp_path, api_base),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1
        assert fake.calls_to("getMe") == []  # the fake answered 401 before recording a method
        assert TOKEN.encode() not in done.stdout + done.stderr
        assert b"Traceback" not in done.stderr
