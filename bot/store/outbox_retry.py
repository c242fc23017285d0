"""What the outbox hands a channel to (re)send, and how often a failing reply is tried.

Delivery itself (per-user lease, mark-then-send, order) is in bot/store/delivery_lease.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.types import Outbound

MAX_ATTEMPTS = 8  # then the row stays unsent for an operator to see, and is no longer retried


@dataclass(frozen=True, slots=True)
class PendingReply:
    outbox_id: int
    user_key: str
    outbound: Outbound
    attempts: int  # including this one
