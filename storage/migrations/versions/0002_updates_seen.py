"""Telegram update ids already taken by a worker, so one delivered twice is handled once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "updates_seen",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("seen", sa.Double(), nullable=False),
    )
    op.create_index("ix_updates_seen_seen", "updates_seen", ["seen"])


def downgrade() -> None:
    op.drop_index("ix_updates_seen_seen", table_name="updates_seen")
    op.drop_table("updates_seen")
