"""Telegram photos, documents, voice messages, audio and video into the evidence timeline.

Called by the Telegram adapter for every private message carrying a file: download it through
getFile (the Bot API's file endpoint), hash it, record it, answer. Returns False when the adapter
should handle the message as before (kinds we do not fingerprint, a caption in which the safety
detector sees a crisis, danger or scam sign, a file too big for bots to download, a failed download).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from telegram import Message as TgMessage
from telegram import Update
from telegram.error import TelegramError

from bot.engine import parse
from bot.followups.evidence import MAX_DOWNLOAD_BYTES, already_recorded
from bot.types import Message, Outbound

if TYPE_CHECKING:  # the update router imports this module: only its type is needed here
    from bot.channels.telegram.updates import TelegramChannel
    from bot.service import Service

log = logging.getLogger("weiquan.evidence")


def file_of(message: TgMessage) -> tuple[str, str, int | None, str | None] | None:
    """(kind, file_id, size, file name) of the file a message carries, or None."""
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return "photo", largest.file_id, largest.file_size, None
    for kind in ("document", "voice", "audio", "video"):
        media = getattr(message, kind)
        if media is not None:
            return kind, media.file_id, media.file_size, getattr(media, "file_name", None)
    return None


def _with_warnings(service: Service, outbound: Outbound, caption: str) -> Outbound:
    """A caption naming a scam or "court papers" gets the warnings the same words typed would."""
    keys = service.engine.warning_keys(parse.clean(caption))
    notes = tuple(Message(service.i18n.text(outbound.lang, key)) for key in keys)
    return replace(outbound, messages=notes + outbound.messages) if notes else outbound


async def on_telegram_media(channel: TelegramChannel, update: Update, message: TgMessage) -> bool:
    found = file_of(message)
    user = message.from_user
    if found is None or user is None:
        return False
    kind, file_id, size, file_name = found
    caption = (message.caption or "").strip()
    service = channel.service
    if (caption and service.engine.needs_a_turn(caption)) or (size or 0) > MAX_DOWNLOAD_BYTES:
        return False
    user_key = f"telegram:{user.id}"
    if await asyncio.to_thread(already_recorded, service, user_key, str(update.update_id)):
        return True
    try:
        remote = await channel.bot.get_file(file_id)
        data = bytes(await remote.download_as_bytearray())
    except TelegramError as error:
        log.warning("evidence: download failed (%s)", type(error).__name__, extra={"user_key": user_key})
        return False
    from bot.channels.telegram.updates import locale_of

    result = await service.record_upload(
        user_key,
        kind,
        data,
        description=caption[:120] or None,
        file_name=file_name,
        message_id=str(update.update_id),
        locale=locale_of(user.language_code),
    )
    if result is None or result.duplicate:
        return True  # a redelivered update: recorded and answered the first time
    outbound = _with_warnings(service, result.outbound, caption)
    # the adapter's own sending path (rendering, failure classification, metrics); in order, once
    await service.deliver(result.outbox_id, channel.deliver, lambda: channel.deliver(user_key, outbound))
    return True
