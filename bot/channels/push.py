"""Proactive senders: deliver a reply the user did not ask for just now (a due follow-up).

A sender takes (user_key, reply) and says whether the platform accepted it. Telegram may message
a private chat at any time; WeChat only inside its 48-hour customer-service window, so the worker
fires WeChat reminders only once the user has written again (see followup_queries.claim_due).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.config import Settings
from bot.types import Outbound

Sender = Callable[[str, Outbound], Awaitable[bool]]
WAIT_FOR_USER = frozenset({"wechat"})  # channels that may only answer after the user wrote


def configured_senders(service: Any, settings: Settings) -> dict[str, Sender]:
    """Senders for the channels this deployment has credentials for."""
    senders: dict[str, Sender] = {}
    if settings.telegram_token is not None:
        from bot.channels.telegram.adapter import make_bot
        from bot.channels.telegram.push import telegram_sender

        senders["telegram"] = telegram_sender(service, make_bot(settings))
    if settings.wechat_appid and settings.wechat_secret:
        from bot.channels.wechat.api import WeChatAPI
        from bot.channels.wechat.push import wechat_sender

        senders["wechat"] = wechat_sender(WeChatAPI(settings, service.clock))
    return senders


async def close_senders(senders: dict[str, Sender]) -> None:
    for sender in senders.values():
        close = getattr(sender, "aclose", None)
        if close is not None:
            await close()
