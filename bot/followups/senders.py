"""Proactive senders: deliver a reply the user did not ask for just now (a due follow-up).

A sender takes (user_key, reply) and says whether the platform accepted it. Telegram may message
a private chat at any time; WeChat only inside its 48-hour customer-service window, so the worker
fires WeChat reminders only once the user has written again (see followup_queries.claim_due).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import LinkPreviewOptions

from bot.config import Settings
from bot.types import Outbound

log = logging.getLogger("weiquan.followups")

Sender = Callable[[str, Outbound], Awaitable[bool]]
WAIT_FOR_USER = frozenset({"wechat"})  # channels that may only answer after the user wrote
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramSender:
    """Renders like the Telegram adapter (HTML, inline keyboard on the last chunk)."""

    def __init__(self, service: Any, bot: Any) -> None:
        self.service = service
        self.bot = bot

    async def __call__(self, user_key: str, outbound: Outbound) -> bool:
        from telegram.constants import ParseMode
        from telegram.error import TelegramError

        from bot.channels import telegram_render as render

        chat_id = int(user_key.split(":", 1)[1])  # a private chat's id is the user's id
        await self.bot.initialize()  # once (getMe); later calls return at once

        def text(key: str) -> str:
            return str(self.service.i18n.text(outbound.lang, key))

        for chunk in render.render(outbound, text):
            try:
                await self.bot.send_message(
                    chat_id, chunk.html, parse_mode=ParseMode.HTML, reply_markup=chunk.keyboard,
                    link_preview_options=NO_PREVIEW,
                )  # fmt: skip
            except TelegramError as error:
                log.warning("follow-up: telegram send failed (%s)", type(error).__name__,
                            extra={"user_key": user_key})  # fmt: skip
                return False
        return True

    async def aclose(self) -> None:
        await self.bot.shutdown()


def telegram_sender(service: Any, bot: Any) -> TelegramSender:
    return TelegramSender(service, bot)


def wechat_sender(api: Any) -> Sender:
    """Customer-service text messages through the WeChat adapter's API client."""
    from bot.channels.render import plain_text
    from bot.channels.wechat_turns import split_utf8

    async def send(user_key: str, outbound: Outbound) -> bool:
        openid = user_key.split(":", 1)[1]
        try:
            await api.send_texts(openid, split_utf8(plain_text(outbound)))
        except Exception as error:  # a refused send leaves the reply unsent in the outbox
            log.warning("follow-up: wechat send failed (%s)", type(error).__name__,
                        extra={"user_key": user_key})  # fmt: skip
            return False
        return True

    return send


def configured_senders(service: Any, settings: Settings) -> dict[str, Sender]:
    """Senders for the channels this deployment has credentials for."""
    senders: dict[str, Sender] = {}
    if settings.telegram_token is not None:
        from bot.channels.telegram import make_bot

        senders["telegram"] = telegram_sender(service, make_bot(settings))
    if settings.wechat_appid and settings.wechat_secret:
        from bot.channels.wechat_api import WeChatAPI

        senders["wechat"] = wechat_sender(WeChatAPI(settings, service.clock))
    return senders


async def close_senders(senders: dict[str, Sender]) -> None:
    for sender in senders.values():
        close = getattr(sender, "aclose", None)
        if close is not None:
            await close()
