"""Operator console: operators, audit log, private notes, takeovers and pending operator replies.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _session_fk() -> sa.Column[int]:
    return sa.Column(
        "session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("must_change", sa.Boolean, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("user_key", sa.String(128), nullable=True),
        sa.Column("session_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_console_audit_session", "console_audit", ["session_id"])
    op.create_table(
        "console_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _session_fk(),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("text_enc", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_console_notes_session", "console_notes", ["session_id", "id"])
    op.create_table(
        "console_takeovers",
        sa.Column(
            "session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("since", sa.Float, nullable=False),
    )
    op.create_table(
        "console_pending",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _session_fk(),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("text_enc", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_console_pending_session", "console_pending", ["session_id", "id"])


def downgrade() -> None:
    for table in ("console_pending", "console_takeovers", "console_notes", "console_audit", "operators"):
        op.drop_table(table)
