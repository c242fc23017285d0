"""A minimal Telegram Bot API on loopback for `weiquan bench`: answers what `serve` calls and
records, per chat, a fingerprint of every message in the order it arrived.

It runs as a process of its own (`python -m bot.benchmarks.fake_botapi`, which prints its base URL),
on raw asyncio streams, so that the load generator and the server under test keep their CPU.
`GET /received` returns {"chats": {chat_id: [fingerprint, ...]}, "calls": {method: count}}.
The test suite's richer fake (tests/fakes/telegram_api.py) checks payloads; this one only counts.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import parse_qs

import orjson

DOCUMENT = "[document]"  # what a sent file counts as in a chat's sequence
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "bench", "username": "bench_bot"}
_MULTIPART_CHAT = re.compile(rb'name="chat_id"\r\n\r\n(-?\d+)')


def fingerprint(text: str) -> int:
    return zlib.crc32(text.encode())


class FakeBotAPI:
    def __init__(self) -> None:
        self.chats: dict[int, list[int]] = defaultdict(list)
        self.calls: Counter[str] = Counter()
        self._message_ids = 0

    def answer(self, method: str, content_type: str, body: bytes) -> dict[str, Any]:
        self.calls[method] += 1
        if method == "getMe":
            return BOT_USER
        if method not in ("sendMessage", "sendDocument"):
            return True  # type: ignore[return-value] # setMyCommands, answerCallbackQuery, ...
        if content_type.startswith("multipart/"):
            found = _MULTIPART_CHAT.search(body)
            chat, text = (int(found.group(1)) if found else 0), DOCUMENT
        else:
            form = parse_qs(body.decode())
            chat = int(form.get("chat_id", ["0"])[0])
            text = DOCUMENT if method == "sendDocument" else form.get("text", [""])[0]
        self.chats[chat].append(fingerprint(text))
        self._message_ids += 1
        message: dict[str, Any] = {
            "message_id": self._message_ids,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
        }
        if method == "sendDocument":
            message["document"] = {"file_id": "bench", "file_unique_id": "bench"}
        return message

    def received(self) -> dict[str, Any]:
        return {"chats": self.chats, "calls": self.calls}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request_line := await reader.readline():
                length, content_type = 0, ""
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "content-type":
                        content_type = value.strip()
                body = await reader.readexactly(length)
                path = request_line.split()[1].decode()
                if path == "/received":
                    payload = orjson.dumps(self.received(), option=orjson.OPT_NON_STR_KEYS)
                else:
                    result = self.answer(path.rsplit("/", 1)[-1], content_type, body)
                    payload = orjson.dumps({"ok": True, "result": result})
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def _main() -> None:
    fake = FakeBotAPI()
    server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/bot", flush=True)
    # runs until its parent closes stdin
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(_main())
