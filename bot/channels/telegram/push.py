"""Telegram's proactive sender: a reply the user did not ask for just now (a due follow-up).

Telegram may message a private chat at any time (see bot/channels/push.py).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import LinkPreviewOptions

from bot.types import Outbound

log = logging.getLogger("weiquan.followups")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramSender:
    """Renders like the Telegram adapter (HTML, inline keyboard on the last chunk)."""

    def __init__(self, service: Any, bot: Any) -> None:
        self.service = service
        self.bot = bot

    async def __call__(self, user_key: str, outbound: Outbound) -> bool:
        from telegram.constants import ParseMode
        from telegram.error import TelegramError

        from bot.channels.telegram import render

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
