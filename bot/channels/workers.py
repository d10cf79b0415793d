"""Several workers on one PostgreSQL: the turn's per-session lock held across processes, the
ledger of updates taken (storage/shared.py says how each survives a worker's death), and
Telegram's overall send cap shared by all of them (SharedCap)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.ordering import ChatLocks
from bot.channels.pacing import TokenBucket
from storage.shared import SendBudget, UpdateLedger, session_lock

log = logging.getLogger(__name__)

LOCK_CONNECTIONS = 32  # sessions in a turn at once per worker; more wait for a connection
# A lease holds at most this much of the shared send budget (3 slots at 30/s): one round trip
# per slice, not per message, while another worker's urgent reply waits at most this long per
# worker for slots leased before it (docs/performance.md, "The shared send cap").
SLICE_SECONDS = 0.1
# A leased slot not used this long after it came due is dropped, never used late: a slot used
# late would add a message to a later second that other workers already fill.
SLOT_GRACE_SECONDS = 0.2
# With the database away, each worker paces itself at the full cap for this long, then asks
# again: replies keep going (Telegram's 429 is waited out if workers together go over).
FALLBACK_SECONDS = 5.0


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


class SharedCap:
    """Telegram's overall send cap for every worker at once: the send queue's slots, leased
    from one PostgreSQL row (storage.shared.SendBudget) a slice at a time.

    The send queue asks `delay()` and `take()` as of a local bucket; when no leased slot is
    held, `delay()` is infinite and the queue awaits `lease()`, one round trip for up to
    SLICE_SECONDS of slots. Only the queue's dispatcher leases, one slice at a time, so a worker
    never holds more than a slice ahead of the others, and its own urgent sends take the next
    slot it holds. If the database cannot be reached the worker paces itself locally.
    """

    def __init__(
        self,
        budget: SendBudget,
        rate: float,
        burst: float | None = None,
        *,
        slice_seconds: float = SLICE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`slice_seconds` of the budget at most per lease (0: one slot per round trip)."""
        if rate <= 0:
            raise ValueError("a shared cap needs a rate above 0 (0 lifts the cap: no SharedCap)")
        self.budget = budget
        self.rate = rate
        self.burst = burst if burst is not None else rate
        self.interval = 1.0 / rate
        self.slice = max(1, int(rate * slice_seconds))
        self._clock = clock
        self._slots: deque[tuple[float, float]] = deque()  # (may go at, dropped after)
        self._local = TokenBucket(rate, self.burst, clock=clock)
        self._local_until = 0.0  # pacing locally (database away) until then
        self.leases = 0  # round trips made (the benchmark's figure)
        self._pausing: set[asyncio.Task[None]] = set()

    def delay(self) -> float:
        """Seconds until the next held slot may go; infinite when none is held (lease)."""
        now = self._clock()
        if now < self._local_until:
            return self._local.delay()
        slots = self._slots
        while slots and slots[0][1] < now:
            slots.popleft()  # came due and went unused: never used late
        if not slots:
            return math.inf
        wait = slots[0][0] - now
        return wait if wait > 0 else 0.0

    def take(self) -> None:
        """Use the next held slot (the queue takes one only when delay() is 0)."""
        if self._clock() < self._local_until:
            self._local.take()
        elif self._slots:
            self._slots.popleft()

    async def lease(self, wanted: int) -> None:
        """Lease up to a slice of slots for `wanted` sends waiting: one database round trip."""
        count = max(1, min(wanted, self.slice))
        try:
            first = await self.budget.lease(count, self.interval, self.burst)
        except Exception as exc:  # the database away: keep sending, at this worker's own pace
            log.warning(
                "shared send cap unreachable, pacing locally error=%s seconds=%.0f",
                type(exc).__name__,
                FALLBACK_SECONDS,
            )
            self._local_until = self._clock() + FALLBACK_SECONDS
            return
        self.leases += 1
        now = self._clock()
        for i in range(count):
            at = now + first + i * self.interval
            self._slots.append((at, max(at, now) + SLOT_GRACE_SECONDS))

    def pause(self, until: float) -> None:
        """Telegram said 429 to this worker: hold every worker back too (in the background)."""
        self._slots.clear()
        seconds = until - self._clock()
        if seconds <= 0:
            return
        task = asyncio.get_running_loop().create_task(self._pause(seconds))
        self._pausing.add(task)
        task.add_done_callback(self._pausing.discard)

    async def _pause(self, seconds: float) -> None:
        try:
            await self.budget.pause(seconds, self.interval, self.burst)
        except Exception as exc:  # this worker pauses anyway; the others learn from their 429
            log.warning("sharing a send pause failed error=%s", type(exc).__name__)


@dataclass
class Shared:
    """What every worker of one deployment shares: session locks, the update ledger and
    Telegram's overall send budget (on an engine of its own: never behind the locks)."""

    engine: AsyncEngine
    locks: SharedLocks
    ledger: UpdateLedger
    budget: SendBudget
    forgetting: asyncio.Task[None] | None = None

    def send_cap(self, rate: float) -> SharedCap:
        """The overall cap of `rate` messages a second for this worker's send queue."""
        return SharedCap(self.budget, rate)

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
        await self.budget.engine.dispose()


def open_shared(url: str, **engine_kw: Any) -> Shared:
    """Coordination over its own connections (the store's writer never waits behind a lock).

    Call after open_store(), which creates the tables; engine_kw as for open_store().
    """
    from storage.sql import create_engine

    locks_kw = {"pool_size": LOCK_CONNECTIONS, "max_overflow": 0, "pool_timeout": 60, **engine_kw}
    engine = create_engine(url, **locks_kw)
    # The send queue leases on a connection of its own: turns that hold every lock connection
    # while they wait to send must never keep the lease that lets them send from running.
    budget_kw = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 10, **engine_kw}
    budget = SendBudget(create_engine(url, **budget_kw))
    return Shared(engine, SharedLocks(engine), UpdateLedger(engine), budget)
