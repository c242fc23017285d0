"""Telegram's Bot API client, its command menu, and the webhook handler (`POST /telegram/webhook`).

python-telegram-bot does the I/O (Bot API calls, Update parsing, AIORateLimiter); the conversation
lives in our engine and store. The webhook and long polling (bot/channels/telegram/polling.py) both
feed `TelegramChannel.process`, which takes one update at a time per user (an asyncio lock, FIFO)
so a user's messages are answered in order. bot/channels/telegram/channel.py holds them together.
"""

from __future__ import annotations

import hmac
import logging

import orjson
from starlette.requests import Request
from starlette.responses import Response
from telegram import BotCommand
from telegram.ext import AIORateLimiter, ExtBot

from bot.channels.telegram.checks import malformed
from bot.channels.telegram.http import AiohttpRequest
from bot.channels.telegram.updates import TelegramChannel
from bot.config import Settings
from bot.engine.flow import menu_commands
from bot.engine.i18n import LANGS
from bot.errors import ChannelError, StoreError
from bot.service import Service

log = logging.getLogger("bot.channels.telegram")

DEFAULT_API_BASE = "https://api.telegram.org/bot"
MAX_BODY = 1_000_000  # Telegram updates are a few KB; anything near this is not Telegram
MENU_LANGUAGES = {"zh_CN": "zh", "en": "en"}  # our locale -> Telegram language_code
RATE_LIMIT_RETRIES = 2  # a 429 is retried after retry_after this many times, then dropped


def make_bot(
    settings: Settings, requests: tuple[AiohttpRequest, AiohttpRequest] | None = None
) -> ExtBot[int]:
    """The Bot API client: PTB's ExtBot behind AIORateLimiter (bounded retries on 429)."""
    if settings.telegram_token is None:
        raise ChannelError("WEIQUAN_TELEGRAM_TOKEN is not set")
    request, get_updates_request = requests or http_clients()
    return ExtBot(
        settings.telegram_token.reveal(),
        base_url=settings.telegram_api_base or DEFAULT_API_BASE,
        # files (getFile downloads) come from the same server: …/bot -> …/file/bot
        base_file_url=(settings.telegram_api_base or DEFAULT_API_BASE).removesuffix("/bot") + "/file/bot",
        request=request,
        get_updates_request=get_updates_request,
        rate_limiter=AIORateLimiter(
            overall_max_rate=settings.telegram_max_rate, max_retries=RATE_LIMIT_RETRIES
        ),
    )


def http_clients() -> tuple[AiohttpRequest, AiohttpRequest]:
    """(for API calls, for getUpdates); the pool allows concurrent users' replies (Telegram's
    ~30 messages/s need only a few connections)."""
    return AiohttpRequest(pool_size=16, read_timeout=15.0), AiohttpRequest(pool_size=2, read_timeout=15.0)


async def set_commands(bot: ExtBot[int], service: Service) -> None:
    """The command menu (the flow's `menus: telegram:`), in Chinese by default and in English for
    English-language clients."""
    names = [command.lstrip("/") for command in menu_commands(service.engine.flow, "telegram")]
    for lang in LANGS:
        commands = [BotCommand(c, service.i18n.text(lang, f"telegram.commands.{c}")) for c in names]
        code = MENU_LANGUAGES.get(lang)
        await bot.set_my_commands(commands, language_code=code)
        if lang == "zh_CN":
            await bot.set_my_commands(commands)  # clients in any other language


# -- webhook (inside `weiquan serve`) -------------------------------------------------------------
class TelegramWebhook:
    """Checks the secret, parses the update, answers 2xx for everything Telegram may send."""

    def __init__(self, channel: TelegramChannel, settings: Settings) -> None:
        self.secret = settings.telegram_webhook_secret
        self.channel = channel

    @property
    def pending(self) -> int:
        """Users whose committed replies are still being sent."""
        return self.channel.pending

    async def handle(self, request: Request) -> Response:
        supplied = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not self.secret or not hmac.compare_digest(supplied.encode(), self.secret.reveal().encode()):
            log.warning("telegram webhook: wrong or missing secret token", extra={"status": 403})
            return Response(status_code=403)
        body = bytearray()
        async for part in request.stream():
            body += part
            if len(body) > MAX_BODY:
                return Response(status_code=413)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return Response(status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        problem = malformed(data)
        if problem is not None:  # authentic, but never answerable: acknowledged so it is not resent
            log.warning("telegram: %s dropped", problem, extra={"update_id": data["update_id"]})
            return Response(status_code=200)
        try:
            # Returns once the turn is committed; the replies go out in the background, in order.
            await self.channel.process_json(data)
        except StoreError:
            return Response(status_code=503)  # nothing committed: Telegram will resend it
        return Response(status_code=200)
