"""Signed requests that may be used once: WeChat's signature/timestamp/nonce triple.

A triple signs the query, not the body (in plaintext mode), so whoever saw one callback URL could
send any body with it while its timestamp is fresh. Each triple is bound to the digest of the
first body it came with: the same body again is WeChat retrying, another body is a replay. Rows
outlive the freshness window and are deleted once expired; every worker shares them.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from bot.store.schema import wechat_nonces


def bind_signed_body(conn: Connection, key: str, body_digest: str, now: float, keep: float) -> bool:
    """True when `key` is new (now bound to this body) or was already bound to this same body."""
    conn.execute(delete(wechat_nonces).where(wechat_nonces.c.expires_at < now))
    seen = conn.execute(select(wechat_nonces.c.body_digest).where(wechat_nonces.c.key == key)).scalar()
    if seen is not None:
        return bool(seen == body_digest)
    # Two workers inserting the same key at once: PostgreSQL's unique violation retries the job
    # (bot/store/writers.py), which then reads the winner's row.
    conn.execute(insert(wechat_nonces).values(key=key, body_digest=body_digest, expires_at=now + keep))
    return True
