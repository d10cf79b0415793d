"""Whose message goes out next under the overall send cap: urgent chats first, then chats in turn.

Telegram lets a bot send about 30 messages a second in all. Under a burst above that, replies
wait here, and who goes next is decided when a slot comes up, not when a reply asks for one: a
chat with an urgent reply waiting (danger, crisis), or an urgent update in hand, goes before
every other chat; otherwise chats take turns (round-robin), each chat's sends in the order they
were made. So 112 takes the next free slot however long the backlog, one chat's many messages
cannot starve the others, and nothing is dropped. A chat's entry lives only while it has a send
waiting or an urgent update in hand.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from telegram.error import NetworkError

log = logging.getLogger(__name__)

BACKLOG_NOTE_SECONDS = 5.0  # log once when the sends waiting would take this long to go out


class Slots(Protocol):
    """The overall pacer as the queue uses it (pacing.TokenBucket)."""

    rate: float

    def delay(self) -> float: ...
    def take(self) -> None: ...


@runtime_checkable
class LeasedSlots(Slots, Protocol):
    """A cap shared with other workers (workers.SharedCap): slots are leased before use.

    `delay()` is infinite while no slot is held; the queue then awaits `lease(waiting)`.
    `pause(until)` passes Telegram's 429 on to every worker.
    """

    async def lease(self, wanted: int) -> None: ...
    def pause(self, until: float) -> None: ...


@dataclass(slots=True)
class _Waiter:
    """One send waiting: its future is resolved when its turn comes."""

    future: asyncio.Future[None]
    urgent: bool


@dataclass(slots=True)
class _Chat:
    """One chat's waiting sends, in order, and why it may be urgent."""

    waiters: deque[_Waiter] = field(default_factory=deque)
    expedited: int = 0  # urgent updates in hand (recognised before their turn)
    urgent_waiting: int = 0  # urgent sends among the waiters
    ring: deque[Hashable] | None = None  # the turn ring it is in, if it has waiters

    @property
    def urgent(self) -> bool:
        return self.expedited > 0 or self.urgent_waiting > 0


