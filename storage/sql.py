"""Sessions in SQLite or PostgreSQL, with writes coalesced into one short transaction per tick.

put() only queues the encoded row (the newest per key wins); a background task writes the
queue every flush_interval seconds in one upsert. get() looks in the queue first, so a
conversation always reads its own writes. delete() is written at once: forgetting is never
left waiting. Reads go through storage.reader (one connection held open outside any
transaction).

The sessions this process last used are also kept decoded in a bounded LRU (cache_size, 10,000
by default: a few MB), since a read from the database cost ~10× the rest of an update. So memory
still does not grow with the table. The cache assumes one serving process per database (the
Bot API hands a bot's updates to one poller or one webhook); `firstcontact purge` elsewhere is
safe, since it removes only expired sessions, which the cache never returns either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.lru import BoundedLRU
from storage.base import DEFAULT_TTL_SECONDS, Clock, Saved, SessionStore, StoreClosed
from storage.codec import COLUMNS, CorruptRow, Row, check_key, deserialize, serialize
from storage.faults import describe_error, retrying
from storage.reader import Reader
from storage.schema import sessions
from storage.settings import async_url, sqlite_file

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.015  # seconds between batched writes
MAX_PENDING = 10_000  # queued sessions before put() waits for a write (bounds memory)
CACHE_SIZE = 10_000  # decoded sessions kept for reads (LRU); 0 reads every session from the db
BUSY_TIMEOUT_MS = 5_000
CLOSE_TIMEOUT = 10.0  # seconds close() keeps retrying before it gives up
RETRY_FIRST, RETRY_MAX = 0.1, 5.0
PURGE_BATCH = 500  # rows per purge transaction, to keep each one short


def create_engine(
    url: str | URL,
    *,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    connect_args: dict[str, Any] | None = None,
    **engine_kw: Any,
) -> AsyncEngine:
    """An async engine for url; SQLite gets WAL, a busy timeout and synchronous=NORMAL."""
    url = async_url(url) if isinstance(url, str) else url
    path = sqlite_file(url)
    if path is not None:
        _private_file(path)
    if url.get_backend_name() == "postgresql":
        # A server restart or failover drops pooled connections; check one before each batch
        # (one round trip per 15 ms tick at most) instead of failing the batch on it.
        engine_kw.setdefault("pool_pre_ping", True)
    engine = create_async_engine(
        url, hide_parameters=True, connect_args=connect_args or {}, **engine_kw
    )
    if url.get_backend_name() == "sqlite":
        pragmas = (
            "PRAGMA journal_mode=WAL",
            f"PRAGMA busy_timeout={int(busy_timeout_ms)}",
            "PRAGMA synchronous=NORMAL",
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in pragmas:
                cursor.execute(pragma)
            cursor.close()

    return engine


def _private_file(path: Path) -> None:
    """Create the database file (and its folder) readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


