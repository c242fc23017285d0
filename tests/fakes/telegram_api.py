"""A fake Telegram Bot API server on 127.0.0.1 that speaks the real JSON and records every call.

Requests arrive as python-telegram-bot sends them (form fields whose complex values are JSON, or
multipart with files). Replies follow https://core.telegram.org/bots/api: `{"ok": true, "result": …}`
or `{"ok": false, "error_code": …, "description": …}`. Text with parse_mode=HTML is checked the way
Telegram checks it (only its tags, entities escaped), so an unescaped `<script>` fails here too.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.loopback import LoopbackServer

TOKEN = "123456:TEST-token_fake"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Weiquan",
    "username": "weiquan_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TELEGRAM_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
TEXT_LIMIT = 4096


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 0  # the HTTP status the fake answered with

    def json(self, name: str) -> Any:
        return json.loads(self.params[name]) if name in self.params else None


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1


class _TelegramHTML(HTMLParser):
    """Rejects what Telegram's HTML parser rejects: unknown tags, unclosed tags, bare `<`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = f'Unexpected end tag "{tag}"'

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> tuple[str | None, str]:
    """(error or None, the plain text Telegram would show)."""
    if re.search(r"<(?![a-zA-Z/])", text) or re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        return "Can't parse entities: unescaped '<' or '&'", html.unescape(text)
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.stack and parser.error is None:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    return parser.error, "".join(parser.text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeBotAPI:
    """State and behaviour of the fake; `app` serves it, tests read `calls` and push updates."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.blocked: set[int] = set()  # chat ids that blocked the bot: 403 on every send
        self.failures: list[Failure] = []
        self.webhook_url = ""
        self.commands: dict[str, list[dict[str, str]]] = {}  # language_code -> commands
        self.markups: dict[tuple[int, int], Any] = {}  # (chat, message_id) -> reply_markup
        self._message_ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._arrived: asyncio.Event | None = None
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    # -- what tests use -----------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts of the sendMessage calls that Telegram accepted, as the bot sent them (HTML)."""
        return [
            c.params["text"]
            for c in self.calls_to("sendMessage")
            if c.status == 200 and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def refused(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.status >= 400]

    def fail(
        self, method: str, status: int, description: str, retry_after: int | None = None, times: int = 1
    ) -> None:
        with self._lock:
            self.failures.append(Failure(method, status, description, retry_after, times))

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (thread-safe; wakes a waiting long poll)."""
        with self._lock:
            self._updates.append(update)
        if self._loop is not None and self._arrived is not None:
            self._loop.call_soon_threadsafe(self._arrived.set)

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # -- the HTTP side ------------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params, files = await _read_params(request)
        call = Call(method, params, files)
        with self._lock:
            self.calls.append(call)
            failure = self._take_failure(method)
        response = await self._answer(call, failure)
        call.status = response.status_code
        return response

    async def _answer(self, call: Call, failure: Failure | None) -> Response:
        if failure is not None:
            extra = {"retry_after": failure.retry_after} if failure.retry_after else None
            return _error(failure.status, failure.description, extra)
        handler = getattr(self, f"_m_{call.method}", None)
        if handler is None:
            return _error(404, "Not Found")
        result = await handler(call.params, call.files)
        if isinstance(result, Response):
            return result
        return JSONResponse({"ok": True, "result": result})

    def _take_failure(self, method: str) -> Failure | None:
        for failure in self.failures:
            if failure.method == method:
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure
        return None

    def _message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "User"},
            **fields,
        }

    def _check_chat(self, params: dict[str, Any]) -> tuple[int, Response | None]:
        chat_id = int(params.get("chat_id", 0))
        if chat_id in self.blocked:
            return chat_id, _error(403, "Forbidden: bot was blocked by the user")
        return chat_id, None

    async def _m_getMe(self, params: dict[str, Any], files: Any) -> Any:
        return BOT_USER

    async def _m_sendMessage(self, params: dict[str, Any], files: Any) -> Any:
        chat_id, refused = self._check_chat(params)
        if refused:
            return refused
        text = params.get("text", "")
        shown = text
        if params.get("parse_mode") == "HTML":
            problem, shown = parse_html(text)
            if problem:
                return _error(400, f"Bad Request: {problem}")
        if not shown.strip():
            return _error(400, "Bad Request: message text is empty")
        if utf16_len(shown) > TEXT_LIMIT:
            return _error(400, "Bad Request: message is too long")
        markup = json.loads(params["reply_markup"]) if "reply_markup" in params else None
        message = self._message(chat_id, text=shown, **({"reply_markup": markup} if markup else {}))
        self.markups[(chat_id, message["message_id"])] = markup
        return message

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: Any) -> Any:
        chat_id, refused = self._check_chat(params)
        if refused:
            return refused
        key = (chat_id, int(params.get("message_id", 0)))
        if key not in self.markups:
            return _error(400, "Bad Request: message to edit not found")
        markup = json.loads(params["reply_markup"]) if "reply_markup" in params else None
        if markup == self.markups[key]:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current content "
                "and reply markup of the message",
            )
        self.markups[key] = markup
        return self._message(chat_id, text="…", **({"reply_markup": markup} if markup else {}))

    async def _m_answerCallbackQuery(self, params: dict[str, Any], files: Any) -> Any:
        return True

    async def _m_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat_id, refused = self._check_chat(params)
        if refused:
            return refused
        if "document" not in files:
            return _error(400, "Bad Request: there is no document in the request")
        name, data = files["document"]
        document = {
            "file_id": f"doc{len(data)}",
            "file_unique_id": "u1",
            "file_name": name,
            "file_size": len(data),
        }
        return self._message(chat_id, document=document)

    async def _m_getUpdates(self, params: dict[str, Any], files: Any) -> Any:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 2.0)  # keep shutdowns quick
        if self._arrived is None:
            self._loop, self._arrived = asyncio.get_running_loop(), asyncio.Event()
        deadline = time.monotonic() + timeout
        while True:
            self._arrived.clear()  # before looking, so an update pushed meanwhile still wakes us
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates[: int(params.get("limit", 100) or 100)])
            if ready or time.monotonic() >= deadline:
                return ready
            with suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), deadline - time.monotonic())

    async def _m_setWebhook(self, params: dict[str, Any], files: Any) -> Any:
        self.webhook_url = params.get("url", "")
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any], files: Any) -> Any:
        self.webhook_url = ""
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any], files: Any) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_setMyCommands(self, params: dict[str, Any], files: Any) -> Any:
        self.commands[params.get("language_code", "")] = json.loads(params["commands"])
        return True


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


async def _read_params(request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = dict(request.query_params)
    files: dict[str, tuple[str, bytes]] = {}
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = await request.json()
        params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    elif kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files[key] = (value.filename or "", await value.read())
                else:
                    params[key] = value
    return params, files


@contextmanager
def running_fake(token: str = TOKEN) -> Iterator[tuple[FakeBotAPI, str]]:
    """The fake and its PTB-style base_url (`…/bot`, the token is appended)."""
    fake = FakeBotAPI(token)
    with LoopbackServer(fake.app) as server:
        yield fake, f"{server.url}/bot"
