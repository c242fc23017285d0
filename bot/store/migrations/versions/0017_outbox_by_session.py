"""Indexes by session on the outbox and the inbound log.

Every delivery looks up the user's oldest unsent reply; without an index by session that lookup
scanned the outbox, which grows with every reply, and a server under steady load slowed down
until it fell behind. Erasing a user deletes their inbound-log rows by session as well.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_session", "outbox", ["session_id", "id"])
    op.create_index("ix_inbound_log_session", "inbound_log", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_inbound_log_session", table_name="inbound_log")
    op.drop_index("ix_outbox_session", table_name="outbox")
