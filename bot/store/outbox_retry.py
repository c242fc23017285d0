"""Claiming unsent outbox rows for a retry, so that one worker, and only one, resends each.

A row is written by its turn with a lease (`claimed_until = now + OUTBOX_LEASE_SECONDS`): the
turn's own channel call sends it and marks it sent. A row still unsent when its lease ends (the
process died between commit and send, or the platform refused) may be claimed: the claim renews
the lease and counts the attempt in the same short transaction. On PostgreSQL the claiming SELECT
takes `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint rows; on SQLite the store
thread's BEGIN IMMEDIATE holds the single write lock, which serialises claims across processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, or_, select, update

from bot.store.codec import outbound_from_json
from bot.store.crypto import Cipher
from bot.store.schema import outbox, sessions
from bot.types import Outbound

MAX_ATTEMPTS = 8  # then the row stays unsent for an operator to see, and is no longer retried


@dataclass(frozen=True, slots=True)
class PendingReply:
    outbox_id: int
    user_key: str
    outbound: Outbound
    attempts: int  # including this one


def claim(
    conn: Connection, cipher: Cipher, channel: str, now: float, lease: float, limit: int
) -> list[PendingReply]:
    ids = (
        conn.execute(
            select(outbox.c.id)
            .where(
                outbox.c.channel == channel,
                outbox.c.sent_at.is_(None),
                outbox.c.attempts < MAX_ATTEMPTS,
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    if not ids:
        return []
    conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(ids))
        .values(claimed_until=now + lease, attempts=outbox.c.attempts + 1)
    )
    rows = conn.execute(
        select(outbox.c.id, sessions.c.user_key, outbox.c.payload_enc, outbox.c.attempts)
        .join(sessions, sessions.c.id == outbox.c.session_id)
        .where(outbox.c.id.in_(ids))
        .order_by(outbox.c.id)
    ).all()
    return [
        PendingReply(r.id, r.user_key, outbound_from_json(cipher.decrypt(r.payload_enc)), r.attempts)
        for r in rows
    ]
