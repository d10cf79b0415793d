"""The tables: session state under a keyed hash (nothing that says who it is with), and the
Telegram update ids a worker has taken (numbers only), so a redelivery is handled once."""

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

updates_seen = sa.Table(
    "updates_seen",
    metadata,
    sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("seen", sa.Double(), nullable=False),
    sa.Index("ix_updates_seen_seen", "seen"),
)
