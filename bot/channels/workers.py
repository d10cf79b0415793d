"""Several workers on one PostgreSQL: the turn's per-session lock held across processes, and
the ledger of updates taken (storage/shared.py says how each survives a worker's death)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.ordering import ChatLocks
from storage.shared import UpdateLedger, session_lock

log = logging.getLogger(__name__)

LOCK_CONNECTIONS = 32  # sessions in a turn at once per worker; more wait for a connection


class SharedLocks(ChatLocks):
    """ChatLocks for every worker: this worker's FIFO lock first (its own arrival order, and
    one waiting database connection per session), then PostgreSQL's advisory lock."""

    def __init__(self, engine: AsyncEngine):
        super().__init__()
        self.engine = engine

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with super().hold(key), session_lock(self.engine, key):
            yield


@dataclass
class Shared:
    """What every worker of one deployment shares: session locks and the update ledger."""

    engine: AsyncEngine
    locks: SharedLocks
    ledger: UpdateLedger
    forgetting: asyncio.Task[None] | None = None

    def start_forgetting(self, interval_seconds: float) -> None:
        """Forget old update ids now and then (every worker does; deleting twice is harmless)."""
        self.forgetting = asyncio.create_task(self._forget(interval_seconds))

    async def _forget(self, interval_seconds: float) -> None:
        while True:
            try:
                await self.ledger.purge(time.time())
            except Exception as exc:  # the database away for a moment: try again later
                log.warning("forgetting old update ids failed error=%s", type(exc).__name__)
            await asyncio.sleep(interval_seconds)

    async def close(self) -> None:
        if self.forgetting is not None:
            self.forgetting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.forgetting
        await self.engine.dispose()


def open_shared(url: str, **engine_kw: Any) -> Shared:
    """Coordination over its own connections (the store's writer never waits behind a lock).

    Call after open_store(), which creates the tables; engine_kw as for open_store().
    """
    from storage.sql import create_engine

    engine_kw = {"pool_size": LOCK_CONNECTIONS, "max_overflow": 0, "pool_timeout": 60, **engine_kw}
    engine = create_engine(url, **engine_kw)
    return Shared(engine, SharedLocks(engine), UpdateLedger(engine))
