"""What the server holds for a web chat between requests, in memory only: unacknowledged replies.

A phone on a flaky connection may never get a response. So every reply gets a message id and
stays here until the page says it has shown it (`ack`); the page's retry of the same command
(same client id) gets the replies again instead of moving the conversation twice. Nothing here
is written anywhere: a restart loses it and the page then sees the step he is at, re-rendered.
Rendered messages are bot text (flow and directory strings), never anything he typed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.lru import BoundedLRU
from bot.render import Message

MAX_UNACKED = 12  # replies kept per chat; a page that never acks cannot grow this
MAX_DONE = 16  # client ids remembered per chat, to spot retries
MAX_CHATS = 20_000  # chats remembered (LRU); an evicted chat only loses unacked replies


@dataclass(slots=True)
class ChatState:
    last_id: int = 0
    unacked: list[tuple[int, Message]] = field(default_factory=list)
    done: BoundedLRU[str, bool] = field(default_factory=lambda: BoundedLRU(MAX_DONE))

    def add(self, messages: list[Message], clock: Callable[[], float]) -> None:
        """Number new replies; ids grow with the clock so they stay unique after a restart."""
        for message in messages:
            self.last_id = max(self.last_id + 1, int(clock() * 1000))
            self.unacked.append((self.last_id, message))
        del self.unacked[:-MAX_UNACKED]

    def ack(self, upto: int | None) -> None:
        """The page has shown every reply up to this id: they need not be kept."""
        if upto is not None:
            self.unacked = [(i, m) for i, m in self.unacked if i > upto]

    def after(self, upto: int | None) -> list[tuple[int, Message]]:
        return [(i, m) for i, m in self.unacked if upto is None or i > upto]

    def handled(self, client_id: str | None) -> bool:
        """True if this command was taken before: a retry after a lost response."""
        return client_id is not None and client_id in self.done

    def remember(self, client_id: str | None) -> None:
        if client_id is not None:
            self.done.put(client_id, True)


class Chats:
    """ChatState by session key, bounded; forget() drops a chat's state at once."""

    def __init__(self, size: int = MAX_CHATS, clock: Callable[[], float] = time.time):
        self.size = size
        self.clock = clock
        self._states: BoundedLRU[str, ChatState] = BoundedLRU(size)

    def __len__(self) -> int:
        return len(self._states)

    def get(self, key: str) -> ChatState:
        return self._states.entry(key, ChatState)

    def known(self, key: str) -> bool:
        return key in self._states

    def forget(self, key: str) -> None:
        self._states.pop(key)
