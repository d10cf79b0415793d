"""Sessions in a dict: for tests and the terminal chat, gone when the process ends."""

from __future__ import annotations

import time

from storage.base import DEFAULT_TTL_SECONDS, Clock, Saved, SessionStore
from storage.codec import Row, check_key, deserialize, serialize


class MemoryStore(SessionStore):
    """Keeps encoded rows, not Session objects, so a caller changing a session later can't
    change what was stored, and the same checks apply as for the SQL store."""

    def __init__(self, ttl_seconds: int = DEFAULT_TTL_SECONDS, *, clock: Clock = time.time):
        super().__init__(ttl_seconds, clock=clock)
        self._rows: dict[str, Row] = {}

    async def load(self, key: str) -> Saved | None:
        self._check_open()
        row = self._rows.get(check_key(key))
        if row is None:
            return None
        saved = deserialize(row)
        return None if self.expired(saved.session) else saved

    async def save(self, key: str, saved: Saved, *, durable: bool = False) -> None:
        self._check_open()
        self._rows[check_key(key)] = serialize(saved)

    async def delete(self, key: str) -> bool:
        self._check_open()
        return self._rows.pop(check_key(key), None) is not None

    async def purge(self, now: float) -> int:
        self._check_open()
        cutoff = self.cutoff(now)
        old = [key for key, row in self._rows.items() if row["updated"] < cutoff]
        for key in old:
            del self._rows[key]
        return len(old)

    async def count(self) -> int:
        self._check_open()
        cutoff = self.cutoff(self._clock())
        return sum(1 for row in self._rows.values() if row["updated"] >= cutoff)