class SqlStore(SessionStore):
    """The SQL session store; build it with storage.open_store(), which also migrates."""

    def __init__(
        self,
        engine: AsyncEngine,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        *,
        clock: Clock = time.time,
        flush_interval: float = FLUSH_INTERVAL,
        max_pending: int = MAX_PENDING,
        close_timeout: float = CLOSE_TIMEOUT,
        cache_size: int = CACHE_SIZE,
        durable: bool = False,
    ):
        """durable=True: every put returns once written, as several workers need (shared.py)."""
        super().__init__(ttl_seconds, clock=clock)
        if cache_size < 0:
            raise ValueError("cache_size must be 0 (no cache) or more")
        self.engine = engine
        self.cache_size = cache_size
        self.durable = durable
        self._hot: BoundedLRU[str, Saved] = BoundedLRU(cache_size)
        self._deletes = 0  # deletes begun so far: a read that spans one is not cached
        self.flush_interval = flush_interval
        self._max_pending = max_pending
        self._close_timeout = close_timeout
        self._pending: dict[str, Row] = {}
        self._inflight: dict[str, Row] = {}
        self._deleting: dict[str, int] = {}  # keys with a delete() under way, and how many
        self._lock = asyncio.Lock()  # one writer at a time: flushes, deletes, purges
        self._dirty = asyncio.Event()  # something is queued
        self._urgent = asyncio.Event()  # a durable put waits: don't wait for the tick
        self._flusher: asyncio.Task[None] | None = None
        self._batch_done: asyncio.Future[None] | None = None  # only while a durable put waits
        self._reader = Reader(engine)
        c = sessions.c
        self._dialect = engine.dialect.name
        self._delete = sa.delete(sessions).where(c.key == sa.bindparam("key"))
        self._upsert = _upsert(engine.dialect.name)
        old = sa.select(c.key).where(c.updated < sa.bindparam("cutoff")).limit(PURGE_BATCH)
        self._purge = sa.delete(sessions).where(c.key.in_(old.scalar_subquery()))
        live = c.updated >= sa.bindparam("cutoff")
        self._count = sa.select(sa.func.count()).select_from(sessions).where(live)

    async def load(self, key: str) -> Saved | None:
        self._check_open()
        check_key(key)
        hot = self._hot.get(key)
        if hot is not None:
            return None if self.expired(hot.session) else hot.copy()
        row = self._pending.get(key)
        if row is None:
            row = self._inflight.get(key)
        if row is None:
            if key in self._deleting:  # being forgotten right now: already gone for readers
                return None
            deletes = self._deletes
            row = await self._reader.read(key)
            if row is None:
                return None
            try:
                saved = deserialize(row)
            except CorruptRow as exc:
                log.warning("dropping an unreadable stored session: %s", exc)
                await self._drop_corrupt(row)
                return None
            if self._deletes != deletes or key in self._hot or key in self._pending:
                return await self.load(key)  # changed while we read: never cache the old row
        else:
            saved = deserialize(row)
        if self.expired(saved.session):
            return None
        self._remember(key, saved.copy())
        return saved

    def _remember(self, key: str, saved: Saved) -> None:
        self._hot.put(key, saved)

    def _forget_expired(self) -> None:
        """Expired sessions leave memory when they leave the table."""
        for key, saved in self._hot.items():
            if self.expired(saved.session):
                self._hot.pop(key)

    async def save(self, key: str, saved: Saved, *, durable: bool = False) -> None:
        self._check_open()
        row = {"key": check_key(key), **serialize(saved)}
        self._remember(key, saved.copy())
        self._pending[key] = row
        self._wake()
        if len(self._pending) >= self._max_pending:
            await self._write_pending()
        elif durable or self.durable:
            await self._written()

    async def _written(self) -> None:
        """Return once the queue holding this row is written. A passing fault (the database
        restarting) is waited out while the writer retries, for up to RETRY_WITHIN seconds;
        past that, or for any other error, it is raised and the row stays queued."""

        async def batch() -> None:
            self._urgent.set()  # write the queue now, not at the next tick
            await asyncio.shield(self._next_batch())

        await retrying(batch, "writing a session")

    def _next_batch(self) -> asyncio.Future[None]:
        """Resolves when the batch now being queued is written (or fails with the error)."""
        if self._batch_done is None:
            self._batch_done = asyncio.get_running_loop().create_future()
            self._batch_done.add_done_callback(_retrieve)
        return self._batch_done

    async def delete(self, key: str) -> bool:
        self._check_open()
        check_key(key)
        self._hot.pop(key)
        self._deletes += 1
        # Earlier writes of this key: queued, or in a batch being written right now.
        earlier = [r for r in (self._pending.pop(key, None), self._inflight.get(key)) if r]
        self._deleting[key] = self._deleting.get(key, 0) + 1
        try:
            async with self._lock:
                queued = self._pending.get(key)
                if queued is not None and any(queued is r for r in earlier):
                    del self._pending[key]  # a failed batch put it back; it is older than us
                async with self.engine.begin() as conn:
                    result = await conn.execute(self._delete, {"key": key})
        finally:
            self._deleting[key] -= 1
            if not self._deleting[key]:
                del self._deleting[key]
        return bool(earlier) or result.rowcount > 0

    async def purge(self, now: float) -> int:
        self._check_open()
        self._forget_expired()
        await self._write_pending()
        total = 0
        while True:
            async with self._lock, self.engine.begin() as conn:
                deleted = (await conn.execute(self._purge, {"cutoff": self.cutoff(now)})).rowcount
            total += deleted
            if deleted < PURGE_BATCH:
                return total

    async def count(self) -> int:
        self._check_open()
        await self._write_pending()
        async with self.engine.connect() as conn:
            result = await conn.execute(self._count, {"cutoff": self.cutoff(self._clock())})
            return int(result.scalar_one())

    async def flush(self) -> None:
        """Write everything queued so far; raises the database error if that fails (kept queued)."""
        self._check_open()
        await self._write_pending()

    @property
    def pending(self) -> int:
        """Sessions queued and not yet written (for health checks and benchmarks)."""
        return len(self._pending) + len(self._inflight)

    async def close(self) -> None:
        """Stop the background writer, write what is queued (retrying), release connections."""
        if self._closed:
            return
        self._closed = True
        self._hot.clear()
        if self._flusher is not None:
            async with self._lock:  # so it is never stopped halfway through a write
                self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        try:
            await self._final_flush()
        finally:
            try:
                await self._reader.close()
                await self._close_figures()
            finally:
                await self.engine.dispose()

    async def _close_figures(self) -> None:
        """Write the day's counts before the connections go (a failure loses only counts)."""
        try:
            await self.figures.close()
        except Exception as exc:
            log.error("could not write the figures at shutdown (%s)", describe_error(exc))

    async def _final_flush(self) -> None:
        deadline = time.monotonic() + self._close_timeout
        delay = RETRY_FIRST
        while True:
            try:
                await self._write_pending()
                return
            except Exception as exc:
                if time.monotonic() + delay > deadline:
                    log.error(
                        "gave up writing %d sessions at shutdown (%s)",
                        len(self._pending),
                        describe_error(exc),
                    )
                    raise
                log.warning(
                    "could not write %d sessions at shutdown (%s); retrying in %.1f s",
                    len(self._pending),
                    describe_error(exc),
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    def _wake(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(
                self._flush_loop(), name="session-store-writer"
            )
        self._dirty.set()

    async def _flush_loop(self) -> None:
        """Write the queue every flush_interval while there is something; back off on errors."""
        delay = 0.0
        while True:
            await self._dirty.wait()
            if delay:  # backing off after an error: even durable puts wait
                await asyncio.sleep(delay)
            elif not self._urgent.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._urgent.wait(), self.flush_interval)
            self._dirty.clear()
            self._urgent.clear()
            try:
                await self._write_pending()
            except Exception as exc:
                delay = min(max(delay * 2, RETRY_FIRST), RETRY_MAX)
                self._dirty.set()
                log.error(
                    "could not write %d sessions (%s); retrying in %.1f s",
                    self.pending,
                    describe_error(exc),
                    delay,
                )
            else:
                if delay:
                    log.warning("session writes work again")
                delay = 0.0

    async def _write_pending(self) -> None:
        """Write the whole queue in one transaction; on failure put it back (newer rows win)."""
        async with self._lock:
            if not self._pending:  # e.g. deleted meanwhile: a durable put waiting is done
                done, self._batch_done = self._batch_done, None
                if done is not None:
                    done.set_result(None)
                return
            batch, self._pending = self._pending, {}
            done, self._batch_done = self._batch_done, None
            self._inflight = batch
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(self._upsert, list(batch.values()))
            except BaseException as exc:
                for key, row in batch.items():
                    self._pending.setdefault(key, row)
                if done is not None:  # durable puts hear of it; their rows stay queued
                    done.set_exception(exc if isinstance(exc, Exception) else StoreClosed())
                raise
            finally:
                self._inflight = {}
            if done is not None:
                done.set_result(None)

    async def _drop_corrupt(self, row: Row) -> None:
        """Delete the unreadable row, but only if it is still exactly what was read."""
        same = [sessions.c[name].is_not_distinct_from(value) for name, value in row.items()]
        try:
            async with self._lock, self.engine.begin() as conn:
                await conn.execute(sa.delete(sessions).where(*same))
        except Exception as exc:
            log.error("could not delete an unreadable session (%s)", describe_error(exc))


def _retrieve(future: asyncio.Future[None]) -> None:
    """Mark a batch's error as seen: the writer logs it, and a durable put may have gone."""
    if not future.cancelled():
        future.exception()


def _upsert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(sessions)
    return stmt.on_conflict_do_update(
        index_elements=[sessions.c.key],
        set_={name: stmt.excluded[name] for name in COLUMNS},
    )