class SendQueue:
    """Turns to send, one message per turn, at the pace the pacer allows."""

    def __init__(
        self,
        pacer: Slots,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`sleep` and `clock` are seams for tests: the order is checked without waiting."""
        self.pacer = pacer
        self.paused_until = 0.0  # after a 429: no turns until then
        self._sleep = sleep
        self._clock = clock
        self._chats: dict[Hashable, _Chat] = {}
        self._turns: deque[Hashable] = deque()  # chats with sends waiting, taking turns
        self._urgent_turns: deque[Hashable] = deque()  # the same, for urgent chats: first
        self._waiting = 0
        self._noted = False  # the backlog was logged and has not cleared since
        self._dispatcher: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        """Sends waiting for their turn."""
        return self._waiting

    @property
    def chats(self) -> int:
        """Chats remembered: only those with a send waiting or an urgent update in hand."""
        return len(self._chats)

    def pause(self, until: float) -> None:
        """No turns before `until` (Telegram's retry_after); the order waiting is kept."""
        self.paused_until = max(self.paused_until, until)
        if isinstance(self.pacer, LeasedSlots):
            self.pacer.pause(until)

    @contextmanager
    def expedite(self, chat: Hashable) -> Iterator[None]:
        """While held, the chat's sends are urgent: those queued already and those to come.

        For an urgent update that must wait for its chat's earlier replies (per-chat order):
        those replies go first, and with them the way for the urgent one.
        """
        entry = self._chats.get(chat)
        if entry is None:
            entry = self._chats[chat] = _Chat()
        entry.expedited += 1
        self._place(chat, entry)
        try:
            yield
        finally:
            entry.expedited -= 1
            self._place(chat, entry)
            self._forget_if_idle(chat, entry)

    async def turn(self, chat: Hashable, urgent: bool = False) -> None:
        """Wait until this chat may send one message; the caller sends it at once."""
        if not self._waiting and self._free_now():
            self.pacer.take()  # nobody waiting and a slot free: no queue, no task switch
            return
        entry = self._chats.get(chat)
        if entry is None:
            entry = self._chats[chat] = _Chat()
        waiter = _Waiter(asyncio.get_running_loop().create_future(), urgent)
        entry.waiters.append(waiter)
        entry.urgent_waiting += urgent
        self._waiting += 1
        self._place(chat, entry)
        self._note_backlog()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.get_running_loop().create_task(
                self._dispatch(), name="send-queue"
            )
        try:
            await waiter.future
        except asyncio.CancelledError:
            self._withdraw(chat, waiter)  # a caller that gives up leaves no hole in the order
            raise

    def close(self) -> None:
        """Stop giving turns; sends still waiting fail with NetworkError (never hang)."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            self._dispatcher = None
        for chat, entry in list(self._chats.items()):
            for waiter in entry.waiters:
                if not waiter.future.done():
                    waiter.future.set_exception(NetworkError("stopped before its turn to send"))
            entry.waiters.clear()
            entry.urgent_waiting = 0
            self._place(chat, entry)
            self._forget_if_idle(chat, entry)
        self._waiting = 0

    # ---- inside ---------------------------------------------------------------------------

    def _free_now(self) -> bool:
        return self.pacer.delay() <= 0 and self._clock() >= self.paused_until

    async def _dispatch(self) -> None:
        """Hand out turns while sends wait: at each free slot, to whoever is first by then."""
        while self._waiting:
            wait = max(self.pacer.delay(), self.paused_until - self._clock())
            if wait == math.inf and isinstance(self.pacer, LeasedSlots):
                await self.pacer.lease(self._waiting)  # no slot held: one round trip for some
                continue
            if wait > 0:
                await self._sleep(wait)
                continue
            waiter = self._next()
            if waiter is None:
                break
            self.pacer.take()
            waiter.future.set_result(None)
        if self._noted and not self._waiting:
            self._noted = False
            log.info("send backlog cleared")

    def _next(self) -> _Waiter | None:
        """The first send of the chat whose turn it is; that chat goes to the back of its ring."""
        while self._urgent_turns or self._turns:
            ring = self._urgent_turns or self._turns
            chat = ring.popleft()
            entry = self._chats[chat]
            entry.ring = None
            waiter = entry.waiters.popleft()
            entry.urgent_waiting -= waiter.urgent
            self._waiting -= 1
            self._place(chat, entry)
            self._forget_if_idle(chat, entry)
            if not waiter.future.done():
                return waiter
        return None

    def _place(self, chat: Hashable, entry: _Chat) -> None:
        """Keep a chat in the ring its urgency calls for (none once nothing waits).

        Moving between rings keeps the chat's own sends in order; it is rare (an urgent reply
        or update), so the linear remove is fine.
        """
        wanted = None
        if entry.waiters:
            wanted = self._urgent_turns if entry.urgent else self._turns
        if entry.ring is wanted:
            return
        if entry.ring is not None:
            entry.ring.remove(chat)
        if wanted is not None:
            wanted.append(chat)
        entry.ring = wanted

    def _forget_if_idle(self, chat: Hashable, entry: _Chat) -> None:
        if not entry.waiters and not entry.expedited and self._chats.get(chat) is entry:
            del self._chats[chat]

    def _withdraw(self, chat: Hashable, waiter: _Waiter) -> None:
        entry = self._chats.get(chat)
        if entry is None or waiter not in entry.waiters:
            return  # its turn was already given
        entry.waiters.remove(waiter)
        entry.urgent_waiting -= waiter.urgent
        self._waiting -= 1
        self._place(chat, entry)
        self._forget_if_idle(chat, entry)

    def _note_backlog(self) -> None:
        """One line when replies start to wait seconds for the cap (counts only, no chats)."""
        rate = self.pacer.rate or 1.0
        if not self._noted and self._waiting >= rate * BACKLOG_NOTE_SECONDS:
            self._noted = True
            log.warning(
                "replies wait for Telegram's send cap waiting=%d cap_per_s=%g wait_s=%.0f",
                self._waiting,
                self.pacer.rate,
                self._waiting / rate,
            )
