"""Create the sessions table: state under a keyed hash, indexed by last update for purging.

Revision ID: 0001
Revises:
Create Date: 2025-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("key", sa.CHAR(64), primary_key=True),
        sa.Column("flow", sa.String(200), nullable=False),
        sa.Column("step", sa.String(200), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("region", sa.String(32), nullable=True),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("message_ids", sa.Text(), nullable=False),
        sa.Column("created", sa.Double(), nullable=False),
        sa.Column("updated", sa.Double(), nullable=False),
    )
    op.create_index("ix_sessions_updated", "sessions", ["updated"])


def downgrade() -> None:
    op.drop_index("ix_sessions_updated", table_name="sessions")
    op.drop_table("sessions")
