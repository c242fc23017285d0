"""All SQL of the follow-ups package: due jobs, move codes, evidence items (tables in followup_tables).

Functions take the turn's (or the store thread's) connection: they run inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, insert, or_, select, update

from bot.store.followup_tables import evidence_items, followup_jobs, move_attempts, move_codes
from bot.store.schema import inbound_log, metadata, outbox, sessions

WECHAT_WINDOW_SECONDS = 48 * 3600  # WeChat customer-service messages: 48 h after the user wrote


# -- due jobs -----------------------------------------------------------------------------------
def sync_jobs(conn: Connection, session_id: int, wanted: dict[str, float], now: float) -> None:
    """Make the pending jobs of a session exactly `wanted` (complaint id -> due time)."""
    pending = conn.execute(
        select(followup_jobs.c.id, followup_jobs.c.complaint_id, followup_jobs.c.due_at).where(
            followup_jobs.c.session_id == session_id,
            followup_jobs.c.done_at.is_(None),
            followup_jobs.c.cancelled_at.is_(None),
        )
    ).all()
    for row in pending:
        if wanted.get(row.complaint_id) != row.due_at:
            conn.execute(update(followup_jobs).where(followup_jobs.c.id == row.id).values(cancelled_at=now))
    existing = {
        (r.complaint_id, r.due_at)
        for r in conn.execute(
            select(followup_jobs.c.complaint_id, followup_jobs.c.due_at).where(
                followup_jobs.c.session_id == session_id
            )
        )
    }
    for complaint_id, due_at in wanted.items():
        if (complaint_id, due_at) not in existing:
            conn.execute(
                insert(followup_jobs).values(
                    session_id=session_id, complaint_id=complaint_id, due_at=due_at, created_at=now
                )
            )


@dataclass(frozen=True, slots=True)
class DueJob:
    id: int
    session_id: int
    user_key: str
    channel: str
    complaint_id: str


def claim_due(
    conn: Connection,
    now: float,
    worker: str,
    push_channels: frozenset[str],
    wait_channels: frozenset[str],
    limit: int = 20,
) -> list[DueJob]:
    """Claim due jobs for this worker. PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers
    take different rows; SQLite: the store's transaction began with BEGIN IMMEDIATE (one writer),
    and the UPDATE only takes rows still unclaimed. The caller steps and marks them done in the
    same transaction, so a job is never stepped twice."""
    j, s = followup_jobs, sessions
    waiting = and_(
        s.c.channel.in_(wait_channels),
        s.c.last_activity_at >= j.c.due_at,
        s.c.last_activity_at >= now - WECHAT_WINDOW_SECONDS,
    )
    query = (
        select(j.c.id, j.c.session_id, s.c.user_key, s.c.channel, j.c.complaint_id)
        .join(s, s.c.id == j.c.session_id)
        .where(
            j.c.due_at <= now,
            j.c.done_at.is_(None),
            j.c.cancelled_at.is_(None),
            j.c.claimed_at.is_(None),
            or_(s.c.channel.in_(push_channels), waiting),
        )
        .order_by(j.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=j)
    )
    claimed = []
    for row in conn.execute(query).all():
        taken = conn.execute(
            update(j)
            .where(j.c.id == row.id, j.c.claimed_at.is_(None))
            .values(claimed_at=now, claimed_by=worker)
        ).rowcount
        if taken == 1:
            claimed.append(DueJob(row.id, row.session_id, row.user_key, row.channel, row.complaint_id))
    return claimed


def finish_job(conn: Connection, job_id: int, now: float, outbox_id: int | None) -> None:
    conn.execute(
        update(followup_jobs).where(followup_jobs.c.id == job_id).values(done_at=now, outbox_id=outbox_id)
    )


def cancel_job(conn: Connection, job_id: int, now: float) -> None:
    conn.execute(update(followup_jobs).where(followup_jobs.c.id == job_id).values(cancelled_at=now))


def postpone_job(conn: Connection, job_id: int, due_at: float) -> None:
    conn.execute(
        update(followup_jobs)
        .where(followup_jobs.c.id == job_id)
        .values(due_at=due_at, claimed_at=None, claimed_by=None)
    )


def mark_job_sent(conn: Connection, job_id: int, now: float) -> None:
    conn.execute(update(followup_jobs).where(followup_jobs.c.id == job_id).values(sent_at=now))


# -- move codes -----------------------------------------------------------------------------------
def codes_issued_since(conn: Connection, session_id: int, since: float) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(move_codes)
            .where(move_codes.c.session_id == session_id, move_codes.c.created_at >= since)
        ).scalar_one()
    )


def insert_code(conn: Connection, code_hash: str, session_id: int, now: float, expires_at: float) -> None:
    conn.execute(
        insert(move_codes).values(
            code_hash=code_hash, session_id=session_id, created_at=now, expires_at=expires_at
        )
    )


def failed_attempts_since(conn: Connection, who: str, since: float) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(move_attempts)
            .where(move_attempts.c.who == who, move_attempts.c.at >= since, move_attempts.c.ok.is_(False))
        ).scalar_one()
    )


def record_attempt(conn: Connection, who: str, now: float, ok: bool) -> None:
    conn.execute(insert(move_attempts).values(who=who, at=now, ok=ok))


def take_code(conn: Connection, code_hash: str, now: float, redeemer: int) -> int | None:
    """The session a valid code belongs to, marking the code used; None if unknown, used,
    expired, or the redeemer's own (that would move nothing, so the code stays usable)."""
    row = conn.execute(
        select(move_codes.c.id, move_codes.c.session_id).where(
            move_codes.c.code_hash == code_hash, move_codes.c.used_at.is_(None), move_codes.c.expires_at > now
        )
    ).first()
    if row is None or row.session_id == redeemer:
        return None
    taken = conn.execute(
        update(move_codes)
        .where(move_codes.c.id == row.id, move_codes.c.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    return int(row.session_id) if taken == 1 else None


def prune_move_rows(conn: Connection, before: float) -> None:
    """Old attempts and spent or expired codes are of no further use: they are not kept."""
    conn.execute(delete(move_attempts).where(move_attempts.c.at < before))
    conn.execute(delete(move_codes).where(move_codes.c.expires_at < before))


def _moving_tables() -> list[Table]:
    """Tables whose rows follow a case to its new channel: every table with a session_id, except
    the per-channel delivery tables and tables keyed by the session (those end with it)."""
    return [
        t
        for t in metadata.sorted_tables
        if "session_id" in t.c and t.name not in ("outbox", "inbound_log") and not t.c.session_id.primary_key
    ]


def move_case(conn: Connection, from_id: int, to_id: int) -> None:
    """Give session `to_id` (the new channel's) the case of session `from_id`, then end the old
    binding: its rows are re-pointed, its unsent replies dropped, its session row deleted."""
    old = conn.execute(select(sessions).where(sessions.c.id == from_id)).one()
    new_version = conn.execute(select(sessions.c.version).where(sessions.c.id == to_id)).scalar_one()
    conn.execute(
        update(sessions)
        .where(sessions.c.id == to_id)
        .values(
            state=old.state,
            stage=old.stage,
            lang=old.lang,
            risk=old.risk,
            human=old.human,
            data_enc=old.data_enc,
            created_at=old.created_at,
            version=max(int(old.version), int(new_version)) + 1,
        )
    )
    for table in _moving_tables():
        conn.execute(update(table).where(table.c.session_id == from_id).values(session_id=to_id))
    conn.execute(delete(outbox).where(outbox.c.session_id == from_id))
    conn.execute(update(inbound_log).where(inbound_log.c.session_id == from_id).values(session_id=None))


def rewind_session(conn: Connection, session_id: int, state: str, stage: str, data_enc: bytes) -> None:
    """The moved case resumes where it was before /move (not on the code screen)."""
    conn.execute(
        update(sessions)
        .where(sessions.c.id == session_id)
        .values(state=state, stage=stage, data_enc=data_enc)
    )


# -- evidence --------------------------------------------------------------------------------------
def insert_evidence(conn: Connection, values: dict[str, Any]) -> int:
    key = conn.execute(insert(evidence_items).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def evidence_of(conn: Connection, session_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(evidence_items)
            .where(evidence_items.c.session_id == session_id)
            .order_by(evidence_items.c.id)
        ).all()
    )


def kept_bytes(conn: Connection, session_id: int) -> int:
    kept = evidence_items.c.blob_enc.is_not(None)
    total = conn.execute(
        select(func.coalesce(func.sum(evidence_items.c.size), 0)).where(
            evidence_items.c.session_id == session_id, kept
        )
    ).scalar_one()
    return int(total)


def seen_message(conn: Connection, key: str) -> bool:
    """Was this platform message (its dedup key) already turned into a turn?"""
    return conn.execute(select(inbound_log.c.key).where(inbound_log.c.key == key)).first() is not None


def save_session_data(conn: Connection, session_id: int, data_enc: bytes) -> None:
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(data_enc=data_enc))


def erase(conn: Connection, session_id: int) -> None:
    """/delete and purge: every row of these tables about the session (attempts by its key hash)."""
    user_key = conn.execute(select(sessions.c.user_key).where(sessions.c.id == session_id)).scalar()
    for table in (followup_jobs, move_codes, evidence_items):
        conn.execute(delete(table).where(table.c.session_id == session_id))
    if user_key is not None:
        from bot.store.move_codes import attempt_key

        # Failed guesses stay (pruned after a day): /delete must not reset the brute-force limit.
        conn.execute(
            delete(move_attempts).where(
                move_attempts.c.who == attempt_key(user_key), move_attempts.c.ok.is_(True)
            )
        )
