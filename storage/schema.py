"""The one table: session state under a keyed hash, nothing that says who the session is with."""

from __future__ import annotations

import sqlalchemy as sa

from storage.codec import MAX_ID, MAX_LOCALE, MAX_REGION

metadata = sa.MetaData()

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("key", sa.CHAR(64), primary_key=True),
    sa.Column("flow", sa.String(MAX_ID), nullable=False),
    sa.Column("step", sa.String(MAX_ID), nullable=False),
    sa.Column("locale", sa.String(MAX_LOCALE), nullable=False),
    sa.Column("region", sa.String(MAX_REGION), nullable=True),
    sa.Column("answers", sa.Text(), nullable=False),
    sa.Column("history", sa.Text(), nullable=False),
    sa.Column("message_ids", sa.Text(), nullable=False),
    sa.Column("created", sa.Double(), nullable=False),
    sa.Column("updated", sa.Double(), nullable=False),
    sa.Index("ix_sessions_updated", "updated"),
)
