"""Several workers on one PostgreSQL: one turn per session at a time across processes, and each
Telegram update handled once.

The session lock is PostgreSQL's advisory lock on the session key, held on a connection of its
own for the turn: if the worker dies, PostgreSQL ends its connection and the lock with it, so
no session stays locked. An update is claimed by inserting its update_id (a number, nothing
about anyone) before its turn: a redelivery that finds it taken is dropped, so no reply is sent
twice; a worker that dies after claiming loses that one update (Telegram's retry is the
duplicate), never the session, which stays at its last committed step.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.base import Clock
from storage.schema import updates_seen

log = logging.getLogger(__name__)

UPDATE_MEMORY = 86_400.0  # seconds an update id is remembered; Telegram gives up retrying sooner


def lock_id(key: str) -> int:
    """The session key's first 60 bits as a bigint (a collision only makes two sessions take
    turns)."""
    return int(key[:15], 16)


class UpdateLedger:
    """Which update ids some worker has taken; shared by every worker through the database."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = time.time):
        self.engine = engine
        self.clock = clock
        insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._claim = (
            insert(updates_seen)
            .values(update_id=sa.bindparam("update_id"), seen=sa.bindparam("seen"))
            .on_conflict_do_nothing(index_elements=["update_id"])
        )
        self._purge = sa.delete(updates_seen).where(updates_seen.c.seen < sa.bindparam("cutoff"))

    async def claim(self, update_id: int) -> bool:
        """True for the first worker to ask about this update, False for every later one."""
        async with self.engine.begin() as conn:
            result = await conn.execute(self._claim, {"update_id": update_id, "seen": self.clock()})
        return result.rowcount == 1

    async def purge(self, now: float) -> int:
        """Forget update ids older than UPDATE_MEMORY; returns how many."""
        async with self.engine.begin() as conn:
            result = await conn.execute(self._purge, {"cutoff": now - UPDATE_MEMORY})
        return result.rowcount


@asynccontextmanager
async def session_lock(engine: AsyncEngine, key: str) -> AsyncIterator[None]:
    """PostgreSQL's advisory lock on the session key, on a connection of its own while held."""
    async with engine.connect() as conn:
        lock = lock_id(key)
        await conn.execute(sa.select(sa.func.pg_advisory_lock(lock)))
        try:
            yield
        finally:
            # A broken connection already released it: PostgreSQL ends the lock with it.
            with contextlib.suppress(Exception):
                await conn.execute(sa.select(sa.func.pg_advisory_unlock(lock)))
