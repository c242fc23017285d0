"""One delivering worker per user, and each reply marked sent before it goes out.

A worker sends a user's replies only while it holds that user's delivery lease (a row in
`delivery_leases`, renewed while sending), and always the user's oldest unsent reply first. The
reply is marked sent in the same transaction that hands it out, so a crash during the send loses
that one send rather than repeating it, and no reply is ever sent twice: a worker that finds its
own reply already marked (another worker sent it first, in order) has nothing left to do. A send
that fails is put back (`unsend`) and the user's later replies wait behind it.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from bot.store.codec import outbound_from_json
from bot.store.crypto import Cipher
from bot.store.outbox_retry import MAX_ATTEMPTS, PendingReply
from bot.store.schema import delivery_leases, outbox, sessions


def session_of(conn: Connection, outbox_id: int) -> int | None:
    return conn.execute(select(outbox.c.session_id).where(outbox.c.id == outbox_id)).scalar()


def _acquire(conn: Connection, session_id: int, holder: str, now: float, lease: float) -> bool:
    taken = conn.execute(
        update(delivery_leases)
        .where(
            delivery_leases.c.session_id == session_id,
            or_(delivery_leases.c.until <= now, delivery_leases.c.holder == holder),
        )
        .values(holder=holder, until=now + lease)
    ).rowcount
    if taken:
        return True
    held = conn.execute(
        select(delivery_leases.c.holder).where(delivery_leases.c.session_id == session_id)
    ).first()
    if held is not None:
        return False
    # Two workers inserting at once: PostgreSQL's unique violation retries this job, which then
    # finds the winner's lease.
    conn.execute(insert(delivery_leases).values(session_id=session_id, holder=holder, until=now + lease))
    return True


def take_next(
    conn: Connection,
    cipher: Cipher,
    session_id: int,
    holder: str,
    now: float,
    lease: float,
    *,
    due_only: bool = False,
) -> tuple[bool, PendingReply | None]:
    """(lease held?, the user's oldest unsent reply, now marked sent — or None: nothing left).

    `due_only` (the retry loop): None as well while that oldest reply waits for its retry time
    or for its own sender; nothing younger may overtake it."""
    if conn.execute(select(sessions.c.id).where(sessions.c.id == session_id)).first() is None:
        return True, None  # erased meanwhile: its replies went with it
    if not _acquire(conn, session_id, holder, now, lease):
        return False, None
    row = conn.execute(
        select(
            outbox.c.id, outbox.c.payload_enc, outbox.c.attempts, outbox.c.claimed_until, sessions.c.user_key
        )
        .join(sessions, sessions.c.id == outbox.c.session_id)
        .where(
            outbox.c.session_id == session_id, outbox.c.sent_at.is_(None), outbox.c.attempts < MAX_ATTEMPTS
        )
        .order_by(outbox.c.id)
        .limit(1)
    ).first()
    if row is None or (due_only and row.claimed_until is not None and row.claimed_until > now):
        return True, None
    conn.execute(update(outbox).where(outbox.c.id == row.id).values(sent_at=now))
    reply = outbound_from_json(cipher.decrypt(row.payload_enc))
    return True, PendingReply(row.id, row.user_key, reply, row.attempts + 1)


def unsend(conn: Connection, outbox_id: int, retry_at: float) -> None:
    """The send failed: unsent again, one attempt more, not retried before `retry_at`."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id)
        .values(sent_at=None, attempts=outbox.c.attempts + 1, claimed_until=retry_at)
    )


def renew(conn: Connection, session_id: int, holder: str, until: float) -> None:
    conn.execute(
        update(delivery_leases)
        .where(delivery_leases.c.session_id == session_id, delivery_leases.c.holder == holder)
        .values(until=until)
    )


def release(conn: Connection, session_id: int, holder: str) -> None:
    conn.execute(
        delete(delivery_leases).where(
            delivery_leases.c.session_id == session_id, delivery_leases.c.holder == holder
        )
    )


def claim_due(conn: Connection, channel: str, now: float, limit: int, holder: str, lease: float) -> list[int]:
    """Users with a reply whose own sender had its chance (lease over), oldest first, whose
    delivery lease this pass now holds: concurrent passes get disjoint users."""
    leased = select(delivery_leases.c.session_id).where(
        delivery_leases.c.session_id == outbox.c.session_id, delivery_leases.c.until > now
    )
    rows = (
        conn.execute(
            select(outbox.c.session_id)
            .where(
                outbox.c.channel == channel,
                outbox.c.sent_at.is_(None),
                outbox.c.attempts < MAX_ATTEMPTS,
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
                ~leased.exists(),
            )
            .group_by(outbox.c.session_id)
            .order_by(func.min(outbox.c.id))
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return [int(sid) for sid in rows if _acquire(conn, int(sid), holder, now, lease)]
