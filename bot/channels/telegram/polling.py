"""Long polling that queues updates as plain JSON dicts for the one update handler.

PTB's Updater parses every update into PTB objects before the handler sees it; under load that
parsing cost more CPU than answering. The handler reads raw dicts (incoming.classify), so
this poller only fetches, advances the offset and queues, in the order Telegram sent them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import Bot
from telegram.error import TelegramError, TimedOut
from telegram.warnings import PTBUserWarning

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0  # seconds between retries while Telegram keeps failing


def silence_raw_call_advice() -> None:
    """Hide PTB's advice to use Bot.get_updates: RawPoller skips it on purpose.

    Only that exact warning is filtered, so every other PTB warning still shows. Called when the
    application is built (not at import), so it also holds inside test runners' warning contexts.
    """
    warnings.filterwarnings(
        "ignore",
        message=r"Please use 'Bot\.getUpdates' instead of 'Bot\.do_api_request\(",
        category=PTBUserWarning,
    )


class RawPoller:
    """getUpdates in a loop on its own task; start() and stop() bracket it."""

    def __init__(
        self,
        bot: Bot,
        queue: asyncio.Queue[Any],
        *,
        poll_timeout: float,
        request_timeout: float,
        allowed_updates: Sequence[str],
    ):
        self.bot = bot
        self.queue = queue
        self.poll_timeout = poll_timeout
        self.request_timeout = request_timeout
        self.allowed_updates = list(allowed_updates)
        self.offset = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Drop any webhook (Telegram refuses getUpdates while one is set), then poll."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="getUpdates")

    async def stop(self) -> None:
        """Stop fetching and tell Telegram what was taken, so a restart does not get it again."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self.offset:
            try:
                await self._get_updates(timeout=0, limit=1)
            except TelegramError as exc:
                log.info("final getUpdates failed error=%s", type(exc).__name__)

    async def _get_updates(self, timeout: int, limit: int = 100) -> list[Any]:
        result = await self.bot.do_api_request(
            "getUpdates",
            api_kwargs={
                "offset": self.offset,
                "timeout": timeout,
                "limit": limit,
                "allowed_updates": self.allowed_updates,
            },
            read_timeout=timeout + self.request_timeout,
        )
        return result if isinstance(result, list) else []

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                updates = await self._get_updates(int(self.poll_timeout))
            except TimedOut:
                continue  # a long poll that outlived its timeout: just ask again
            except Exception as exc:  # network, 409 conflict, 5xx: keep polling, slower
                backoff = min(max(backoff * 2, 1.0), MAX_BACKOFF)
                log.warning("getUpdates failed error=%s retry_s=%.0f", type(exc).__name__, backoff)
                await asyncio.sleep(backoff)
                continue
            backoff = 0.0
            for update in updates:
                update_id = update.get("update_id") if isinstance(update, dict) else None
                if not isinstance(update_id, int):
                    continue
                self.offset = max(self.offset, update_id + 1)
                self.queue.put_nowait(update)
