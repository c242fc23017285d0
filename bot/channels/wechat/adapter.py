"""WeChat Official Account (公众号): `GET/POST /wechat` and the case-file download, in `weiquan serve`.

The checks come in the order that costs an attacker the most and us the least: the query
signature and timestamp (403) before reading the body, the body's size (413) while reading it,
then safe XML parsing and, in safe mode, msg_signature and decryption (400/403). With an
EncodingAESKey configured only encrypted (`encrypt_type=aes`) POSTs are accepted: a plaintext one
is a downgrade (its query signature does not cover the body) and gets 403. A signature/timestamp/
nonce triple is good for one body only (shared by all workers through the store): the same body
again is WeChat's retry, another body is a replay (403). Nothing here raises into Starlette:
every failure is a status code.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot import metrics
from bot.channels.wechat.api import WeChatAPI
from bot.channels.wechat.turns import Conversation, Reply
from bot.channels.wechat.xml import (
    MAX_AGE_SECONDS,
    OPENID,
    Envelope,
    PayloadError,
    is_fresh,
    parse_xml,
    signature_matches,
    text_reply,
)
from bot.config import Settings, content_dir
from bot.engine.flow import Flow, load_flow, menu
from bot.engine.i18n import DEFAULT_LANG, I18n
from bot.errors import ChannelError, StoreError
from bot.service import Service

log = logging.getLogger("bot.channels.wechat")

MAX_BODY = 1_000_000
REQUIRED = ("ToUserName", "FromUserName", "CreateTime", "MsgType")


class WeChatEndpoint:
    def __init__(self, service: Service, settings: Settings, conversation: Conversation) -> None:
        if settings.wechat_token is None:
            raise ChannelError("WEIQUAN_WECHAT_TOKEN is not set")
        self.token = settings.wechat_token.reveal()
        self.envelope: Envelope | None = None
        if settings.wechat_aes_key:
            if not settings.wechat_appid:
                raise ChannelError("WEIQUAN_WECHAT_AES_KEY needs WEIQUAN_WECHAT_APPID")
            self.envelope = Envelope(self.token, settings.wechat_aes_key.reveal(), settings.wechat_appid)
        self.clock = service.clock
        self.conversation = conversation
        self.service = service

    def _signed_now(self, request: Request) -> bool:
        query = request.query_params
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not signature_matches(query.get("signature", ""), self.token, timestamp, nonce):
            log.warning("wechat: bad signature", extra={"channel": "wechat", "status": 403})
            metrics.errors.labels("wechat", "forbidden").inc()
            return False
        if not is_fresh(timestamp, self.clock()):
            log.warning("wechat: stale timestamp", extra={"channel": "wechat", "status": 403})
            metrics.errors.labels("wechat", "forbidden").inc()
            return False
        return True

    async def verify(self, request: Request) -> Response:
        """URL verification when the server address is saved in the WeChat admin console."""
        if not self._signed_now(request):
            return Response(status_code=403)
        return PlainTextResponse(request.query_params.get("echostr", ""))

    async def receive(self, request: Request) -> Response:
        if not self._signed_now(request):
            return Response(status_code=403)
        body = await _read_limited(request)
        if body is None:
            metrics.errors.labels("wechat", "bad_request").inc()
            return Response(status_code=413)
        if not body.strip():
            metrics.errors.labels("wechat", "bad_request").inc()
            return Response(status_code=400)
        query = request.query_params
        encrypted = query.get("encrypt_type", "").lower() == "aes"
        if self.envelope is not None and not encrypted:
            return _forbidden("wechat: plaintext message refused in safe mode")
        encrypted = encrypted and self.envelope is not None
        try:
            fields = parse_xml(body)
            if encrypted:
                assert self.envelope is not None
                sealed = fields.get("Encrypt", "")
                signed = self.envelope.signature_matches(
                    query.get("msg_signature", ""), query.get("timestamp", ""), query.get("nonce", ""), sealed
                )
                if not sealed or not signed:
                    return _forbidden("wechat: bad msg_signature")
                fields = parse_xml(self.envelope.open(sealed))
            _check_fields(fields)
        except PayloadError as error:
            log.warning("wechat: %s", error, extra={"channel": "wechat", "status": 400})
            metrics.errors.labels("wechat", "bad_request").inc()
            return Response(status_code=400)
        try:
            if not await self._first_use(query, body):
                return _forbidden("wechat: signature replayed with another body")
            reply = await self.conversation.answer(fields)
        except Exception as error:  # the store failed before a turn began: an apology, never a 500
            log.error("wechat: message failed (%s)", type(error).__name__, extra={"channel": "wechat"})
            metrics.errors.labels("wechat", "turn").inc()
            reply = Reply(self.service.i18n.text(DEFAULT_LANG, "wechat.error"))
        if not reply.text:  # WeChat takes "success" as "nothing to say" (an empty text is an error)
            return PlainTextResponse("success")
        now = self.clock()
        xml = text_reply(fields["FromUserName"], fields["ToUserName"], reply.text, now)
        if encrypted:
            assert self.envelope is not None
            xml = self.envelope.seal(xml, str(int(now)))
        if reply.outbox_id is not None:  # marked before it goes: a crash never sends it twice
            try:
                await self.service.mark_sent(reply.outbox_id)
            except StoreError:
                log.warning("wechat: passive reply not marked sent", extra={"outbox_id": reply.outbox_id})
        return Response(xml, media_type="application/xml")

    async def _first_use(self, query: Any, body: bytes) -> bool:
        """The triple is new, or it came before with this very body (WeChat retrying)."""
        triple = "\n".join(query.get(name, "") for name in ("signature", "timestamp", "nonce"))
        key = hashlib.sha256(triple.encode()).hexdigest()
        digest = hashlib.sha256(body).hexdigest()
        keep = 2 * MAX_AGE_SECONDS + 60  # past the freshness window on either side, clock skew too
        # a store failure raises: the caller answers with an apology and runs no turn
        return await asyncio.wrap_future(self.service.store.bind_signed_body(key, digest, self.clock(), keep))


def _forbidden(reason: str) -> Response:
    log.warning(reason, extra={"channel": "wechat", "status": 403})
    metrics.errors.labels("wechat", "forbidden").inc()
    return Response(status_code=403)


def _check_fields(fields: dict[str, str]) -> None:
    missing = [name for name in REQUIRED if not fields.get(name)]
    if missing:
        raise PayloadError(f"missing {', '.join(missing)}")
    # both ids are echoed into the reply's XML: only the characters WeChat ids are made of
    if not OPENID.fullmatch(fields["FromUserName"]) or not OPENID.fullmatch(fields["ToUserName"]):
        raise PayloadError("malformed user or account id")
    if not fields["CreateTime"].isascii() or not fields["CreateTime"].isdigit():
        raise PayloadError("malformed CreateTime")


async def _read_limited(request: Request) -> bytes | None:
    """The body, or None as soon as it passes MAX_BODY (declared or actual)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def endpoint_routes(endpoint: WeChatEndpoint) -> list[BaseRoute]:
    """`GET /wechat` (URL verification) and `POST /wechat` (messages)."""

    async def dispatch(request: Request) -> Response:
        if request.method == "GET":
            return await endpoint.verify(request)
        return await endpoint.receive(request)

    return [Route("/wechat", dispatch, methods=["GET", "POST"])]


def menu_payload(flow: Flow, i18n: I18n, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The custom menu from the flow's `menus: wechat:` section; a click sends its command."""
    buttons: list[dict[str, Any]] = []
    for name, commands in menu(flow, "wechat"):
        label = i18n.text(lang, f"wechat.menu.{name}")
        entries = [
            {"type": "click", "name": i18n.text(lang, f"wechat.menu.{c.lstrip('/')}"), "key": c}
            for c in commands
        ]
        if len(entries) == 1:
            buttons.append({**entries[0], "name": label})
        else:
            buttons.append({"name": label, "sub_button": entries})
    return {"button": buttons}


async def create_menu(settings: Settings, lang: str = DEFAULT_LANG) -> None:
    """`weiquan wechat menu`: replaces the account's custom menu (needs APPID and SECRET)."""
    flow, i18n = load_flow(content_dir("dialogs")), I18n.load(content_dir("locales"))
    api = WeChatAPI(settings, clock=time.time)
    try:
        await api.create_menu(menu_payload(flow, i18n, lang))
    finally:
        await api.aclose()
    log.info("wechat: menu created", extra={"channel": "wechat"})
