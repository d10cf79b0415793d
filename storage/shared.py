"""Several workers on one PostgreSQL: one turn per session at a time across processes, and each
Telegram update handled once.

The session lock is PostgreSQL's advisory lock on the session key, held on a connection of its
own for the turn: if the worker dies, PostgreSQL ends its connection and the lock with it, so
no session stays locked. An update is claimed by inserting its update_id (a number, nothing
about anyone) before its turn: a redelivery that finds it taken is dropped, so no reply is sent
twice; a worker that dies after claiming loses that one update (Telegram's retry is the
duplicate), never the session, which stays at its last committed step.

Telegram's overall send cap is one budget for the bot, so every worker draws from one row
(`SendBudget`): a virtual schedule (GCRA) kept on the database's clock, leased a few slots at a
time in one statement, so no worker's clock and no lost worker matters.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.base import Clock
from storage.faults import retrying
from storage.schema import send_budget, updates_seen

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
        which = updates_seen.c.update_id == sa.bindparam("update_id")
        self._seen = sa.select(updates_seen.c.seen).where(which)
        self._release = sa.delete(updates_seen).where(which)

    async def claim(self, update_id: int) -> bool:
        """True for the first worker to ask about this update, False for every later one.

        A passing fault (the database restarting) is retried. A claim whose commit went through
        just before the connection broke is recognised on the retry by its own `seen` value
        (the time plus a random fraction of a millisecond), so it is not taken for another's.
        """
        mine = self.clock() + secrets.randbelow(1_000_000) / 1e9

        async def attempt() -> bool:
            async with self.engine.begin() as conn:
                result = await conn.execute(self._claim, {"update_id": update_id, "seen": mine})
                if result.rowcount == 1:
                    return True
                seen = (await conn.execute(self._seen, {"update_id": update_id})).scalar()
            return seen == mine

        return await retrying(attempt, "claiming an update")

    async def release(self, update_id: int) -> None:
        """Give an update back (it could not be handled now): its redelivery will be taken."""

        async def attempt() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(self._release, {"update_id": update_id})

        await retrying(attempt, "giving an update back")

    async def purge(self, now: float) -> int:
        """Forget update ids older than UPDATE_MEMORY; returns how many."""
        async with self.engine.begin() as conn:
            result = await conn.execute(self._purge, {"cutoff": now - UPDATE_MEMORY})
        return result.rowcount


@asynccontextmanager
async def session_lock(engine: AsyncEngine, key: str) -> AsyncIterator[None]:
    """PostgreSQL's advisory lock on the session key, on a connection of its own while held.

    Taking it waits out a passing fault (a restart). If the server restarts while it is held,
    the lock goes with the connection: the turn still finishes and writes its session.
    """
    lock = lock_id(key)

    async def take() -> AsyncConnection:
        conn = await engine.connect()
        try:
            await conn.execute(sa.select(sa.func.pg_advisory_lock(lock)))
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.invalidate()
                await conn.close()
            raise
        return conn

    conn = await retrying(take, "taking a session lock")
    try:
        yield
    finally:
        # A broken connection already released it: PostgreSQL ends the lock with it.
        with contextlib.suppress(Exception):
            await conn.execute(sa.select(sa.func.pg_advisory_unlock(lock)))
        with contextlib.suppress(Exception):
            await conn.close()


class SendBudget:
    """Telegram's overall send cap as one row every worker leases slots from.

    `due` is when the next message may go if nothing was saved up, in seconds on the database's
    clock; a lease of n slots moves it n intervals on in one atomic upsert and returns how long
    until the first of them may go (negative: saved up), so each worker only adds that to its
    own clock. A quiet spell saves up at most `burst` slots, as the local bucket does.
    """

    def __init__(self, engine: AsyncEngine, name: str = "telegram"):
        if engine.dialect.name != "postgresql":
            raise ValueError("a shared send budget needs PostgreSQL")
        self.engine = engine
        self.name = name
        table = send_budget.name
        # clock_timestamp(), not now(): a lease that waited for the row lock counts from when
        # it got it; the same instant within one statement is not needed (microseconds).
        now = "extract(epoch from clock_timestamp())"
        self._lease = sa.text(
            f"INSERT INTO {table} (name, due) VALUES (:name, {now} + :span) "
            f"ON CONFLICT (name) DO UPDATE SET due = greatest({table}.due, {now}) + :span "
            f"RETURNING due - :span - :tolerance - {now}"
        )
        self._pause = sa.text(
            f"INSERT INTO {table} (name, due) VALUES (:name, {now} + :pause) "
            f"ON CONFLICT (name) DO UPDATE SET due = greatest({table}.due, {now} + :pause)"
        )

    async def lease(self, slots: int, interval: float, burst: float) -> float:
        """Take `slots` slots, `interval` seconds apart; returns seconds until the first may go.

        Slot i may go `i * interval` seconds after the first; a negative answer means the
        first (and maybe more) could have gone already: the budget had saved up.
        """
        params = {
            "name": self.name,
            "span": slots * interval,
            "tolerance": interval * (burst - 1),
        }
        async with self.engine.begin() as conn:
            return float((await conn.execute(self._lease, params)).scalar_one())

    async def pause(self, seconds: float, interval: float, burst: float) -> None:
        """No slot for any worker for `seconds` (Telegram's retry_after holds the whole bot),
        and no saved-up burst after it: slots come one interval apart again."""
        pause = seconds + interval * (burst - 1)
        async with self.engine.begin() as conn:
            await conn.execute(self._pause, {"name": self.name, "pause": pause})
