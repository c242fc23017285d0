"""Telegram: long polling (`weiquan telegram`) and `POST /telegram/webhook` (`weiquan serve`).

python-telegram-bot does the I/O (Bot API calls, Update parsing, AIORateLimiter); the conversation
lives in our engine and store. Both modes feed `TelegramChannel.process`, which takes one update
at a time per user (an asyncio lock, FIFO) so a user's messages are answered in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
from collections.abc import Coroutine
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import BotCommand, Update
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, ExtBot, TypeHandler
from telegram.request import HTTPXRequest

from bot.channels.telegram.checks import malformed
from bot.channels.telegram.updates import TelegramChannel
from bot.config import Settings
from bot.console.delivery import register_sender
from bot.engine.i18n import LANGS
from bot.errors import ChannelError, StoreError
from bot.followups.worker import BackgroundFollowups
from bot.service import Service

log = logging.getLogger("bot.channels.telegram")

DEFAULT_API_BASE = "https://api.telegram.org/bot"
MAX_BODY = 1_000_000  # Telegram updates are a few KB; anything near this is not Telegram
COMMANDS = ("start", "help", "back", "restart", "summary", "lang", "human", "delete",
            "filed", "reminders", "evidence", "move")  # the last four: dialogs/followups.yaml
MENU_LANGUAGES = {"zh_CN": "zh", "en": "en"}  # our locale -> Telegram language_code
RATE_LIMIT_RETRIES = 2  # a 429 is retried after retry_after this many times, then dropped


def make_bot(settings: Settings, requests: tuple[HTTPXRequest, HTTPXRequest] | None = None) -> ExtBot[int]:
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
        rate_limiter=AIORateLimiter(overall_max_rate=settings.telegram_max_rate,
                                    max_retries=RATE_LIMIT_RETRIES),
    )


def http_clients() -> tuple[HTTPXRequest, HTTPXRequest]:
    """(for API calls, for getUpdates); the pool allows concurrent users' replies. 16, not more:
    httpcore looks over every pooled connection on each request, so a 64-connection pool cost a
    third more CPU per reply, and Telegram's ~30 messages/s need only a few connections."""
    return (
        HTTPXRequest(connection_pool_size=16, connect_timeout=5.0, read_timeout=15.0),
        HTTPXRequest(connection_pool_size=2, read_timeout=15.0),
    )


async def set_commands(bot: ExtBot[int], service: Service) -> None:
    """The command menu, in Chinese by default and in English for English-language clients."""
    for lang in LANGS:
        commands = [BotCommand(c, service.i18n.text(lang, f"telegram.commands.{c}")) for c in COMMANDS]
        code = MENU_LANGUAGES.get(lang)
        await bot.set_my_commands(commands, language_code=code)
        if lang == "zh_CN":
            await bot.set_my_commands(commands)  # clients in any other language


# -- webhook (inside `weiquan serve`) -------------------------------------------------------------
class TelegramWebhook:
    """Checks the secret, parses the update, answers 2xx for everything Telegram may send."""

    def __init__(self, service: Service, settings: Settings) -> None:
        self.secret = settings.telegram_webhook_secret
        # Kept so aclose can close them: Bot.shutdown skips clients it never initialized itself.
        self.requests = http_clients()
        self.channel = TelegramChannel(service, make_bot(settings, self.requests))

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
        self.start()  # the app's lifespan started it already; this covers a route mounted alone
        try:
            # Returns once the turn is committed; the replies go out in the background, in order.
            await self.channel.process_json(data)
        except StoreError:
            return Response(status_code=503)  # nothing committed: Telegram will resend it
        return Response(status_code=200)

    def start(self) -> None:
        """The outbox retry loop (the app's lifespan calls it at start-up)."""
        self.channel.start_outbox_retries()

    async def aclose(self) -> None:
        await self.channel.drain()
        await self.channel.stop_outbox_retries()
        await self.channel.bot.shutdown()
        for request in self.requests:
            await request.shutdown()


