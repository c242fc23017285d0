"""`weiquan telegram`: long polling, or `--set-webhook URL` to register `weiquan serve`'s webhook."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Coroutine
from typing import Any

from telegram import Update
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.configured import configured_channels
from bot.channels.reminders import ChannelFollowups
from bot.channels.telegram.adapter import make_bot, set_commands
from bot.channels.telegram.channel import Telegram
from bot.config import Settings
from bot.errors import StoreError
from bot.service import Service

log = logging.getLogger("bot.channels.telegram")


def run_polling(settings: Settings, set_webhook: str | None = None) -> int:
    if settings.telegram_token is None:
        log.error("telegram: set WEIQUAN_TELEGRAM_TOKEN first")
        return 2
    if set_webhook is not None:
        return asyncio.run(_register_webhook(settings, set_webhook))
    service = Service.open(settings)
    try:
        channels = configured_channels(service, settings)  # WeChat too, for its reminders
        telegram = next(channel for channel in channels if isinstance(channel, Telegram))
        followups = ChannelFollowups(service, channels)  # due complaint reminders

        async def on_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert isinstance(update, Update)
            with contextlib.suppress(StoreError):  # logged; polling cannot ask for a resend
                await telegram.updates.process(update)

        async def post_init(application: Application) -> None:  # type: ignore[type-arg]
            await _quietly(set_commands(telegram.bot, service), "set_my_commands")
            for channel in channels:
                await channel.start()
            followups.start()
            gc.collect()
            gc.freeze()  # start-up objects out of the collector's way (see bot/app.py)

        async def post_stop(application: Application) -> None:  # type: ignore[type-arg]
            await followups.stop()
            for channel in channels:  # Application.shutdown then finds the bot already shut
                await channel.aclose()

        builder = Application.builder().bot(telegram.bot)
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
