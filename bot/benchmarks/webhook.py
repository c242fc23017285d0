"""`weiquan bench --workers N` and `--webhook RATE`: real `serve` processes driven through
POST /telegram/webhook, and a check that every reply reached the (fake) Bot API once, in order.

The expected replies come from the same script replayed through an in-process Service and
rendered by the Telegram channel's own renderer: the engine is deterministic, so every chat that
sent its first k messages must have received exactly those k replies, in that order.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bot.benchmarks import pg_floor
from bot.benchmarks.conversation import message, raw_sqlite_floor
from bot.benchmarks.fake_botapi import DOCUMENT, fingerprint
from bot.benchmarks.load import FIRST_CHAT, Sent, arrivals, conversations, percentiles
from bot.benchmarks.serving import Server, cpu_seconds, rss_mb, serving
from bot.channels.telegram import render as telegram_render
from bot.config import Settings
from bot.service import Service
from bot.types import Inbound

SETTLE_SECONDS = 120  # replies go out after the webhook's answer: how long to wait for the last


def expected_replies(turns: int) -> list[list[int]]:
    """Per turn of the script, the fingerprints of what Telegram should receive."""
    replies: list[list[int]] = []
    with tempfile.TemporaryDirectory(prefix="weiquan-bench-replay-") as tmp:
        service = Service.open(Settings.load({"WEIQUAN_DATA_DIR": tmp, "WEIQUAN_DATA_KEY": "replay"}))
        try:
            for turn in range(turns):
                text = message(turn, 0)  # every user sends the same, checked against one replay
                inbound = Inbound("telegram:1", text, locale="zh_CN", message_id=str(turn))
                outbound = service.handle_sync(inbound).outbound
                sent: list[int] = []
                if outbound.messages:
                    words = partial(service.i18n.text, outbound.lang)
                    sent = [fingerprint(c.html) for c in telegram_render.render(outbound, words)]
                    if "case_file" in outbound.effects:
                        sent.append(fingerprint(DOCUMENT))
                replies.append(sent)
        finally:
            service.close()
    return replies


def _settle(server: Server, expected: int) -> dict[str, Any]:
    """Wait until the fake holds as many messages as expected (or nothing arrives for a while)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    received = server.received()
    while time.monotonic() < deadline:
        count = sum(len(chat) for chat in received["chats"].values())
        if count >= expected:
            break
        time.sleep(0.5)
        received = server.received()
    return received


def check(sent: Sent, received: dict[str, Any], canon: list[list[int]]) -> dict[str, int]:
    """Lost, doubled and out-of-order replies, comparing each chat with the replayed script."""
    chats = received["chats"]
    lost = doubled = out_of_order = 0
    for user, texts in sent.texts.items():
        expected = [f for reply in canon[: len(texts)] for f in reply]
        got = chats.get(str(FIRST_CHAT + user), [])
        missing = Counter(expected) - Counter(got)
        extra = Counter(got) - Counter(expected)
        lost += sum(missing.values())
        doubled += sum(extra.values())
        out_of_order += not missing and not extra and got != expected
    strangers = set(chats) - {str(FIRST_CHAT + user) for user in sent.texts}
    doubled += sum(len(chats[chat]) for chat in strangers)
    return {"lost_replies": lost, "doubled_replies": doubled, "out_of_order_chats": out_of_order}


