"""Tables of the follow-ups package: due jobs, one-time move codes, the evidence timeline.

Free text (descriptions, file names, kept file bytes) is AES-GCM encrypted like the rest of the
store; only ids, hashes, kinds, sizes and timestamps are in clear. Migration 0010 creates them.
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
    String,
    Table,
    UniqueConstraint,
)

from bot.store.schema import metadata

# One row per reminder to send: "ask how complaint C went once `due_at` has passed".
# A worker claims a row (claimed_at/claimed_by) in the same transaction that runs the follow-up
# turn and sets done_at, so a job is stepped at most once whatever the number of workers.
followup_jobs = Table(
    "followup_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("complaint_id", String(16), nullable=False),
    Column("due_at", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("claimed_at", Float, nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("done_at", Float, nullable=True),
    Column("cancelled_at", Float, nullable=True),
    Column("outbox_id", Integer, nullable=True),
    Column("sent_at", Float, nullable=True),
    UniqueConstraint("session_id", "complaint_id", "due_at", name="uq_followup_jobs_due"),
    Index("ix_followup_jobs_due", "done_at", "cancelled_at", "due_at"),
)

# `/move`: a short code, stored only as a hash, good once for ten minutes.
move_codes = Table(
    "move_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float, nullable=True),
)

# Redemption attempts per redeeming user (a hash of the user key): the brute-force limit.
move_attempts = Table(
    "move_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("who", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_move_attempts_who", "who", "at"),
)

# The evidence timeline: what arrived when, and the SHA-256 of its bytes. The bytes themselves
# are kept (encrypted) only if the user asked for it.
evidence_items = Table(
    "evidence_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("received_at", Float, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("description_enc", LargeBinary, nullable=True),
    Column("file_name_enc", LargeBinary, nullable=True),
    Column("blob_enc", LargeBinary, nullable=True),
    Index("ix_evidence_items_session", "session_id", "id"),
)
