"""The webhook load generator: Telegram updates POSTed over raw keep-alive HTTP/1.1 connections.

Closed loop (`conversations`): N conversations in flight, each sending its next message when the
previous one was answered, as chats do. Open loop (`arrivals`): update n is due at start + n/rate
whatever the server does, and its latency counts from when it was due; each update's user is
drawn at random (seeded), so users write independently, as real ones do. (Taken in turn, all the
users moved through the script in step and asked for their summary and case file in the same few
seconds: the soak measured that burst, not the service.)
Every user's messages follow the bench SCRIPT, in order, one at a time.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from bot.benchmarks.conversation import message

FIRST_CHAT = 1_000  # user n is Telegram chat FIRST_CHAT + n


def update(update_id: int, chat: int, text: str) -> bytes:
    person = {"id": chat, "is_bot": False, "first_name": "bench", "language_code": "zh-hans"}
    message = {
        "message_id": update_id,
        "from": person,
        "chat": {"id": chat, "type": "private"},
        "date": int(time.time()),
        "text": text,
    }
    return orjson.dumps({"update_id": update_id, "message": message})


class Connection:
    """One keep-alive connection on raw asyncio streams: a load generator light enough that the
    server, not the client, is what gets measured (httpx needed a whole core at 200/s)."""

    def __init__(self, port: int, path: str, headers: dict[str, str]) -> None:
        self.port, self.path = port, path
        self.extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{self.extra}Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1]) if status_line else 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


@dataclass(slots=True)
class Sent:
    """What the load generator did: per user, the texts it sent (in order) and every latency."""

    texts: dict[int, list[str]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    def next_text(self, user: int) -> str:
        texts = self.texts.setdefault(user, [])
        texts.append(message(len(texts), 0))
        return texts[-1]


def percentiles(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {"p50_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p99_ms": round(p99 * 1000, 2)}


async def conversations(connect: Callable[[], Connection], users: int, turns: int, in_flight: int) -> Sent:
    sent = Sent()
    waiting = list(range(users))
    update_ids = iter(range(1, users * turns + 1))

    async def chat_after_chat() -> None:
        connection = connect()
        while waiting:
            user = waiting.pop()
            for _ in range(turns):
                body = update(next(update_ids), FIRST_CHAT + user, sent.next_text(user))
                started = time.perf_counter()
                status = await connection.post(body)
                sent.latencies.append(time.perf_counter() - started)
                sent.errors += status != 200
        await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(chat_after_chat() for _ in range(min(in_flight, users))))
    sent.elapsed = time.perf_counter() - started
    return sent


async def arrivals(
    connect: Callable[[], Connection],
    rate: float,
    seconds: float,
    clients: int,
    users: int,
    every: float,
    report: Callable[[dict[str, Any]], None],
) -> Sent:
    """Open loop for `seconds`; every `every` seconds `report` gets that window's figures.
    The first second is left out of the latencies: it warms up connections and the Bot API client."""
    sent = Sent()
    window: list[float] = []
    window_errors = 0
    due: asyncio.Queue[int | None] = asyncio.Queue()
    start = time.perf_counter()
    busy: set[int] = set()  # a user's next message waits until the previous one was answered
    draw = random.Random(users)
    user_of = [draw.randrange(users) for _ in range(int(rate * seconds))]

    async def client() -> None:
        nonlocal window_errors
        connection = connect()
        while (n := await due.get()) is not None:
            user = user_of[n]
            while user in busy:
                await asyncio.sleep(0.001)
            busy.add(user)
            body = update(n + 1, FIRST_CHAT + user, sent.next_text(user))
            status = await connection.post(body)
            busy.discard(user)
            latency = time.perf_counter() - (start + n / rate)
            if n >= rate:
                sent.latencies.append(latency)
                window.append(latency)
            sent.errors += status != 200
            window_errors += status != 200
        await connection.close()

    def report_window(length: float) -> None:
        nonlocal window, window_errors
        report(
            {
                "t_s": round(time.perf_counter() - start, 1),
                "requests": len(window),
                "per_s": round(len(window) / length, 1),
                **percentiles(window),
                "errors": window_errors,
            }
        )
        window, window_errors = [], 0

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    next_report = start + every
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait(n)
        if time.perf_counter() >= next_report:
            report_window(every)
            next_report += every
    for _ in tasks:
        due.put_nowait(None)
    await asyncio.gather(*tasks)
    if window:  # the last window, up to the last reply
        report_window(time.perf_counter() - (next_report - every))
    sent.elapsed = time.perf_counter() - start
    return sent
