"""Realistic Telegram Update payloads (as https://core.telegram.org/bots/api#update documents them)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from fakes.telegram_api import BOT_USER

_update_ids = itertools.count(700_000_000)
_message_ids = itertools.count(1)


def next_update_id() -> int:
    return next(_update_ids)


class TelegramUser:
    """One person in a private chat with the bot; each method returns a fresh Update."""

    def __init__(self, user_id: int = 4242, language_code: str | None = "zh-hans") -> None:
        self.id = user_id
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "小王"}
        if language_code:
            self.user["language_code"] = language_code
        self.chat = {"id": user_id, "type": "private", "first_name": "小王"}

    def _message(self, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": next(_message_ids),
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **fields,
        }

    def text(self, text: str, update_id: int | None = None) -> dict[str, Any]:
        message = self._message(text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": update_id or next_update_id(), "message": message}

    def press(self, message_id: int, markup: Any, data: str) -> dict[str, Any]:
        """A tap on an inline button under one of the bot's messages (as the fake recorded it)."""
        bot_message: dict[str, Any] = {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": self.chat,
            "date": int(time.time()),
            "text": "…",
        }
        if markup:
            bot_message["reply_markup"] = markup
        query = {
            "id": str(next_update_id()),
            "from": self.user,
            "message": bot_message,
            "chat_instance": "-8800555",
            "data": data,
        }
        return {"update_id": next_update_id(), "callback_query": query}

    def photo(self, caption: str | None = None) -> dict[str, Any]:
        sizes = [
            {"file_id": "AgACAgQ", "file_unique_id": "AQADy", "width": 90, "height": 120, "file_size": 1500}
        ]
        fields: dict[str, Any] = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        return {"update_id": next_update_id(), "message": self._message(**fields)}

    def sticker(self) -> dict[str, Any]:
        sticker = {
            "file_id": "CAACAgI",
            "file_unique_id": "AgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "😢",
        }
        return {"update_id": next_update_id(), "message": self._message(sticker=sticker)}

    def edited(self, text: str) -> dict[str, Any]:
        message = self._message(text=text, edit_date=int(time.time()))
        return {"update_id": next_update_id(), "edited_message": message}

    def in_group(self, text: str, group_id: int = -100123456) -> dict[str, Any]:
        chat = {"id": group_id, "type": "supergroup", "title": "催收受害者互助群"}
        message = {
            "message_id": next(_message_ids),
            "from": self.user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        return {"update_id": next_update_id(), "message": message}


def channel_post(text: str) -> dict[str, Any]:
    chat = {"id": -1001987, "type": "channel", "title": "公告"}
    post = {
        "message_id": next(_message_ids),
        "sender_chat": chat,
        "chat": chat,
        "date": int(time.time()),
        "text": text,
    }
    return {"update_id": next_update_id(), "channel_post": post}


def unknown_kind() -> dict[str, Any]:
    """A kind Bot API may add after this code was written."""
    return {"update_id": next_update_id(), "future_thing": {"id": 1, "shiny": True}}


def message_reaction(user: TelegramUser) -> dict[str, Any]:
    reaction = {
        "chat": user.chat,
        "message_id": 1,
        "user": user.user,
        "date": int(time.time()),
        "old_reaction": [],
        "new_reaction": [{"type": "emoji", "emoji": "👍"}],
    }
    return {"update_id": next_update_id(), "message_reaction": reaction}


def membership(user: TelegramUser, chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """my_chat_member: the bot's own status changed in a chat (added to a group, blocked, …)."""
    member: dict[str, Any] = {"user": BOT_USER, "status": new}
    if new == "kicked":
        member["until_date"] = 0
    change = {
        "chat": chat,
        "from": user.user,
        "date": int(time.time()),
        "old_chat_member": {"user": BOT_USER, "status": old},
        "new_chat_member": member,
    }
    return {"update_id": next_update_id(), "my_chat_member": change}
