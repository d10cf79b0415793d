"""Coordinators who may sign in to the coordinator page (a name and an argon2 hash), and their
signed-in sessions (a hash of the cookie's token, the name, when it ends).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinators",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("added_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "coordinator_sessions",
        sa.Column("token_hash", sa.CHAR(64), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("expires", sa.Double(), nullable=False),
    )
    op.create_index("ix_coordinator_sessions_expires", "coordinator_sessions", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_coordinator_sessions_expires", table_name="coordinator_sessions")
    op.drop_table("coordinator_sessions")
    op.drop_table("coordinators")
