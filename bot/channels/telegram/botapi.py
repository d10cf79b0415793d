"""The one Bot API client: every call the bot makes to Telegram goes through `BotApi.call`.

Start-up calls (getMe, setMyCommands, setWebhook), getUpdates and every reply (sendMessage,
answers, deletes) share one pooled HTTP transport and one error mapping, to PTB's own exception
classes (so callers catch TelegramError). Under load, python-telegram-bot's request and
rate-limiter layers cost more CPU per reply than the conversation itself (profiled at 500
updates/s on 2 cores), so this client does only what the calls need: one JSON POST, 429
`retry_after` waited out by every call at once, failed calls sent again where that cannot
show a man a message twice (see call), and chat-bound calls held to Telegram's
documented 30 messages/s in the send queue (sendqueue.py), where urgent replies go first and
chats take turns. PTB's Application keeps dispatching updates; its Bot reaches Telegram only
through this client too (`BotApiRequest`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.request import BaseRequest, RequestData

from bot.channels.pacing import TokenBucket
from bot.channels.telegram.sendqueue import SendQueue, Slots
from bot.channels.telegram.transport import Transport, Unsent
from bot.lru import BoundedLRU

log = logging.getLogger(__name__)

GROUP_RATE = 20 / 60  # messages per second into one group: Telegram's documented 20 a minute
# Fetching updates never waits out a send pause: an update in hand may be danger.
UNPACED = frozenset({"getUpdates"})
# Methods that put a message in a chat: sent again only when Telegram surely did not act.
SENDS = frozenset(
    {"sendMessage", "forwardMessage", "forwardMessages", "copyMessage", "copyMessages"}
    | {"sendPhoto", "sendDocument", "sendLocation", "sendContact", "sendVoice", "sendSticker"}
)
NOT_DONE = frozenset({500, 502, 503})  # answers that say the call was not done (504: unknown)
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 8.0  # seconds before sending a failed call again
GROUPS_KEPT = 1_000  # group pacers remembered (LRU); the bot only ever sends groups one notice
# One encoder for every call: json.dumps with options builds a new encoder each time.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class BotApi:
    """Bot API calls with Telegram's limits kept: overall and per-group pacing, 429 waits."""

    def __init__(
        self,
        transport: Transport,
        *,
        overall_max_rate: float = 30.0,
        overall: Slots | None = None,
        max_retries: int = 3,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`overall` replaces this process's own cap (workers.SharedCap: one for every worker);
        `sleep` and `clock` are seams for tests: pacing is checked without waiting."""
        self.transport = transport
        self.max_retries = max_retries
        self._clock = clock
        self.overall = (
            overall if overall is not None else TokenBucket(overall_max_rate, clock=clock)
        )
        self.queue = SendQueue(self.overall, sleep=sleep, clock=clock)
        self._groups: BoundedLRU[int, TokenBucket] = BoundedLRU(GROUPS_KEPT)
        self._sleep = sleep
        self.calls = 0  # HTTP calls answered, retries included

    async def start(self) -> None:
        await self.transport.start()

    async def stop(self) -> None:
        self.queue.close()
        await self.transport.stop()

    def expedite(self, chat_id: int, when: bool = True) -> contextlib.AbstractContextManager[None]:
        """While held (if `when`), the chat's sends go before every other chat's (see SendQueue)."""
        return self.queue.expedite(chat_id) if when else contextlib.nullcontext()

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        urgent: bool = False,
        timeout: float | None = None,
    ) -> Any:
        """One Bot API method; returns its result or raises PTB's TelegramError subclasses.

        `timeout` replaces the transport's limit for this call (a long poll needs more).

        Calls aimed at a chat wait for their turn under the overall cap (urgent ones first,
        then chats in turn) and per group for negative ids, as AIORateLimiter paces them;
        answerCallbackQuery does not, since it sends nothing to a chat.
        Private chats get no pacer of their own: the handler's flood gate already holds each
        chat to about one update a second after a short burst, each answered with a message
        or two, and a 429 for being too fast is waited out like any other.
        What is sent again (docs/deployment.md, "Faults"):
        - 429: every call waits out `retry_after`, then this one is sent again (Telegram did
          not do it), up to max_retries times; then StillRateLimited.
        - No connection (transport.Unsent) or a 500/502/503 answer: Telegram did not do it;
          sent again after a bounded backoff (0.5 s, doubling), up to max_retries times.
        - A timeout, a connection cut after the request went out, or a 504: Telegram may have
          done it. Calls that are harmless twice (anything but a message to a chat) are sent
          again like the above. A message to a chat is not (he would read it twice), except an
          urgent one (danger, crisis), sent once more: two copies of 112 beat none.
        Other errors are raised at once. getUpdates is never repeated here: the poller retries.
        A chat's later messages wait for this call (the caller awaits it), so order holds.
        """
        params = params or {}
        chat_id = params.get("chat_id")
        body = _encode(params).encode()
        waits = failures = unsure = 0
        while True:
            if method not in UNPACED:
                await self._hold(chat_id, urgent)
            try:
                return await self._post(method, body, timeout)
            except _Wait as wait:
                waits += 1
                seconds = wait.seconds
                self.queue.pause(self._clock() + seconds)
                if waits > self.max_retries:
                    raise StillRateLimited(seconds) from None
                log.info(
                    "rate limited by Telegram method=%s retry_s=%.0f attempt=%d",
                    method,
                    seconds,
                    waits,
                )
                if method in UNPACED:
                    await self._sleep(seconds)  # it skips the queue, so it waits here
                continue
            except (_Failed, Unsent) as exc:  # Telegram did not do it
                failures += 1
                if method in UNPACED or failures > self.max_retries:
                    raise NetworkError(str(exc)) from None
                error = exc
            except BadRequest:  # PTB's BadRequest is a NetworkError: refused, never resent
                raise
            except NetworkError as exc:  # TimedOut included: it may have been done
                unsure += 1
                again = self.max_retries if method not in SENDS else (1 if urgent else 0)
                if method in UNPACED or unsure > again or failures + unsure > self.max_retries:
                    raise
                failures += 1
                error = exc
            delay = min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX)
            log.warning(
                "Bot API call failed, sending again method=%s error=%s attempt=%d retry_s=%.1f",
                method,
                type(error).__name__,
                failures,
                delay,
            )
            await self._sleep(delay)

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

    def _group(self, chat_id: int) -> TokenBucket:
        return self._groups.entry(
            chat_id, lambda: TokenBucket(GROUP_RATE, burst=1, clock=self._clock)
        )

    async def _post(self, method: str, body: bytes, timeout: float | None) -> Any:
        if timeout is None:
            status, payload = await self.transport.send(method, body)
        else:
            status, payload = await self.transport.send(method, body, timeout)
        self.calls += 1
        try:
            data = json.loads(payload)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if status in NOT_DONE:  # a proxy's page in front of Telegram: not done either
                raise _Failed(f"Bot API answered {status} with no JSON")
            raise NetworkError(f"Bot API answered {status} with no JSON")
        if 200 <= status <= 299 and data.get("ok") is True:
            return data.get("result")
        raise _error(status, data)


class StillRateLimited(TelegramError):
    """Telegram kept answering 429 after max_retries waits (PTB's RetryAfter warns in 22.x)."""

    def __init__(self, seconds: float):
        super().__init__(f"Flood control: still limited, retry in {seconds:.0f} seconds")
        self.seconds = seconds


class _Failed(Exception):
    """A 5xx answer inside the client: Telegram says the call failed; sent again."""


class _Wait(Exception):
    """A 429 inside the client: wait this long, then send again."""

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
    if status in NOT_DONE:
        return _Failed(description)
    return NetworkError(description)


class BotApiRequest(BaseRequest):
    """PTB's Bot speaks through the one client: its only call, getMe at start-up, goes there.

    The client is started and stopped by its owner (app.TelegramBot), not by PTB.
    """

    __slots__ = ("client",)

    def __init__(self, client: BotApi):
        self.client = client

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open: the client's owner starts it before PTB's Bot makes a call."""

    async def shutdown(self) -> None:
        """Nothing to close: the client's owner stops it after PTB's Bot is done."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The call through BotApi.call; its errors are already PTB's, which PTB passes on."""
        if request_data is not None and request_data.contains_files:
            raise NotImplementedError("this bot never uploads files")
        params = request_data.parameters if request_data is not None else {}
        result = await self.client.call(url.rsplit("/", 1)[-1], dict(params))
        return 200, _encode({"ok": True, "result": result}).encode()
