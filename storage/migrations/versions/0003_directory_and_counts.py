"""The referral directory in the database (every version, per-field change rows) and the
anonymous daily counts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referral_revisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("parent", sa.Integer(), nullable=False, unique=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.Double(), nullable=False),
        sa.Column("saved_by", sa.String(60), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("note", sa.String(400), nullable=False),
    )
    op.create_table(
        "referral_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.String(40), nullable=False),
        sa.Column("last_action_date", sa.Double(), nullable=False),
        sa.Column("last_action_type", sa.String(20), nullable=False),
        sa.Column("field_name", sa.String(40), nullable=False),
        sa.Column("previous_value", sa.Text(), nullable=False),
        sa.Column("replacement_value", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(60), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
    )
    op.create_index("ix_referral_changes_resource", "referral_changes", ["resource_id"])
    op.create_table(
        "daily_counts",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("metric", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(60), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("daily_counts")
    op.drop_index("ix_referral_changes_resource", table_name="referral_changes")
    op.drop_table("referral_changes")
    op.drop_table("referral_revisions")