class WebhookRoute(Route):
    """The route, holding its webhook so the app can close the Bot API client at shutdown."""

    def __init__(self, webhook: TelegramWebhook) -> None:
        super().__init__("/telegram/webhook", webhook.handle, methods=["POST"])
        self.webhook = webhook


def routes(service: Service, settings: Settings) -> list[BaseRoute]:
    if settings.telegram_token is None:
        return []
    webhook = TelegramWebhook(service, settings)
    register_sender("telegram", webhook.channel.send_operator_text)  # console takeover replies
    return [WebhookRoute(webhook)]


# -- long polling and webhook registration (`weiquan telegram [--set-webhook URL]`) ----------------
def run_polling(settings: Settings, set_webhook: str | None = None) -> int:
    if settings.telegram_token is None:
        log.error("telegram: set WEIQUAN_TELEGRAM_TOKEN first")
        return 2
    if set_webhook is not None:
        return asyncio.run(_register_webhook(settings, set_webhook))
    service = Service.open(settings)
    try:
        channel = TelegramChannel(service, make_bot(settings))
        followups = BackgroundFollowups(service, settings)  # due complaint reminders

        async def on_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert isinstance(update, Update)
            with contextlib.suppress(StoreError):  # logged; polling cannot ask for a resend
                await channel.process(update)

        async def post_init(application: Application) -> None:  # type: ignore[type-arg]
            await _quietly(set_commands(channel.bot, service), "set_my_commands")
            channel.start_outbox_retries()
            followups.start()
            gc.collect()
            gc.freeze()  # start-up objects out of the collector's way (see bot/app.py)

        async def post_stop(application: Application) -> None:  # type: ignore[type-arg]
            await channel.drain()
            await channel.stop_outbox_retries()
            await followups.stop()

        builder = Application.builder().bot(channel.bot)
        application = builder.post_init(post_init).post_stop(post_stop).build()
        # block=False: each update is its own task (created in arrival order); the per-user lock
        # inside `process` keeps one user's updates in order while other users run concurrently.
        application.add_handler(TypeHandler(Update, on_update, block=False))
        log.info("telegram: long polling started")
        try:
            application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
        except InvalidToken:  # its message quotes the token: never let it reach a log or a terminal
            log.error("telegram: the Bot API rejected WEIQUAN_TELEGRAM_TOKEN")
            return 1
        except TelegramError as error:
            log.error("telegram: could not start polling (%s)", type(error).__name__)
            return 1
        log.info("telegram: long polling stopped")
        return 0
    finally:
        service.close()


async def _register_webhook(settings: Settings, url: str) -> int:
    if not settings.telegram_webhook_secret:
        log.error("telegram: set WEIQUAN_TELEGRAM_WEBHOOK_SECRET before registering a webhook")
        return 2
    service = Service.open(settings)
    bot = make_bot(settings)
    try:
        async with bot:
            await bot.set_webhook(
                url,
                secret_token=settings.telegram_webhook_secret.reveal(),
                allowed_updates=Update.ALL_TYPES,
            )
            await set_commands(bot, service)
    except InvalidToken:  # its message quotes the token
        log.error("telegram: the Bot API rejected WEIQUAN_TELEGRAM_TOKEN")
        return 1
    except BadRequest as error:  # e.g. "bad webhook: An HTTPS URL must be provided for webhook"
        log.error("telegram: setWebhook refused: %s", error.message)
        return 1
    except TelegramError as error:
        log.error("telegram: setWebhook failed (%s)", type(error).__name__)
        return 1
    finally:
        service.close()
    log.info("telegram: webhook registered")
    return 0


async def _quietly(call: Coroutine[Any, Any, None], what: str) -> None:
    try:
        await call
    except Exception as error:  # a menu that failed to update must not stop the bot
        log.warning("telegram: %s failed (%s)", what, type(error).__name__)
