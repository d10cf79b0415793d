"""The read side of the SQL store: one connection held open outside any transaction.

Checking a connection out of the pool for every read (and the ROLLBACK when it goes back)
cost about ten times the read itself. One held connection, used one read at a time and
queried through the driver directly, starts no transaction at all.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.base import StoreClosed
from storage.codec import COLUMNS, Row
from storage.faults import retrying
from storage.schema import sessions
from storage.settings import sqlite_file

ALL_COLUMNS = ("key", *COLUMNS)
_RAW = sa.types.NullType()  # read columns without type processing; the codec checks them
_READ_SQL = {  # driver-level reads: about 5x less work per message than going through Core
    ("sqlite", "aiosqlite"): f"SELECT {', '.join(ALL_COLUMNS)} FROM sessions WHERE key = ?",
    ("postgresql", "asyncpg"): f"SELECT {', '.join(ALL_COLUMNS)} FROM sessions WHERE key = $1",
}


class Reader:
    """Reads one session row by key; a failed read is tried again on a fresh connection (for a
    passing fault, until the database is back), so a restart costs no conversation its session."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self._dialect = engine.dialect.name
        self._read_sql = _READ_SQL.get((self._dialect, engine.dialect.driver))
        # In-memory SQLite has one connection shared by all: holding it would mix reads into writes.
        self._keep = self._read_sql is not None and (
            self._dialect != "sqlite" or sqlite_file(engine.url) is not None
        )
        self._select = sa.select(*(sa.type_coerce(col, _RAW) for col in sessions.c)).where(
            sessions.c.key == sa.bindparam("key")
        )
        self._conn: AsyncConnection | None = None  # the read connection, opened on first use
        self.driver: Any = None  # its aiosqlite or asyncpg connection
        self._lock = asyncio.Lock()  # one read at a time on it
        self._done = False  # close() has released it: don't open another

    async def read(self, key: str) -> Row | None:
        """One row as the driver returns it, in one round trip (the hot path of every message)."""
        try:
            found = await self._read_once(key)
        except Exception:  # tried again on a fresh connection, through a restart if need be
            found = await retrying(lambda: self._read_once(key), "reading a session")
        return None if found is None else dict(zip(ALL_COLUMNS, found, strict=True))

    async def close(self) -> None:
        """Give the connection back, after any read under way; no new one opens after this."""
        async with self._lock:
            self._done = True
            await self._drop(broken=False)

    async def _read_once(self, key: str) -> Any:
        if self._keep:
            async with self._lock:
                driver = self.driver or await self._open()
                try:
                    return await self._fetch(driver, key)
                except BaseException:  # broken, or cancelled halfway: never reuse it
                    await self._drop(broken=True)
                    raise
        async with self.engine.connect() as conn:
            try:
                return await self._read_on(conn, key)
            except Exception:
                await conn.invalidate()  # don't hand a broken connection to the next message
                raise

    async def _open(self) -> Any:
        """Check out the read connection; the driver is used directly, so no transaction starts.

        SQLite reads outside a transaction (WAL mode) see every write committed before them;
        asyncpg runs a statement outside a transaction in autocommit.
        """
        if self._done:
            raise StoreClosed()
        conn = await self.engine.connect()
        try:
            self.driver = (await conn.get_raw_connection()).driver_connection
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        return self.driver

    async def _drop(self, *, broken: bool) -> None:
        """Let go of the read connection; a broken one is discarded, not given back to the pool."""
        conn, self._conn, self.driver = self._conn, None, None
        with contextlib.suppress(Exception):  # it may be gone already; the pool copes
            if conn is not None and broken:
                await conn.invalidate()
            if conn is not None:
                await conn.close()

    async def _read_on(self, conn: AsyncConnection, key: str) -> Any:
        if self._read_sql is None:
            return (await conn.execute(self._select, {"key": key})).first()
        return await self._fetch((await conn.get_raw_connection()).driver_connection, key)

    async def _fetch(self, driver: Any, key: str) -> Any:
        if self._dialect == "sqlite":
            rows = await driver.execute_fetchall(self._read_sql, (key,))
            return rows[0] if rows else None
        return await driver.fetchrow(self._read_sql, key)
