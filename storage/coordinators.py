"""Coordinators who may sign in to the coordinator page, and their signed-in sessions.

A coordinator is a name (or role) and an argon2 hash of the password; nothing else about the
person. A signed-in browser is stored under a hash of its cookie's random token (the token
itself never reaches the database), with the name and when it ends, so every worker of a
deployment knows it and signing out or removing the coordinator ends it everywhere.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.schema import coordinator_sessions, coordinators

NAME_LENGTH = 60


class CoordinatorStore:
    def __init__(self, engine: AsyncEngine, owns_engine: bool = True):
        self.engine = engine
        self._owns_engine = owns_engine

    @classmethod
    async def open(cls, url: str, **kw: object) -> CoordinatorStore:
        """The store for a database URL, migrated to the newest schema first."""
        from storage.migrate import open_database

        return cls(await open_database(url, "the coordinators' database", **kw))

    async def close(self) -> None:
        if self._owns_engine:
            await self.engine.dispose()

    # ---- who may sign in ---------------------------------------------------------------

    async def add(self, name: str, password_hash: str, *, replace: bool = False) -> bool:
        """Add a coordinator; False if the name exists (with `replace`, its password changes
        and its sessions end)."""
        try:
            async with self.engine.begin() as conn:
                if replace:
                    await conn.execute(sa.delete(coordinators).where(coordinators.c.name == name))
                    await conn.execute(
                        sa.delete(coordinator_sessions).where(coordinator_sessions.c.name == name)
                    )
                await conn.execute(
                    sa.insert(coordinators).values(
                        name=name, password_hash=password_hash, added_at=time.time()
                    )
                )
        except IntegrityError:
            return False
        return True

    async def remove(self, name: str) -> bool:
        """Remove a coordinator and end every session of theirs; False if there was none."""
        async with self.engine.begin() as conn:
            done = await conn.execute(sa.delete(coordinators).where(coordinators.c.name == name))
            await conn.execute(
                sa.delete(coordinator_sessions).where(coordinator_sessions.c.name == name)
            )
        return bool(done.rowcount)

    async def names(self) -> list[tuple[str, float]]:
        """(name, added at) of every coordinator, by name."""
        query = sa.select(coordinators.c.name, coordinators.c.added_at).order_by(
            coordinators.c.name
        )
        async with self.engine.connect() as conn:
            return [(row.name, row.added_at) for row in (await conn.execute(query)).all()]

    async def password_hash(self, name: str) -> str | None:
        query = sa.select(coordinators.c.password_hash).where(coordinators.c.name == name)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar()

    async def update_hash(self, name: str, password_hash: str) -> None:
        """A stronger hash of the same password (argon2's parameters went up)."""
        query = (
            sa.update(coordinators)
            .where(coordinators.c.name == name)
            .values(password_hash=password_hash)
        )
        async with self.engine.begin() as conn:
            await conn.execute(query)

    # ---- signed-in browsers ------------------------------------------------------------

    async def start_session(self, token_hash: str, name: str, expires: float) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.insert(coordinator_sessions).values(
                    token_hash=token_hash, name=name, expires=expires
                )
            )

    async def session_name(self, token_hash: str, now: float) -> str | None:
        """The coordinator signed in with this token, if the session has not ended."""
        c = coordinator_sessions.c
        query = sa.select(c.name).where(c.token_hash == token_hash, c.expires > now)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar()

    async def end_session(self, token_hash: str) -> None:
        query = sa.delete(coordinator_sessions).where(
            coordinator_sessions.c.token_hash == token_hash
        )
        async with self.engine.begin() as conn:
            await conn.execute(query)

    async def purge_sessions(self, now: float) -> int:
        """Delete sessions that have ended; returns how many."""
        query = sa.delete(coordinator_sessions).where(coordinator_sessions.c.expires <= now)
        async with self.engine.begin() as conn:
            return (await conn.execute(query)).rowcount or 0
