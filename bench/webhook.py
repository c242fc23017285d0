"""Webhook mode of `weiquan bench`: a real `weiquan serve` process, POST /telegram/webhook over
loopback at a fixed arrival rate from a bounded number of concurrent clients.

The Bot API is the test suite's fake (tests/fakes/telegram_api.py), in a process of its own.
Run from a checkout: `make bench ARGS="--webhook"`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from bot.bench import SCRIPT

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-webhook-secret"
TOKEN = "123456:bench-token"
_FAKE = """
import sys
sys.path.insert(0, {tests!r})
from fakes.telegram_api import running_fake
with running_fake({token!r}) as (fake, base):
    print(base, flush=True)
    sys.stdin.read()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _update(update_id: int, user: int, text: str) -> dict[str, Any]:
    person = {"id": user, "is_bot": False, "first_name": "bench", "language_code": "zh-hans"}
    message = {"message_id": update_id, "from": person, "chat": {"id": user, "type": "private"},
               "date": int(time.time()), "text": text}  # fmt: skip
    return {"update_id": update_id, "message": message}


class _Connection:
    """One keep-alive HTTP/1.1 connection on raw asyncio streams: a load generator light enough
    that the server, not the client, is what gets measured (httpx needed a whole core at 200/s)."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
                f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def _load(port: int, rate: float, seconds: float, clients: int, users: int) -> dict[str, Any]:
    """Open loop: request n is due at start + n/rate; latency counts from when it was due."""
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    warmup = int(rate)
    due: asyncio.Queue[int | None] = asyncio.Queue()
    turn_of = [0] * users
    start = time.perf_counter()

    async def client() -> None:
        nonlocal errors
        connection = _Connection("127.0.0.1", port, "/telegram/webhook")
        while (n := await due.get()) is not None:
            user = n % users
            text = SCRIPT[turn_of[user] % len(SCRIPT)]
            turn_of[user] += 1
            body = orjson.dumps(_update(10_000 + n, 1_000 + user, text))
            status = await connection.post(body)
            if n >= warmup:  # the first second warms up connections and the Bot API client
                latencies.append(time.perf_counter() - (start + n / rate))
            errors += status != 200
        await connection.close()

    workers = [asyncio.create_task(client()) for _ in range(clients)]
    for n in range(total):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait(n)
    for _ in workers:
        due.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "webhook_requests": total,
        "webhook_measured": len(latencies),
        "webhook_target_per_s": rate,
        "webhook_per_s": round(total / elapsed, 1),
        "webhook_p50_ms": round(statistics.median(ordered) * 1000, 2),
        "webhook_p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 2),
        "webhook_errors": errors,
    }


def run(rate: float = 200, seconds: float = 10, clients: int = 32, users: int = 500) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="weiquan-webhook-bench-") as tmp:
        fake = subprocess.Popen(
            [sys.executable, "-c", _FAKE.format(tests=str(ROOT / "tests"), token=TOKEN)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert fake.stdout is not None
        api_base = fake.stdout.readline().strip()
        port = _free_port()
        env = {**os.environ, "WEIQUAN_DATA_DIR": tmp,
               "WEIQUAN_DATA_KEY": "bench-data-key-0123456789abcdefghijklmn",
               "WEIQUAN_TELEGRAM_TOKEN": TOKEN, "WEIQUAN_TELEGRAM_WEBHOOK_SECRET": SECRET,
               "WEIQUAN_TELEGRAM_API_BASE": api_base, "WEIQUAN_LOG_LEVEL": "WARNING"}  # fmt: skip
        env.pop("WEIQUAN_DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=tmp, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("weiquan serve did not start")
                time.sleep(0.1)
            return asyncio.run(_load(port, rate, seconds, clients, users))
        finally:
            for process in (server, fake):
                process.terminate()  # serve drains replies still queued behind Telegram's rate
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
