"""Telegram's overall send cap shared by every worker: one row per budget, when the next
message may go (storage/shared.py, SendBudget).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_budget",
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("due", sa.Double(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