def _floor(database_url: str | None, users: int, turns: int) -> dict[str, Any]:
    """The raw floor on the same database, measured right after the load."""
    if database_url is None:
        with tempfile.TemporaryDirectory(prefix="weiquan-floor-") as tmp:
            floor = raw_sqlite_floor(Path(tmp) / "floor.sqlite", min(users, 1000), max(1, turns // 2))
        return {"floor_turns_per_s": round(floor, 1)}
    rates = pg_floor.floor(database_url, min(users, 1000), max(1, turns // 4))
    by_count = {f"floor_{count}conn_turns_per_s": round(rate, 1) for count, rate in rates.items()}
    return {"floor_turns_per_s": round(max(rates.values()), 1), **by_count}


def _delivered(server: Server, sent: Sent) -> dict[str, Any]:
    """Waits for the replies still on their way, then checks them all."""
    canon = expected_replies(max((len(t) for t in sent.texts.values()), default=0))
    total = sum(len(reply) for texts in sent.texts.values() for reply in canon[: len(texts)])
    return {"expected_replies": total, **check(sent, _settle(server, total), canon)}


def run_conversations(
    users: int, turns: int, clients: int, workers: int, database_url: str | None
) -> dict[str, Any]:
    """Closed loop: `clients` chats in flight, each answering as soon as the bot has answered."""
    with serving(database_url, workers) as server:
        cpu_before = [cpu_seconds(pid) for pid in server.worker_pids()]
        sent = asyncio.run(conversations(server.connect, users, turns, clients))
        delivery = _delivered(server, sent)
        rss = [rss_mb(pid) for pid in server.worker_pids()]
        cpu = [
            round(cpu_seconds(pid) - before, 1)
            for pid, before in zip(server.worker_pids(), cpu_before, strict=True)
        ]
        connections = server.connections()
    turns_per_s = len(sent.latencies) / sent.elapsed
    result: dict[str, Any] = {
        "mode": "webhook_conversations",
        "database": "sqlite" if database_url is None else "postgresql",
        "workers": workers,
        "users": users,
        "turns": len(sent.latencies),
        "clients": min(clients, users),
        "turns_per_s": round(turns_per_s, 1),
        **percentiles(sent.latencies),
        "errors": sent.errors,
        **delivery,
        "rss_mb_per_worker": rss,
        "db_connections": connections,
        # the server's CPU for the load (replies delivered included), and per turn
        "cpu_s_per_worker": cpu,
        "server_cpu_ms_per_turn": round(1000 * sum(cpu) / len(sent.latencies), 2),
    }
    result.update(_floor(database_url, users, turns))
    result["ratio"] = round(turns_per_s / result["floor_turns_per_s"], 3)
    return result


def run_arrivals(
    rate: float,
    seconds: float,
    clients: int,
    users: int,
    workers: int,
    database_url: str | None,
    every: float,
    emit: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Open loop at `rate` for `seconds`; a JSON line every `every` seconds with that window's
    latency and each worker's RSS and the server's database connections (the soak)."""
    samples: list[dict[str, Any]] = []
    with serving(database_url, workers) as server:

        def report(window: dict[str, Any]) -> None:
            window["rss_mb_per_worker"] = [rss_mb(pid) for pid in server.worker_pids()]
            window["cpu_s_per_worker"] = [cpu_seconds(pid) for pid in server.worker_pids()]
            window["db_connections"] = server.connections()
            samples.append(window)
            emit(window)

        sent = asyncio.run(arrivals(server.connect, rate, seconds, clients, users, every, report))
        delivery = _delivered(server, sent)
    result: dict[str, Any] = {
        "mode": "webhook_arrivals",
        "database": "sqlite" if database_url is None else "postgresql",
        "workers": workers,
        "target_per_s": rate,
        "seconds": seconds,
        "requests": sum(len(t) for t in sent.texts.values()),
        "per_s": round(sum(len(t) for t in sent.texts.values()) / sent.elapsed, 1),
        **percentiles(sent.latencies),
        "errors": sent.errors,
        **delivery,
        **_growth(samples),
    }
    return result


def _growth(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """RSS and connections at the end against the first sample after warm-up (the second one)."""
    if len(samples) < 3:
        return {}
    first, last = samples[1], samples[-1]
    pairs = zip(first["rss_mb_per_worker"], last["rss_mb_per_worker"], strict=False)
    growth = [round(100 * (b - a) / a, 1) if a else 0.0 for a, b in pairs]
    p99s = [s["p99_ms"] for s in samples[1:]]
    return {
        "rss_mb_after_warmup": first["rss_mb_per_worker"],
        "rss_mb_at_end": last["rss_mb_per_worker"],
        "rss_growth_pct": growth,
        "db_connections_after_warmup": first["db_connections"],
        "db_connections_at_end": last["db_connections"],
        "window_p99_ms_min": min(p99s),
        "window_p99_ms_max": max(p99s),
    }
