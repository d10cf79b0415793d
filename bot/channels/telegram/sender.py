"""Our own Bot API client for the calls a conversation makes: sendMessage, answers, deletes.

Under load, python-telegram-bot's request and rate-limiter layers cost more CPU per reply than
the conversation itself (profiled at 500 updates/s on 2 cores). This client does only what those
calls need: one JSON POST on a pooled aiohttp session, Telegram's error mapped to PTB's own
exception classes (so callers catch TelegramError as before), 429 `retry_after` waited out for
every sender at once, and chat-bound calls held to Telegram's documented 30 messages/s in the
send queue (sendqueue.py), where urgent replies go first and chats take turns.
Start-up calls (getMe, setMyCommands, setWebhook) and getUpdates stay on PTB's Bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)

from bot.channels.ordering import lru_entry
from bot.channels.telegram.sendqueue import SendQueue
from bot.channels.telegram.transport import HttpPool

log = logging.getLogger(__name__)

GROUP_RATE = 20 / 60  # messages per second into one group: Telegram's documented 20 a minute
GROUPS_KEPT = 1_000  # group pacers remembered (LRU); the bot only ever sends groups one notice
USER_AGENT = "firstcontact (aiohttp)"
# One encoder for every call: json.dumps with options builds a new encoder each time.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Transport(Protocol):
    """Where a call goes: one POST of a JSON body, answered with (HTTP status, body bytes)."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send(self, method: str, body: bytes) -> tuple[int, bytes]: ...


class AiohttpTransport:
    """Bot API over one pooled aiohttp session; opened in start(), closed in stop()."""

    def __init__(self, base_url: str, token: str, connections: int, timeout: float):
        self._prefix = f"{base_url}{token}/"
        self._pool = HttpPool(
            connections, aiohttp.ClientTimeout(total=timeout * 2, sock_connect=timeout)
        )
        self._headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}

    def __repr__(self) -> str:  # the prefix holds the token
        return f"AiohttpTransport(connections={self._pool.connections})"

    async def start(self) -> None:
        await self._pool.open()

    async def stop(self) -> None:
        await self._pool.close()

    async def send(self, method: str, body: bytes) -> tuple[int, bytes]:
        return await self._pool.fetch("POST", self._prefix + method, body, self._headers)


class Pacer:
    """At most `rate` calls a second with a burst of `burst`, first come first served.

    A virtual-schedule bucket (GCRA): each call reserves the next free slot at once and sleeps
    until it, so waiting callers keep their order and no task polls. rate 0 = no limit.
    """

    def __init__(
        self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ):
        if rate < 0:
            raise ValueError("rate must be 0 (no limit) or more")
        self.rate = rate
        self._interval = 1.0 / rate if rate else 0.0
        self._tolerance = self._interval * ((burst if burst is not None else rate) - 1)
        self._clock = clock
        self._due = 0.0  # when the next call may go if nothing was saved up

    def delay(self) -> float:
        """Seconds until a call may go (0 if now); nothing is taken."""
        if not self.rate:
            return 0.0
        now = self._clock()
        wait = max(self._due, now) - self._tolerance - now
        return wait if wait > 1e-9 else 0.0  # float dust is no reason to sleep

    def take(self) -> None:
        """Use the next slot (the send queue takes one only when delay() is 0)."""
        if self.rate:
            self._due = max(self._due, self._clock()) + self._interval

    def reserve(self) -> float:
        """Take the next slot; returns the seconds to wait before using it (0 if none)."""
        wait = self.delay()
        self.take()
        return wait


