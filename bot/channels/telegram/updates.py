"""One Telegram update in, the engine's reply out: routing by update kind, delivery, the outbox.

Replies are sent only after the turn is committed and marked sent once delivered; a reply that
could not be delivered (network, still rate limited) stays in the outbox and is retried in the
background a bounded number of times (`Service.run_outbox_retries`). No update crashes the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import weakref
from collections import OrderedDict
from collections.abc import Coroutine
from functools import partial
from typing import Any

from telegram import CallbackQuery, Chat, ChatMemberUpdated, Update
from telegram import Message as TgMessage
from telegram.constants import ChatMemberStatus
from telegram.ext import ExtBot

from bot import metrics
from bot.channels.telegram import render
from bot.channels.telegram.media import on_telegram_media
from bot.channels.telegram.send import Outcome, Sender, call, partly_sent
from bot.engine.i18n import DEFAULT_LANG
from bot.errors import ChannelError, StoreError
from bot.service import Service
from bot.tools.case_render import render_docx
from bot.types import Inbound, Outbound, TurnResult

# Opt in to PTB 23's durations (datetime.timedelta) now: otherwise every 429 raises a
# PTBDeprecationWarning inside PTB itself (RetryAfter reads its own retry_after).
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger("bot.channels.telegram")


SEEN_LIMIT = 4096  # update ids remembered for replies that do not go through the store
MEDIA = ("photo", "video", "document", "voice", "audio", "video_note", "animation")


def locale_of(language_code: str | None) -> str | None:
    """Telegram's IETF tag (zh-hans, en-GB, …) -> our locale; None lets the engine choose."""
    code = (language_code or "").lower()
    if code.startswith("zh"):
        return "zh_CN"
    if code.startswith("en"):
        return "en"
    return None


