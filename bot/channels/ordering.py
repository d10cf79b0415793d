"""Per-chat order, flood control and once-only notices, all in small self-cleaning memory.

Keys are pseudonymous hashes (the session key), never chat ids, so nothing here could leak who
talked to the bot even in a memory dump; every table is bounded.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


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


def lru_entry(table: OrderedDict[K, V], key: K, make: Callable[[], V], size: int) -> V:
    """table[key], made if missing and marked newest; the oldest entry goes beyond `size`."""
    found = table.get(key)
    if found is None:
        found = table[key] = make()
        if len(table) > size:
            table.popitem(last=False)
    else:
        table.move_to_end(key)
    return found


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
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
        self.burst = float(burst)
        self.rate = rate
        self.max_chats = max_chats
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def admit(self, key: str) -> tuple[bool, bool]:
        """(handle it, warn now): warn is True only for the first update dropped in a flood."""
        now = self._clock()
        bucket = lru_entry(
            self._buckets, key, lambda: _Bucket(tokens=self.burst, stamp=now), self.max_chats
        )
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return True, False
        if bucket.warned:
            return False, False
        bucket.warned = True
        return False, True


class SeenOnce:
    """Remembers up to `size` keys (LRU) so a notice is given once per chat per process."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def first(self, key: str) -> bool:
        """True the first time a key is seen (or after it fell out of the LRU)."""
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True
