"""Bot API calls that send something, and the one place Telegram errors become log lines.

Each failure is classified once: GONE means retrying cannot help (the user blocked the bot, the
request was refused), RETRY means it might later (still rate limited after AIORateLimiter's
bounded retries, network trouble, Telegram 5xx). Logs carry ids, never text.
"""

from __future__ import annotations

import enum
import io
import logging
from collections.abc import Awaitable
from typing import TypeVar

from telegram import InlineKeyboardMarkup, InputFile, LinkPreviewOptions
from telegram import Message as TgMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import metrics
from bot.channels.telegram.render import Chunk

log = logging.getLogger("bot.channels.telegram")

T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # will never succeed: do not retry
    RETRY = "retry"  # may succeed later (the outbox retries a bounded number of times)


async def call(request: Awaitable[T], what: str, chat_id: int) -> T | Outcome:
    ids = {"user_key": f"telegram:{chat_id}", "status": what}
    try:
        return await request
    except Forbidden:
        metrics.errors.labels("telegram", "blocked").inc()
        log.warning("telegram: the user blocked the bot or left the chat", extra=ids)
        return Outcome.GONE
    except BadRequest as error:
        if "not modified" not in error.message.lower():  # "not modified": a double tap, harmless
            metrics.errors.labels("telegram", "bad_request").inc()
            log.warning("telegram: request refused", extra=ids)
        return Outcome.GONE
    except RetryAfter:
        metrics.errors.labels("telegram", "rate_limited").inc()
        log.warning("telegram: still rate limited after retries; left for later", extra=ids)
    except TelegramError as error:  # network errors, timeouts, 5xx, a rejected token
        metrics.errors.labels("telegram", "api").inc()
        log.warning("telegram: API call failed (%s)", type(error).__name__, extra=ids)
    return Outcome.RETRY


def partly_sent(chat_id: int) -> Outcome:
    """A reply whose first part went out: a retry would send that part twice, so it is not
    retried (exactly once over complete); the user still has what arrived and can ask again."""
    log.warning("telegram: a reply went out only in part", extra={"user_key": f"telegram:{chat_id}"})
    return Outcome.GONE


class Sender:
    def __init__(self, bot: ExtBot[int]) -> None:
        self.bot = bot

    async def chunks(self, chat_id: int, chunks: list[Chunk]) -> Outcome:
        for number, chunk in enumerate(chunks):
            request = self.bot.send_message(
                chat_id,
                chunk.html,
                parse_mode=ParseMode.HTML,
                reply_markup=chunk.keyboard,
                link_preview_options=NO_PREVIEW,
            )
            result = await call(request, "send_message", chat_id)
            if isinstance(result, Outcome):  # the rest would arrive out of context
                return result if number == 0 else partly_sent(chat_id)
        return Outcome.SENT

    async def document(self, chat_id: int, data: bytes, filename: str, caption: str) -> Outcome:
        request = self.bot.send_document(
            chat_id, InputFile(io.BytesIO(data), filename=filename), caption=caption
        )
        result = await call(request, "send_document", chat_id)
        return result if isinstance(result, Outcome) else Outcome.SENT

    async def edit_markup(self, message: TgMessage, markup: InlineKeyboardMarkup) -> None:
        request = self.bot.edit_message_reply_markup(message.chat.id, message.message_id, reply_markup=markup)
        await call(request, "edit_message_reply_markup", message.chat.id)

    async def answer(self, request: Awaitable[bool], chat_id: int) -> None:
        await call(request, "answer_callback_query", chat_id)