class TelegramChannel:
    def __init__(self, service: Service, bot: ExtBot[int]) -> None:
        self.service = service
        self.bot = bot
        self.send = Sender(bot)
        self._retries: asyncio.Task[None] | None = None
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._chains: dict[str, asyncio.Task[None]] = {}  # per user: the newest delivery

    # -- entry points ------------------------------------------------------------------------
    async def process_json(self, data: dict[str, Any]) -> None:
        try:
            update = Update.de_json(data, self.bot)
        except Exception:  # a kind PTB cannot parse is still an accepted update
            log.info("telegram: unparsable update ignored", extra={"update_id": data["update_id"]})
            return
        await self.process(update)

    async def process(self, update: Update) -> None:
        user = update.effective_user
        key = f"telegram:{user.id}" if user else f"telegram-chat:{update.update_id}"
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            try:
                await self._route(update)
            except StoreError:  # nothing was committed: the caller may let Telegram resend it
                metrics.errors.labels("telegram", "store").inc()
                log.exception("telegram: store failed", extra={"update_id": update.update_id})
                raise
            except Exception:  # one bad update must never stop the others
                metrics.errors.labels("telegram", "update").inc()
                log.exception("telegram: update failed", extra={"update_id": update.update_id})

    async def _route(self, update: Update) -> None:
        if update.callback_query is not None:
            await self._on_callback(update, update.callback_query)
        elif update.message is not None:
            await self._on_message(update, update.message)
        elif update.edited_message is not None and update.edited_message.chat.type == Chat.PRIVATE:
            await self._note(update, update.edited_message.chat.id, "telegram.edited")
        elif update.my_chat_member is not None:
            await self._on_membership(update.my_chat_member)
        else:  # channel posts, inline queries, polls, reactions, kinds newer than this code
            log.info("telegram: update kind ignored", extra={"update_id": update.update_id})

    # -- messages ------------------------------------------------------------------------------
    async def _on_message(self, update: Update, message: TgMessage) -> None:
        user = message.from_user
        if message.chat.type != Chat.PRIVATE or user is None:
            await self._decline_group(message)
            return

        def inbound_of(text: str) -> Inbound:
            return Inbound(
                f"telegram:{user.id}",
                text,
                locale=locale_of(user.language_code),
                message_id=str(update.update_id),
            )

        if message.text is not None:
            await self._turn(message.chat.id, inbound_of(message.text))
        elif any(getattr(message, kind) for kind in MEDIA):
            if await on_telegram_media(self, update, message):
                return  # fingerprinted into the evidence timeline (bot/channels/telegram/media.py)
            if message.caption:  # a caption is words: the guards (crisis first) must read them
                await self._turn(message.chat.id, inbound_of(message.caption), "telegram.media_evidence")
            else:
                await self._note(update, message.chat.id, "telegram.media_evidence")
        else:  # stickers, locations, contacts, dice, …
            await self._note(update, message.chat.id, "telegram.text_only")

    async def _decline_group(self, message: TgMessage) -> None:
        """In groups only answer when addressed, so the bot never chatters in someone's group."""
        text = message.text or ""
        me = await self._username()
        if text.startswith("/") or (me and f"@{me}".lower() in text.lower()):
            lang = locale_of(message.from_user.language_code if message.from_user else None)
            await self._send_note(message.chat.id, lang or DEFAULT_LANG, "telegram.group_decline", me)

    async def _on_membership(self, change: ChatMemberUpdated) -> None:
        joined = change.new_chat_member.status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
        if change.chat.type != Chat.PRIVATE and joined:
            lang = locale_of(change.from_user.language_code) or DEFAULT_LANG
            await self._send_note(change.chat.id, lang, "telegram.group_decline", await self._username())
        elif change.chat.type == Chat.PRIVATE and not joined:
            log.info("telegram: user blocked the bot", extra={"user_key": f"telegram:{change.chat.id}"})

    async def _username(self) -> str:
        """The bot's @name for a t.me link; getMe once, only when a group needs the link."""
        await call(self.bot.initialize(), "get_me", 0)
        try:
            return self.bot.username
        except RuntimeError:  # getMe failed: decline without a link
            return ""

    # -- buttons -----------------------------------------------------------------------------
    async def _on_callback(self, update: Update, query: CallbackQuery) -> None:
        data = query.data or ""
        message = query.message if isinstance(query.message, TgMessage) else None
        markup = message.reply_markup if message else None
        user_key = f"telegram:{query.from_user.id}"
        chat_id = message.chat.id if message else query.from_user.id
        if render.is_toggle(data):
            await self.send.answer(query.answer(), chat_id)
            if message and markup and self._first_time(update.update_id):
                await self.send.edit_markup(message, render.toggled(markup, data))
            return
        option_ids = render.ticked_ids(markup) if data == render.DONE else (data,)
        if data in (render.NOOP, "") or not option_ids:  # "": a game button, not ours
            hint = self._text(user_key, query, "telegram.pick_at_least_one") if data == render.DONE else ""
            await self.send.answer(query.answer(hint or None), chat_id)
            return
        await self.send.answer(query.answer(), chat_id)
        inbound = Inbound(
            user_key,
            option_ids=option_ids,
            locale=locale_of(query.from_user.language_code),
            message_id=str(update.update_id),
        )
        chosen = render.chosen(markup, option_ids) if message else None
        await self._turn(chat_id, inbound, answered=(message, chosen))

    # -- one conversation turn ---------------------------------------------------------------------
    async def _turn(
        self,
        chat_id: int,
        inbound: Inbound,
        preface: str | None = None,
        answered: tuple[TgMessage | None, Any] = (None, None),
    ) -> None:
        result = await self.service.handle(inbound)
        if result.duplicate:
            log.info(
                "telegram: duplicate update, not answered again",
                extra={"user_key": inbound.user_key, "update_id": inbound.message_id},
            )
            return
        # The turn is committed: its replies join this user's delivery chain, so the next update
        # (and the webhook's HTTP answer) need not wait for Telegram's send rate.
        self._chain(inbound.user_key, self._reply(chat_id, inbound, result, preface, answered))

    def _chain(self, user_key: str, delivery: Coroutine[Any, Any, None]) -> None:
        previous = self._chains.get(user_key)

        async def in_order() -> None:
            if previous is not None:
                await asyncio.wait({previous})
            try:
                await delivery
            except Exception:  # the outbox keeps the reply; one failure must not stop the chain
                metrics.errors.labels("telegram", "delivery").inc()
                log.exception("telegram: delivery failed", extra={"user_key": user_key})

        task = asyncio.create_task(in_order())
        self._chains[user_key] = task
        task.add_done_callback(lambda done: self._chain_done(user_key, done))

    def _chain_done(self, user_key: str, task: asyncio.Task[None]) -> None:
        if self._chains.get(user_key) is task:
            del self._chains[user_key]

    @property
    def pending(self) -> int:
        """Users whose committed replies are still being delivered."""
        return len(self._chains)

    async def drain(self, timeout: float = 30) -> None:
        if self._chains:
            await asyncio.wait(set(self._chains.values()), timeout=timeout)

    async def _reply(
        self,
        chat_id: int,
        inbound: Inbound,
        result: TurnResult,
        preface: str | None,
        answered: tuple[TgMessage | None, Any],
    ) -> None:
        message, chosen = answered

        async def own() -> bool:
            if message is not None and chosen is not None:
                await self.send.edit_markup(message, chosen)
            if preface:
                note = render.escape(self.service.i18n.text(result.outbound.lang, preface))
                await self.send.chunks(chat_id, [render.Chunk(note)])
            return await self.deliver(inbound.user_key, result.outbound)

        # After the user's earlier replies (another worker's too), each marked sent as it goes.
        await self.service.deliver(result.outbox_id, self.deliver, own)

    async def deliver(self, user_key: str, outbound: Outbound) -> bool:
        """Sends a committed reply (also the outbox's resend). True when nothing is left to retry:
        delivered, or it never can be (the user blocked the bot)."""
        if not outbound.messages:  # "held": an operator has the conversation, the bot is silent
            return True
        chat_id = int(user_key.split(":", 1)[1])
        text = partial(self.service.i18n.text, outbound.lang)
        outcome = await self.send.chunks(chat_id, render.render(outbound, text))
        if outcome is not Outcome.SENT or "case_file" not in outbound.effects:
            return outcome is not Outcome.RETRY
        if await self._send_case_file(chat_id, user_key, outbound.lang) is Outcome.RETRY:
            partly_sent(chat_id)  # the summary went out; /summary sends the file again
        return True

    async def send_operator_text(self, user_key: str, text: str) -> None:
        """An operator's reply from the console (bot.console.delivery sender)."""
        chat_id = int(user_key.split(":", 1)[1])
        outcome = await self.send.chunks(chat_id, [render.Chunk(render.escape(text))])
        if outcome is not Outcome.SENT:
            raise ChannelError("Telegram did not take the operator's reply")

    async def _send_case_file(self, chat_id: int, user_key: str, lang: str) -> Outcome:
        text = partial(self.service.i18n.text, lang)

        def build() -> bytes | None:
            case = self.service.case_file(user_key)
            return None if case is None else render_docx(case)

        try:
            data = await self.service.build_document(build)
        except Exception:  # the summary went out; resending it would not make the file build
            metrics.errors.labels("telegram", "case_file").inc()
            log.exception("telegram: case file could not be built", extra={"user_key": user_key})
            return Outcome.GONE
        if data is None:  # erased meanwhile: nothing to send
            return Outcome.GONE
        caption = text("telegram.case_file_caption")
        return await self.send.document(chat_id, data, text("telegram.case_file_name") + ".docx", caption)

    def start_outbox_retries(self) -> None:
        """Replies committed but not delivered (a crash, a network failure) go out later.
        Started by the app's lifespan (and by polling's post_init); idempotent."""
        if self._retries is None:
            self._retries = asyncio.create_task(self.service.run_outbox_retries("telegram", self.deliver))

    @property
    def retrying(self) -> bool:
        """The outbox retry loop is running."""
        return self._retries is not None and not self._retries.done()

    async def stop_outbox_retries(self) -> None:
        if self._retries is not None:
            self._retries.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retries
            self._retries = None

    # -- replies that do not step the conversation -----------------------------------------------
    async def _note(self, update: Update, chat_id: int, key: str) -> None:
        if not self._first_time(update.update_id):
            return
        user = update.effective_user
        session = self.service.session(f"telegram:{user.id}") if user else None
        lang = session.lang if session else locale_of(user.language_code if user else None)
        note = self._send_note(chat_id, lang or DEFAULT_LANG, key)
        if user is None:
            await note
        else:  # after the user's replies still being delivered, never before them
            self._chain(f"telegram:{user.id}", note)

    async def _send_note(self, chat_id: int, lang: str, key: str, username: str = "") -> None:
        link = f"https://t.me/{username}" if username else ""
        text = render.escape(self.service.i18n.text(lang, key, link=link))
        await self.send.chunks(chat_id, [render.Chunk(text)])

    def _text(self, user_key: str, query: CallbackQuery, key: str) -> str:
        session = self.service.session(user_key)
        lang = session.lang if session else locale_of(query.from_user.language_code) or DEFAULT_LANG
        return self.service.i18n.text(lang, key)

    def _first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        return True
