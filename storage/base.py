"""What every session store does, so the bot, tests and terminal chat can swap them freely."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from bot.engine.model import Session
from storage.figures import Figures

DEFAULT_TTL_SECONDS = 3600

Clock = Callable[[], float]


@dataclass(slots=True)
class Saved:
    """One stored row: the engine's session and, beside it, the channel's own state."""

    session: Session
    message_ids: list[int] = field(default_factory=list)  # recent messages "stop" deletes

    def copy(self) -> Saved:
        return Saved(self.session.copy(self.session.updated), list(self.message_ids))


class StoreClosed(RuntimeError):
    """The store was closed; nothing can be read or written any more."""


class StoreUnavailable(OSError):
    """The database could not be opened or migrated; the message names it (without password)."""


class SessionStore(ABC):
    """Sessions by key (see storage.keys); a session idle longer than ttl_seconds is gone.

    A session is expired when its `updated` is older than now - ttl_seconds: get() then
    returns None and purge() deletes it.
    """

    def __init__(self, ttl_seconds: int = DEFAULT_TTL_SECONDS, *, clock: Clock = time.time):
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be a positive number of seconds.")
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._closed = False
        # Anonymous daily counts (storage/figures.py): kept in memory unless the SQL store
        # writes them; never linked to a session.
        self.figures: Figures = Figures()

    @abstractmethod
    async def load(self, key: str) -> Saved | None:
        """The row under key, or None if there is none or it has expired."""

    @abstractmethod
    async def save(self, key: str, saved: Saved, *, durable: bool = False) -> None:
        """Store the row under key; with durable=True, return only once it is written."""

    async def get(self, key: str) -> Session | None:
        """The session under key, or None if there is none or it has expired."""
        saved = await self.load(key)
        return None if saved is None else saved.session

    async def put(self, key: str, session: Session, *, durable: bool = False) -> None:
        """Store a session with no channel state under key (see save)."""
        await self.save(key, Saved(session), durable=durable)

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Forget key now (written before returning); True if a session was stored under it."""

    @abstractmethod
    async def purge(self, now: float) -> int:
        """Delete every session not updated since now - ttl_seconds; returns how many."""

    @abstractmethod
    async def count(self) -> int:
        """How many sessions are live (not expired) right now."""

    async def flush(self) -> None:
        """Write everything put so far; a store that writes at once has nothing to do."""
        self._check_open()

    async def close(self) -> None:
        """Write anything pending and release resources; the store can't be used afterwards."""
        self._closed = True

    def now(self) -> float:
        """The store's clock (time.time unless a test gives another)."""
        return self._clock()

    def expired(self, session: Session, now: float | None = None) -> bool:
        return session.updated < self.cutoff(self._clock() if now is None else now)

    def cutoff(self, now: float) -> float:
        """Sessions updated before this moment are expired."""
        return now - self.ttl_seconds

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed("The session store is closed.")

    async def __aenter__(self) -> SessionStore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