class Sender:
    """Bot API calls with Telegram's limits kept: overall and per-group pacing, 429 waits."""

    def __init__(
        self,
        transport: Transport,
        *,
        overall_max_rate: float = 30.0,
        max_retries: int = 3,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`sleep` and `clock` are seams for tests: pacing is checked without waiting."""
        self.transport = transport
        self.max_retries = max_retries
        self._clock = clock
        self.overall = Pacer(overall_max_rate, clock=clock)
        self.queue = SendQueue(self.overall, sleep=sleep, clock=clock)
        self._groups: OrderedDict[int, Pacer] = OrderedDict()
        self._sleep = sleep
        self.calls = 0  # HTTP calls made, retries included

    async def start(self) -> None:
        await self.transport.start()

    async def stop(self) -> None:
        self.queue.close()
        await self.transport.stop()

    def expedite(self, chat_id: int, when: bool = True) -> contextlib.AbstractContextManager[None]:
        """While held (if `when`), the chat's sends go before every other chat's (see SendQueue)."""
        return self.queue.expedite(chat_id) if when else contextlib.nullcontext()

    async def call(self, method: str, params: dict[str, Any], *, urgent: bool = False) -> Any:
        """One Bot API method; returns its result or raises PTB's TelegramError subclasses.

        Calls aimed at a chat wait for their turn under the overall cap (urgent ones first,
        then chats in turn) and per group for negative ids, as AIORateLimiter paces them;
        answerCallbackQuery does not, since it sends nothing to a chat.
        Private chats get no pacer of their own: the handler's flood gate already holds each
        chat to about one update a second after a short burst, each answered with a message
        or two, and a 429 for being too fast is waited out like any other.
        On 429 every call waits out `retry_after`, then this one is sent again, up to
        max_retries times; other errors are raised at once (a resend could duplicate).
        """
        chat_id = params.get("chat_id")
        body = _encode(params).encode()
        attempt = 0
        while True:
            await self._hold(chat_id, urgent)
            try:
                return await self._post(method, body)
            except _Wait as wait:
                attempt += 1
                seconds = wait.seconds
                self.queue.pause(self._clock() + seconds)
                if attempt > self.max_retries:
                    raise StillRateLimited(seconds) from None
                log.info(
                    "rate limited by Telegram method=%s retry_s=%.0f attempt=%d",
                    method,
                    seconds,
                    attempt,
                )

    async def _hold(self, chat_id: Any, urgent: bool) -> None:
        if chat_id is None:  # not a message: only a 429 holds it
            pause = self.queue.paused_until - self._clock()
            while pause > 0:  # another 429 may have come in while this call slept
                await self._sleep(pause)
                pause = self.queue.paused_until - self._clock()
            return
        if isinstance(chat_id, int) and chat_id < 0:
            delay = self._group(chat_id).reserve()
            if delay > 0:
                await self._sleep(delay)
        await self.queue.turn(chat_id, urgent)

    def _group(self, chat_id: int) -> Pacer:
        return lru_entry(
            self._groups,
            chat_id,
            lambda: Pacer(GROUP_RATE, burst=1, clock=self._clock),
            GROUPS_KEPT,
        )

    async def _post(self, method: str, body: bytes) -> Any:
        self.calls += 1
        status, payload = await self.transport.send(method, body)
        try:
            data = json.loads(payload)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise NetworkError(f"Bot API answered {status} with no JSON")
        if 200 <= status <= 299 and data.get("ok") is True:
            return data.get("result")
        raise _error(status, data)


class StillRateLimited(TelegramError):
    """Telegram kept answering 429 after max_retries waits (PTB's RetryAfter warns in 22.x)."""

    def __init__(self, seconds: float):
        super().__init__(f"Flood control: still limited, retry in {seconds:.0f} seconds")
        self.seconds = seconds


class _Wait(Exception):
    """A 429 inside the sender: wait this long, then send again."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


def _error(status: int, data: dict[str, Any]) -> Exception:
    """Telegram's answer as the exception PTB would raise for it (same status rules)."""
    description = str(data.get("description") or f"HTTP {status}")
    parameters = data.get("parameters")
    if isinstance(parameters, dict):
        if parameters.get("migrate_to_chat_id"):
            return ChatMigrated(int(parameters["migrate_to_chat_id"]))
        retry_after = parameters.get("retry_after")
        if isinstance(retry_after, int | float) and retry_after >= 0:
            return _Wait(float(retry_after))
    if status == 403:
        return Forbidden(description)
    if status in (401, 404):
        return InvalidToken(description)
    if status == 400:
        return BadRequest(description)
    if status == 409:
        return Conflict(description)
    return NetworkError(description)
