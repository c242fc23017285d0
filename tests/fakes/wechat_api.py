"""A fake WeChat Official Account API on 127.0.0.1: token, customer-service send, menu create.

It answers as api.weixin.qq.com does (JSON with `errcode`/`errmsg`, HTTP 200 even for errors),
checks what WeChat checks (appid/secret, a current access token, text and menu limits, UTF-8 JSON)
and records every call, so tests assert on what weiquan really sent.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.loopback import LoopbackServer

APPID = "wx5823bf96d3bd56c7"
SECRET = "fake-app-secret-0123456789abcdef"
TEXT_BYTES = 2048  # our budget per customer-service text, enforced here like the passive limit
MENU_TOP, MENU_SUB = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES = 16, 60, 128


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeWeChatAPI:
    appid: str = APPID
    secret: str = SECRET
    calls: list[Call] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    fail_sends: list[int] = field(default_factory=list)  # errcodes for the next custom/sends, in order
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.app = Starlette(
            routes=[
                Route("/cgi-bin/token", self.token, methods=["GET"]),
                Route("/cgi-bin/message/custom/send", self.custom_send, methods=["POST"]),
                Route("/cgi-bin/menu/create", self.menu_create, methods=["POST"]),
            ]
        )

    # -- what tests look at ---------------------------------------------------------------------
    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def sent_texts(self, openid: str) -> list[str]:
        """Contents of the accepted customer-service texts to this user, in order."""
        return [
            c.json()["text"]["content"]
            for c in self.calls_to("/cgi-bin/message/custom/send")
            if c.query.get("accepted") == "1" and c.json()["touser"] == openid
        ]

    def expire_tokens(self) -> None:
        """What WeChat does after 7200 s, or when another process fetched a newer token."""
        self.expired_tokens |= self.valid_tokens
        self.valid_tokens.clear()

    # -- the endpoints ---------------------------------------------------------------------------
    async def token(self, request: Request) -> JSONResponse:
        query = dict(request.query_params)
        self.calls.append(Call("/cgi-bin/token", query))
        if query.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if query.get("appid") != self.appid:
            return _error(40013, "invalid appid")
        if query.get("secret") != self.secret:
            return _error(40125, "invalid appsecret")
        token = f"ACCESS_TOKEN_{next(self._numbers)}"
        self.valid_tokens.add(token)
        return JSONResponse({"access_token": token, "expires_in": 7200})

    async def custom_send(self, request: Request) -> JSONResponse:
        call = await self._record(request)
        problem = self._token_problem(call)
        if problem:
            return problem
        try:
            payload = call.json()
            content = payload["text"]["content"]
            ok = payload["msgtype"] == "text" and isinstance(payload["touser"], str)
        except (ValueError, KeyError, TypeError):
            return _error(44002, "empty post data / invalid json")
        if not ok or not isinstance(content, str) or not content:
            return _error(40008, "invalid message type")
        if len(content.encode()) > TEXT_BYTES:
            return _error(45002, "content size out of limit")
        if self.fail_sends:
            code = self.fail_sends.pop(0)
            return _error(code, "system error" if code == -1 else "response out of time limit")
        call.query["accepted"] = "1"
        return _error(0, "ok")

    async def menu_create(self, request: Request) -> JSONResponse:
        call = await self._record(request)
        problem = self._token_problem(call)
        if problem:
            return problem
        try:
            buttons = call.json()["button"]
        except (ValueError, KeyError, TypeError):
            return _error(40016, "invalid button size")
        if not 1 <= len(buttons) <= MENU_TOP:
            return _error(40016, "invalid button size")
        for button in buttons:
            if len(button["name"].encode()) > TOP_NAME_BYTES:
                return _error(40018, "invalid button name size")
            subs = button.get("sub_button", [])
            if len(subs) > MENU_SUB:
                return _error(40023, "invalid sub button size")
            for entry in subs or [button]:
                limit = SUB_NAME_BYTES if subs else TOP_NAME_BYTES
                if len(entry["name"].encode()) > limit:
                    return _error(40018, "invalid button name size")
                if entry.get("type") != "click" or not 0 < len(entry.get("key", "").encode()) <= KEY_BYTES:
                    return _error(40019, "invalid button key size")
        call.query["accepted"] = "1"
        return _error(0, "ok")

    async def _record(self, request: Request) -> Call:
        call = Call(request.url.path, dict(request.query_params), await request.body())
        self.calls.append(call)
        return call

    def _token_problem(self, call: Call) -> JSONResponse | None:
        token = call.query.get("access_token", "")
        if token in self.expired_tokens:
            return _error(42001, "access_token expired")
        if token not in self.valid_tokens:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        return None


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"errcode": code, "errmsg": message})


@contextmanager
def running_fake() -> Iterator[tuple[FakeWeChatAPI, str]]:
    """The fake and its API root (what WEIQUAN_WECHAT_API_BASE holds: no /cgi-bin)."""
    fake = FakeWeChatAPI()
    with LoopbackServer(fake.app) as server:
        yield fake, server.url
