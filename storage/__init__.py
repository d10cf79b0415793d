"""Anonymous session storage: open a store by URL, keep it purged, key sessions by keyed hash."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from storage.base import DEFAULT_TTL_SECONDS, Saved, SessionStore, StoreClosed, StoreUnavailable
from storage.codec import CorruptRow
from storage.keys import SecretError, load_or_create_secret, session_key
from storage.memory import MemoryStore
from storage.settings import MEMORY_URL

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "CorruptRow",
    "MemoryStore",
    "Saved",
    "SecretError",
    "SessionStore",
    "StoreClosed",
    "StoreUnavailable",
    "load_or_create_secret",
    "open_store",
    "purge_loop",
    "session_key",
]

log = logging.getLogger(__name__)

_SQL_ONLY = ("flush_interval", "max_pending", "close_timeout", "cache_size", "durable")


async def open_store(url: str, ttl_seconds: int = DEFAULT_TTL_SECONDS, **kw: Any) -> SessionStore:
    """The store for url: "memory://" keeps sessions in this process, anything else is SQL.

    A SQL database is migrated to the newest schema first. Keywords: clock, and for SQL
    flush_interval, max_pending, close_timeout, cache_size, busy_timeout_ms, connect_args and any
    create_async_engine() option. A bad URL raises ValueError with a message for the operator.
    """
    if url.strip() == MEMORY_URL:  # SQL-only options don't matter here
        return MemoryStore(ttl_seconds, **{k: v for k, v in kw.items() if k == "clock"})
    from storage.figures import SqlFigures
    from storage.migrate import open_database
    from storage.sql import SqlStore

    store_kw = {name: kw.pop(name) for name in ("clock", *_SQL_ONLY) if name in kw}
    engine = await open_database(url, "the session database", **kw)
    try:
        store = SqlStore(engine, ttl_seconds, **store_kw)
    except BaseException:  # a bad option: don't leave the connections open
        await engine.dispose()
        raise
    store.figures = SqlFigures(engine)  # the day's counts, written beside the sessions
    return store


async def purge_loop(store: SessionStore, interval_seconds: float) -> None:
    """Delete expired sessions now and then every interval_seconds, until cancelled."""
    while True:
        try:
            purged = await store.purge(store.now())
        except StoreClosed:
            return
        except Exception as exc:
            log.error("purging expired sessions failed (%s); will try again", type(exc).__name__)
        else:
            if purged:
                log.info("purged %d expired sessions", purged)
        await asyncio.sleep(interval_seconds)
