"""Answering a button press: every press is answered at once, apart from the reply it gets.

Telegram shows a spinner on a pressed button until the bot answers the callback query. In
polling mode the answer goes in a background task before the engine runs, so the reply never
waits for that round trip (and `drain()` waits for those answers on stop). In webhook mode the
answer goes in the webhook's HTTP response itself (Telegram runs a method given there), one call
less per press, and the background answer is skipped. Queries are answered even when there is
no chat to talk to, and a query too old to answer is fine to forget.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import TelegramError

from bot.channels.telegram.botapi import BotApi

log = logging.getLogger(__name__)


def query_id(update: dict[str, Any]) -> str | None:
    """The callback query's id, which must be answered even when there is no chat to talk to."""
    query = update.get("callback_query")
    found = query.get("id") if isinstance(query, dict) else None
    return found if isinstance(found, str) else None


def webhook_reply(update: dict[str, Any]) -> dict[str, Any] | None:
    """The webhook response body that answers a press, or None for any other update."""
    found = query_id(update)
    if found is None:
        return None
    return {"method": "answerCallbackQuery", "callback_query_id": found}


class PressAnswers:
    """Answers presses in the background; in webhook mode they are answered upstream."""

    def __init__(self, client: BotApi):
        self.client = client
        self.upstream = False  # webhook mode: each press was answered in the HTTP response
        self._answering: set[asyncio.Task[None]] = set()

    def answer_soon(self, query: str, tag: str) -> None:
        """Stop the button's spinner without making the reply wait for that round trip."""
        if self.upstream:
            return
        task = asyncio.get_running_loop().create_task(
            self._answer(query, tag), name="answerCallbackQuery"
        )
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def drain(self) -> None:
        """Wait for the answers still in flight (on stop, before the client closes)."""
        while self._answering:
            await asyncio.gather(*list(self._answering), return_exceptions=True)

    async def _answer(self, query: str, tag: str) -> None:
        try:
            await self.client.call("answerCallbackQuery", {"callback_query_id": query})
        except TelegramError as exc:
            log.info("answerCallbackQuery failed session=%s error=%s", tag, type(exc).__name__)
