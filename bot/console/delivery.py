"""How an operator's reply reaches the user: a sender per channel, or the user's next turn.

The app hands the console one sender per channel that can push a message (Telegram, WeChat's
customer-service API): the channel objects' `send_operator_text` (bot/channels/lifecycle.py),
passed to `bot.console.routes.routes` as `operator_senders`.

Channels without one (the terminal) get the reply queued in the store: the user's next turn shows
it before the bot's own answer (bot/turns.py). Both are recorded through the Service.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import Enum

from starlette.concurrency import run_in_threadpool

from bot.service import Service
from bot.types import UserKey

log = logging.getLogger("weiquan.console")

Sender = Callable[[str, str], Awaitable[None]]  # (user_key, text); raises when not taken


class Delivery(Enum):
    SENT = "sent"  # pushed through the channel's sender
    QUEUED = "queued"  # shown at the user's next message
    NO_SESSION = "no_session"


async def queue_reply(service: Service, user_key: str, operator: str, text: str) -> bool:
    return await service.record_operator_reply(user_key, operator, text, pushed=None)


async def deliver(
    service: Service, senders: Mapping[str, Sender], user_key: str, operator: str, text: str
) -> Delivery:
    """Push the reply if the channel can; otherwise (or if pushing fails) keep it for later.

    The user sees it marked as coming from a person (console.from_operator, in their language).
    """
    session = await run_in_threadpool(service.session, user_key)
    if session is None:
        return Delivery.NO_SESSION
    sender = senders.get(UserKey.parse(user_key).channel)
    if sender is not None:
        shown = service.i18n.text(session.lang, "console.from_operator", text=text)
        try:
            await sender(user_key, shown)
        except Exception as exc:  # the platform refused: the user still gets it next turn
            log.warning("operator reply not pushed (%s); queued instead", type(exc).__name__)
        else:
            await service.record_operator_reply(user_key, operator, text, pushed=shown)
            return Delivery.SENT
    queued = await queue_reply(service, user_key, operator, text)
    return Delivery.QUEUED if queued else Delivery.NO_SESSION
