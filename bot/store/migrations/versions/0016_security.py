"""Security: per-user delivery leases, WeChat nonces, login attempts, operator roles.

Revision ID: 0016
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_leases",
        sa.Column(
            "session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("holder", sa.String(32), nullable=False),
        sa.Column("until", sa.Float, nullable=False),
    )
    op.create_table(
        "wechat_nonces",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("body_digest", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_wechat_nonces_expiry", "wechat_nonces", ["expires_at"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_login_attempts_key", "login_attempts", ["key", "at"])
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="operator"))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("role")
    op.drop_index("ix_login_attempts_key", "login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_wechat_nonces_expiry", "wechat_nonces")
    op.drop_table("wechat_nonces")
    op.drop_table("delivery_leases")
