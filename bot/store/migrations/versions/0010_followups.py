"""Follow-ups: due reminder jobs, one-time move codes and attempts, the evidence timeline.

Revision ID: 0010
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None


def _session_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "followup_jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _session_fk(),
        sa.Column("complaint_id", sa.String(16), nullable=False),
        sa.Column("due_at", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("claimed_at", sa.Float, nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("done_at", sa.Float, nullable=True),
        sa.Column("cancelled_at", sa.Float, nullable=True),
        sa.Column("outbox_id", sa.Integer, nullable=True),
        sa.Column("sent_at", sa.Float, nullable=True),
        sa.UniqueConstraint("session_id", "complaint_id", "due_at", name="uq_followup_jobs_due"),
    )
    op.create_index("ix_followup_jobs_due", "followup_jobs", ["done_at", "cancelled_at", "due_at"])
    op.create_table(
        "move_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        _session_fk(),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float, nullable=True),
    )
    op.create_table(
        "move_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_index("ix_move_attempts_who", "move_attempts", ["who", "at"])
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _session_fk(),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("description_enc", sa.LargeBinary, nullable=True),
        sa.Column("file_name_enc", sa.LargeBinary, nullable=True),
        sa.Column("blob_enc", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_evidence_items_session", "evidence_items", ["session_id", "id"])


def downgrade() -> None:
    for table in ("evidence_items", "move_attempts", "move_codes", "followup_jobs"):
        op.drop_table(table)
