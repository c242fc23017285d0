"""Every kind of turn goes through the Service: a message, a button, a file, a reminder and an
operator's reply, each driven through the whole `serve` app on loopback (the fake Bot API behind
it), each raises its own count in /metrics by exactly one, and nothing else moves."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
from fakes.loopback import LoopbackServer
from fakes.telegram_api import FakeBotAPI, running_fake
from fakes.telegram_files import serve_files
from fakes.telegram_harness import SECRET, newest_message, telegram_settings, wait_until
from fakes.telegram_payloads import TelegramUser
from prometheus_client.parser import text_string_to_metric_families
from test_console_http import Console, signed_in_client
from test_evidence_timeline_telegram import file_message

from bot.app import build_app
from bot.config import Settings
from bot.followups.worker import FollowupWorker
from bot.service import Service
from bot.types import Outbound

USER = TelegramUser(6161)
KEY = f"telegram:{USER.id}"
DAY = 86400.0
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


class Clock:
    def __init__(self) -> None:
        self.now = 1_795_000_000.0  # 2026-11-17

    def __call__(self) -> float:
        return self.now


@contextlib.contextmanager
def serving(settings: Settings, clock: Clock) -> Iterator[tuple[Console, FakeBotAPI]]:
    with running_fake() as (fake, api_base):
        settings = telegram_settings(settings, api_base)
        service = Service.open(settings, clock=clock)
        with LoopbackServer(build_app(service, settings), lifespan="on") as server:
            db_path = Path(settings.database_url.split("///", 1)[1])
            yield Console(server.url, service, settings, db_path), fake


def turn_counts(url: str) -> Counter[str]:
    """weiquan_turns_total{channel="telegram", kind=…} as the /metrics page shows it."""
    counts: Counter[str] = Counter()
    for family in text_string_to_metric_families(httpx.get(f"{url}/metrics").text):
        for sample in family.samples:
            if sample.name == "weiquan_turns_total" and sample.labels["channel"] == "telegram":
                counts[sample.labels["kind"]] = int(sample.value)
    return counts


def test_each_kind_of_turn_is_counted_once(tmp_settings: Settings) -> None:
    clock = Clock()
    with serving(tmp_settings, clock) as (console, fake):
        hook = f"{console.url}/telegram/webhook"

        def post(update: dict[str, object]) -> None:
            assert httpx.post(hook, json=update, headers=HEADERS, timeout=30).status_code == 200

        def one_more(kind: str, before: Counter[str]) -> None:
            """`kind` went up by one and no other kind moved (waits for replies sent after the 200)."""
            wait_until(lambda: turn_counts(console.url)[kind] > before[kind])
            assert turn_counts(console.url) - before == Counter({kind: 1})

        before = turn_counts(console.url)
        start = USER.text("/start")
        post(start)
        post(start)  # Telegram redelivers: a duplicate is not a turn
        one_more("message", before)
        wait_until(lambda: bool(fake.sent_texts(USER.id)))

        before = turn_counts(console.url)
        message_id, markup = newest_message(fake, USER.id, with_buttons=True)
        post(USER.press(message_id, markup, markup["inline_keyboard"][0][0]["callback_data"]))
        one_more("button", before)

        files = serve_files(fake)
        files["SHOT1"] = os.urandom(3000)
        before = turn_counts(console.url)
        post(file_message(USER, "photo", "SHOT1", 3000))
        one_more("media", before)

        for text in ("/filed", "4", "今天", "没有编号"):  # a police report: a check-in in 7 days
            post(USER.text(text))
        wait_until(lambda: console.service.session(KEY).state == "fu_recorded")  # type: ignore[union-attr]
        reminded: list[str] = []

        async def keep(user_key: str, outbound: Outbound) -> bool:  # stands in for the channel
            reminded.append(user_key)
            return True

        before = turn_counts(console.url)
        clock.now += 8 * DAY
        # the app's own worker may fire it first: either way the reminder is one turn
        worker = FollowupWorker(console.service, {"telegram": keep}, name="metrics-test")
        asyncio.run(worker.run_once())
        one_more("reminder", before)

        client, token = signed_in_client(console)
        with contextlib.closing(client):
            assert client.post(f"/console/case/{KEY}/takeover", data={"csrf": token}).status_code == 303
            before = turn_counts(console.url)
            sent = client.post(f"/console/case/{KEY}/reply", data={"csrf": token, "text": "我在"})
            assert sent.headers["location"].endswith("sent=sent")  # pushed through the Bot API
            one_more("operator", before)
