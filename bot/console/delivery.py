"""How an operator's reply reaches the user: a sender per channel, or the user's next turn.

Channel adapters that can push a message (Telegram, WeChat's customer-service API) register a
sender when the app starts:

    from bot.console.delivery import register_sender
    register_sender("telegram", send_text)   # async def send_text(user_key, text) -> None

Channels without one (the terminal) get the reply queued in the store: the user's next turn shows
it before the bot's own answer (bot/store/console_tables.py, ConsoleTurnHook).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from enum import Enum

from starlette.concurrency import run_in_threadpool

from bot.service import Service
from bot.store import console_tables as db
from bot.store import console_turns
from bot.types import UserKey

log = logging.getLogger("weiquan.console")

Sender = Callable[[str, str], Awaitable[None]]
_senders: dict[str, Sender] = {}


class Delivery(Enum):
    SENT = "sent"  # pushed through the channel's sender
    QUEUED = "queued"  # shown at the user's next message
    NO_SESSION = "no_session"


def register_sender(channel: str, sender: Sender) -> None:
    _senders[channel] = sender


def unregister_sender(channel: str) -> None:
    _senders.pop(channel, None)


def sender_for(channel: str) -> Sender | None:
    return _senders.get(channel)


async def queue_reply(service: Service, user_key: str, operator: str, text: str) -> bool:
    now = service.clock()
    store = service.store
    future = store.submit(lambda conn: db.queue_reply(conn, store.cipher, user_key, operator, text, now))
    queued = bool(await asyncio.wrap_future(future))
    console_turns.wake(store)
    return queued


async def deliver(service: Service, user_key: str, operator: str, text: str) -> Delivery:
    """Push the reply if the channel can; otherwise (or if pushing fails) keep it for later.

    The user sees it marked as coming from a person (console.from_operator, in their language).
    """
    session = await run_in_threadpool(service.session, user_key)
    if session is None:
        return Delivery.NO_SESSION
    sender = sender_for(UserKey.parse(user_key).channel)
    if sender is not None:
        shown = service.i18n.text(session.lang, "console.from_operator", text=text)
        try:
            await sender(user_key, shown)
        except Exception as exc:  # the platform refused: the user still gets it next turn
            log.warning("operator reply not pushed (%s); queued instead", type(exc).__name__)
        else:
            now, store = service.clock(), service.store
            await asyncio.wrap_future(store.submit(
                lambda conn: db.record_sent_reply(conn, store.cipher, user_key, shown, now)))  # fmt: skip
            return Delivery.SENT
    queued = await queue_reply(service, user_key, operator, text)
    return Delivery.QUEUED if queued else Delivery.NO_SESSION
