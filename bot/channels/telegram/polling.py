"""Long polling that queues updates as plain JSON dicts for the one update handler.

PTB's Updater parses every update into PTB objects before the handler sees it; under load that
parsing cost more CPU than answering. The handler reads raw dicts (incoming.classify), so
this poller only fetches, advances the offset and queues, in the order Telegram sent them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram.error import TelegramError, TimedOut

from bot.channels.telegram.botapi import BotApi

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0  # seconds between retries while Telegram keeps failing


class RawPoller:
    """getUpdates in a loop on its own task; start() and stop() bracket it."""

    def __init__(
        self,
        client: BotApi,
        queue: asyncio.Queue[Any],
        *,
        poll_timeout: float,
        request_timeout: float,
        allowed_updates: Sequence[str],
    ):
        self.client = client
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
        await self.client.call("deleteWebhook", {"drop_pending_updates": False})
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
        params = {
            "offset": self.offset,
            "timeout": timeout,
            "limit": limit,
            "allowed_updates": self.allowed_updates,
        }
        # The long poll plus the usual margin for connecting and reading.
        result = await self.client.call(
            "getUpdates", params, timeout=timeout + 2 * self.request_timeout
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
