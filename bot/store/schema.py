"""The schema, as SQLAlchemy Core tables. Alembic migrations in migrations/ create it.

Only ids, states, stages, flags and timestamps are in clear; everything a user wrote is in
`*_enc` columns (AES-GCM, see crypto.py).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_key", String(128), nullable=False, unique=True),
    Column("channel", String(16), nullable=False),
    Column("state", String(64), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Column("risk", Integer, nullable=False, default=0),
    Column("human", Boolean, nullable=False, default=False),
    Column("data_enc", LargeBinary, nullable=False),  # answers + history
    Column("created_at", Float, nullable=False),
    Column("last_activity_at", Float, nullable=False),
    Index("ix_sessions_queue", "risk", "last_activity_at"),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("at", Float, nullable=False),
    Column("state", String(64), nullable=False),
    Column("text_enc", LargeBinary, nullable=False),  # {"in": …, "out": …}
    Index("ix_turns_session", "session_id", "id"),
)

# Exactly-once turns: a platform message id seen before returns the recorded reply.
inbound_log = Table(
    "inbound_log",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256(channel:user:message_id), no id in clear
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=True),
    Column("reply_enc", LargeBinary, nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_inbound_log_session", "session_id"),  # erasing a user finds their rows (migration 0017)
)

# Replies waiting to be delivered by a channel; marked sent after delivery.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("payload_enc", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float, nullable=True),
    # A lease, not a lock: the turn that wrote the row sends it now; if it has not marked it sent
    # by then (a crash, a failed send), any worker may claim it for a retry (migration 0003).
    Column("claimed_until", Float, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Index("ix_outbox_pending", "channel", "sent_at"),
    # a user's oldest unsent reply, read on every delivery: without it, a scan of the whole outbox
    # that grows with every reply ever sent (migration 0017)
    Index("ix_outbox_session", "session_id", "id"),
)

# One delivering worker per user at a time (a lease, renewed while sending): it sends the user's
# unsent replies in order, marking each one sent before it goes out (migration 0016).
delivery_leases = Table(
    "delivery_leases",
    metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("holder", String(32), nullable=False),
    Column("until", Float, nullable=False),
)

# WeChat signature/timestamp/nonce triples seen, each bound to the one body it signed (replay).
wechat_nonces = Table(
    "wechat_nonces",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256 of the triple
    Column("body_digest", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_wechat_nonces_expiry", "expires_at"),
)
