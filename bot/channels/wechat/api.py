"""The few WeChat Official Account API calls we make: access token, customer-service text, menu,
temporary media.

One long-lived httpx.AsyncClient per WeChatAPI (its connections are reused across deliveries),
closed by `aclose()` when the channel stops. The access token is cached until shortly before it
expires and fetched again when WeChat says it is invalid or expired (another process may have
refreshed it: WeChat keeps only the newest token valid).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx
import orjson

from bot.config import Settings
from bot.errors import ChannelError

log = logging.getLogger(__name__)

Clock = Callable[[], float]
TOKEN_MARGIN_SECONDS = 300  # refresh this long before WeChat's expires_in runs out
TOKEN_INVALID = frozenset({40001, 40014, 42001})  # invalid credential, invalid token, token expired
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class WeChatAPIError(ChannelError):
    def __init__(self, path: str, errcode: int) -> None:
        super().__init__(f"wechat {path}: errcode {errcode}")
        self.errcode = errcode


class WeChatAPI:
    def __init__(self, settings: Settings, clock: Clock = time.time) -> None:
        self.base = settings.wechat_api_base
        self._appid = settings.wechat_appid
        self._secret = settings.wechat_secret
        self._clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()
        self._client: httpx.AsyncClient | None = None  # opened at the first call

    @property
    def configured(self) -> bool:
        return bool(self._appid and self._secret)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=TIMEOUT)
        return self._client

    @property
    def closed(self) -> bool:
        """No connection is left open (never opened, or closed by `aclose`)."""
        return self._client is None or self._client.is_closed

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send_texts(self, openid: str, texts: Sequence[str]) -> None:
        """Customer-service text messages, in order (WeChat allows them for 48 h after the user wrote)."""
        for text in texts:
            payload = {"touser": openid, "msgtype": "text", "text": {"content": text}}
            await self.call("/cgi-bin/message/custom/send", payload)

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("/cgi-bin/menu/create", menu)

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON with the access token; one retry with a fresh token if WeChat rejects it."""
        token = await self.access_token()
        try:
            return await self._post(path, payload, token)
        except WeChatAPIError as error:
            if error.errcode not in TOKEN_INVALID:
                raise
        token = await self.access_token(stale=token)
        return await self._post(path, payload, token)

    async def media(self, media_id: str, limit: int) -> bytes | None:
        """A temporary media file (GET /cgi-bin/media/get), or None when WeChat has none for us or
        it is larger than `limit` bytes; one retry with a fresh token if WeChat rejects it."""
        stale: str | None = None
        for _attempt in range(2):
            token = await self.access_token(stale=stale)
            params = {"access_token": token, "media_id": media_id}
            response = await self._send(self.client.get(f"{self.base}/cgi-bin/media/get", params=params))
            if response.status_code != 200:
                return None
            if response.headers.get("content-type", "").startswith(("application/json", "text/")):
                try:  # an error object instead of the file
                    self._json(response, "/media/get")
                except WeChatAPIError as error:
                    if error.errcode in TOKEN_INVALID:
                        stale = token
                        continue
                return None
            return response.content if len(response.content) <= limit else None
        return None

    async def access_token(self, stale: str | None = None) -> str:
        async with self._token_lock:
            fresh = self._token is not None and self._clock() < self._token_expires_at
            if fresh and self._token != stale:
                assert self._token is not None
                return self._token
            if not self.configured:
                raise ChannelError("WEIQUAN_WECHAT_APPID and WEIQUAN_WECHAT_SECRET are needed for API calls")
            assert self._appid is not None and self._secret is not None
            params = {
                "grant_type": "client_credential",
                "appid": self._appid,
                "secret": self._secret.reveal(),
            }
            data = self._json(
                await self._send(self.client.get(f"{self.base}/cgi-bin/token", params=params)), "/token"
            )
            token, expires_in = data.get("access_token"), data.get("expires_in")
            if not isinstance(token, str) or not token or not isinstance(expires_in, int):
                raise ChannelError("wechat /token: no access_token in the answer")
            self._token = token
            self._token_expires_at = self._clock() + max(expires_in - TOKEN_MARGIN_SECONDS, 0)
            log.info("wechat: access token refreshed")
            return token

    async def _post(self, path: str, payload: dict[str, Any], token: str) -> dict[str, Any]:
        # orjson writes UTF-8 as is: WeChat shows \\uXXXX escapes literally (menu names, messages)
        response = await self._send(
            self.client.post(
                f"{self.base}{path}",
                params={"access_token": token},
                content=orjson.dumps(payload),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        )
        return self._json(response, path)

    @staticmethod
    async def _send(request: Awaitable[httpx.Response]) -> httpx.Response:
        try:
            return await request
        except httpx.HTTPError as error:  # the type only: the URL holds the secret or the token
            raise ChannelError(f"wechat API unreachable ({type(error).__name__})") from None

    @staticmethod
    def _json(response: httpx.Response, path: str) -> dict[str, Any]:
        if response.status_code != 200:
            raise ChannelError(f"wechat {path}: HTTP {response.status_code}")
        try:
            data = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ChannelError(f"wechat {path}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise ChannelError(f"wechat {path}: the answer is not a JSON object")
        errcode = data.get("errcode", 0)
        if errcode != 0:
            raise WeChatAPIError(path, errcode if isinstance(errcode, int) else -1)
        return data
