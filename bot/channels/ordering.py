"""Per-chat order, flood control and once-only notices, all in small self-cleaning memory.

Keys are pseudonymous hashes (the session key), never chat ids, so nothing here could leak who
talked to the bot even in a memory dump; every table is bounded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.channels.pacing import TokenBucket
from bot.lru import BoundedLRU


@dataclass(slots=True)
class _Slot:
    lock: asyncio.Lock
    users: int = 0


class ChatLocks:
    """One FIFO lock per chat, created on demand and dropped when nobody holds or waits for it.

    Updates of one chat run one after another in arrival order (asyncio.Lock is FIFO, and the
    waiter is queued before the first suspension); different chats never wait for each other.
    """

    def __init__(self) -> None:
        self._slots: dict[str, _Slot] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def busy(self, key: str) -> bool:
        """True while an update of this chat is handled or waits: a new one would wait."""
        return key in self._slots

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot(asyncio.Lock())
        slot.users += 1
        try:
            async with slot.lock:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0 and self._slots.get(key) is slot:
                del self._slots[key]


@dataclass(slots=True)
class _Gate:
    bucket: TokenBucket
    warned: bool = False


class FloodGate:
    """A token bucket per chat: a burst of `burst` updates, then `rate` per second.

    `admit` says whether to handle an update and, when not, whether this is the first drop of
    the flood (the one that gets a gentle "slow down"). Memory is an LRU of `max_chats` buckets;
    an evicted bucket comes back full, which only makes the gate more lenient.
    """

    def __init__(
        self,
        burst: int = 10,
        rate: float = 1.0,
        max_chats: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        if rate <= 0:
            raise ValueError("a flood gate needs a rate above 0")
        self.burst = burst
        self.rate = rate
        self.max_chats = max_chats
        self._clock = clock
        self._gates: BoundedLRU[str, _Gate] = BoundedLRU(max_chats)

    def __len__(self) -> int:
        return len(self._gates)

    def admit(self, key: str) -> tuple[bool, bool]:
        """(handle it, warn now): warn is True only for the first update dropped in a flood."""
        gate = self._gates.entry(
            key, lambda: _Gate(TokenBucket(self.rate, self.burst, clock=self._clock))
        )
        if gate.bucket.try_take():
            gate.warned = False
            return True, False
        if gate.warned:
            return False, False
        gate.warned = True
        return False, True


class SeenOnce:
    """Remembers up to `size` keys (LRU) so a notice is given once per chat per process."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self._seen: BoundedLRU[str, bool] = BoundedLRU(size)

    def __len__(self) -> int:
        return len(self._seen)

    def first(self, key: str) -> bool:
        """True the first time a key is seen (or after it fell out of the LRU)."""
        if self._seen.get(key):
            return False
        self._seen.put(key, True)
        return True
