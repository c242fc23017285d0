"""Bounds on what a channel may hand the store: sizes, control characters, invalid Unicode.

The engine cleans the text it reads, but the store also writes the raw message into the
transcript, and a lone surrogate (valid in a Python str, invalid in UTF-8) would fail the whole
turn's transaction. Bounding here keeps every column's size independent of what users send.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from bot.errors import StoreError
from bot.types import Inbound

MAX_TEXT_CHARS = 4000  # the engine reads at most parse.MAX_TEXT of it; the transcript keeps this
MAX_OPTIONS = 32
MAX_OPTION_ID_CHARS = 64
MAX_USER_KEY_CHARS = 128  # sessions.user_key is VARCHAR(128)
MAX_MESSAGE_ID_CHARS = 128  # hashed before storage; bounded so hashing is cheap
MAX_LOCALE_CHARS = 8


def clean_text(text: str, limit: int) -> str:
    """Valid UTF-8, no control characters except newline and tab, at most `limit` characters."""
    if len(text) <= limit and text.isprintable():
        return text  # the common case, checked in C
    text = text[: limit * 2].encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text[:limit]


def bounded(inbound: Inbound) -> Inbound:
    if len(inbound.user_key) > MAX_USER_KEY_CHARS or not inbound.user_key.isprintable():
        raise StoreError("user key too long or not printable")
    option_ids = tuple(clean_text(option, MAX_OPTION_ID_CHARS) for option in inbound.option_ids[:MAX_OPTIONS])
    text = clean_text(inbound.text, MAX_TEXT_CHARS)
    message_id = inbound.message_id
    if message_id is not None:
        message_id = clean_text(message_id, MAX_MESSAGE_ID_CHARS)
    locale = inbound.locale
    if locale is not None:
        locale = clean_text(locale, MAX_LOCALE_CHARS)
    if (text, option_ids, message_id, locale) == (
        inbound.text,
        inbound.option_ids,
        inbound.message_id,
        inbound.locale,
    ):
        return inbound
    return dataclasses.replace(
        inbound, text=text, option_ids=option_ids, message_id=message_id, locale=locale
    )
