"""The tables: session state under a keyed hash (nothing that says who it is with), the
Telegram update ids a worker has taken (numbers only), so a redelivery is handled once, the
send budget every worker draws from (one time per budget), the referral directory every
worker shares, and the anonymous daily counts."""

from __future__ import annotations

import sqlalchemy as sa

# Longest value each text column takes; the codec refuses longer values before they reach a row.
MAX_ID = 200
MAX_LOCALE = 35
MAX_REGION = 32

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

# Telegram's overall send cap shared by every worker (storage/shared.py, SendBudget): when the
# next message may go if nothing was saved up, in seconds on the database's clock. No chat.
send_budget = sa.Table(
    "send_budget",
    metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("due", sa.Double(), nullable=False),
)

# The referral directory (docs/referrals.md): every version whole, one child per version so two
# coordinators saving at once cannot both win; per-field change rows as Open Referral HSDS's
# metadata table keeps them. Coordinators' names only: nothing about any man.
referral_revisions = sa.Table(
    "referral_revisions",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("parent", sa.Integer(), nullable=False, unique=True),  # 0 for the first
    sa.Column("document", sa.Text(), nullable=False),
    sa.Column("saved_at", sa.Double(), nullable=False),
    sa.Column("saved_by", sa.String(60), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("note", sa.String(400), nullable=False),
)

referral_changes = sa.Table(
    "referral_changes",
    metadata,
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
    sa.Index("ix_referral_changes_resource", "resource_id"),
)

# Anonymous figures (README, privacy): a count per day, metric and value; no session, chat,
# time of day or text, so no row can be traced to anyone.
daily_counts = sa.Table(
    "daily_counts",
    metadata,
    sa.Column("day", sa.Date(), primary_key=True),
    sa.Column("metric", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(60), primary_key=True),
    sa.Column("count", sa.Integer(), nullable=False),
)

# Who may sign in to the coordinator page (docs/coordinators.md): a name or role and an argon2
# hash of the password; and each signed-in browser, under a hash of its cookie's token (the
# token itself is never stored), with the name only and when it ends.
coordinators = sa.Table(
    "coordinators",
    metadata,
    sa.Column("name", sa.String(60), primary_key=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("added_at", sa.Double(), nullable=False),
)

coordinator_sessions = sa.Table(
    "coordinator_sessions",
    metadata,
    sa.Column("token_hash", sa.CHAR(64), primary_key=True),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("expires", sa.Double(), nullable=False),
    sa.Index("ix_coordinator_sessions_expires", "expires"),
)
