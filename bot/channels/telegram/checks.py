"""Authentic but malformed Telegram updates: recognised before they reach a session.

A webhook update that passed the secret check is Telegram's (or a leaked secret's); one whose
ids are not 64-bit integers or whose text is not a string can never be answered, and failing
on it would make Telegram resend it for ever. Such an update is acknowledged and dropped.
"""

from __future__ import annotations

from typing import Any

# Updates whose payload names a user or chat we would create a session for or reply to.
_CARRIERS = ("message", "edited_message", "callback_query", "my_chat_member", "channel_post")
_PEOPLE = ("from", "chat")
_TEXTS = ("text", "caption", "data")
_ID_LIMIT = 2**63


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -_ID_LIMIT < value < _ID_LIMIT


def _valid_object(payload: dict[str, Any]) -> bool:
    for person in _PEOPLE:
        if person in payload:
            entity = payload[person]
            if not isinstance(entity, dict) or not _valid_id(entity.get("id")):
                return False
    if any(key in payload and not isinstance(payload[key], str) for key in _TEXTS):
        return False
    inner = payload.get("message")  # a callback query's message
    return not isinstance(inner, dict) or _valid_object(inner)


def malformed(update: dict[str, Any]) -> str | None:
    """Why this update cannot be served (for the log line), or None when it is well formed."""
    for kind in _CARRIERS:
        if kind not in update:
            continue
        payload = update[kind]
        if not isinstance(payload, dict) or not _valid_object(payload):
            return f"malformed {kind}"
    return None
