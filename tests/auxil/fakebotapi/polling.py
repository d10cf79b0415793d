"""Polling mode: queued updates, getUpdates long polling and offset confirmation."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .limits import DEFAULT_UPDATE_TYPES, ApiError
from .validate import validate_object

if TYPE_CHECKING:
    from .server import FakeBotApi


class Gone(ApiError):
    """The client left before the answer: nothing to record."""


class _Poll:
    __slots__ = ("superseded",)

    def __init__(self) -> None:
        self.superseded = False


def _update_kind(update: dict) -> str:
    return next(key for key in update if key != "update_id")


_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


class Polling:
    """Mixin for FakeBotApi: the update queue and getUpdates."""

    def __init__(self) -> None:
        self._pending: deque[dict] = deque()
        self._allowed = DEFAULT_UPDATE_TYPES
        self._last_update_id = 0
        self._update_event = asyncio.Event()
        self._poll: _Poll | None = None

    def push_update(self: FakeBotApi, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot and return it as queued.

        The update_id is always assigned here, and so is a fresh message_id when a new
        message reuses one already taken in its chat (Telegram never reuses them).
        """
        self._last_update_id += 1
        update = {**update, "update_id": self._last_update_id}
        if self.validate_pushes:
            self._check_update(update)
        message = update.get("message")
        if message:
            chat = self.state.chat_state(message["chat"]["id"])
            if message["message_id"] in chat.messages:
                update["message"] = {**message, "message_id": chat.next_id()}
        self.state.register(update)
        if self._webhook:
            self._enqueue_delivery(update)
        else:
            self._pending.append(update)
            self._wake_pollers()
        self._notify_soon()
        return update

    def _check_update(self: FakeBotApi, update: dict) -> None:
        if len(update) != 2:
            raise ValueError("an Update carries exactly one of its optional fields")
        try:
            validate_object("Update", update)
        except ApiError as exc:
            raise ValueError(f"invalid update: {exc.description}") from None

    @property
    def polling(self) -> bool:
        """True while a getUpdates long poll is waiting for updates."""
        return self._poll is not None

    def _wake_pollers(self: FakeBotApi) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    def _confirm(self: FakeBotApi, offset: int) -> None:
        pending = self._pending
        if offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        else:
            while pending and pending[0]["update_id"] < offset:
                pending.popleft()

    def _collect(self: FakeBotApi, limit: int) -> list[dict]:
        batch = []
        for update in self._pending:
            if _update_kind(update) in self._allowed:
                batch.append(update)
                if len(batch) >= limit:
                    break
        return batch

    @staticmethod
    def _gone_or(request: web.Request | None, description: str) -> ApiError:
        """A 409, unless the client already hung up (then there is nobody to refuse)."""
        transport = request.transport if request is not None else None
        gone = request is not None and (transport is None or transport.is_closing())
        return (Gone if gone else ApiError)(409, description)

    def _check_polling_allowed(self: FakeBotApi, request: web.Request | None) -> None:
        if self._webhook:
            raise self._gone_or(request, _WEBHOOK_ACTIVE)

    async def _get_updates(
        self: FakeBotApi, params: dict, request: web.Request | None
    ) -> list[dict]:
        self._check_polling_allowed(request)
        if params.get("offset"):
            self._confirm(params["offset"])
        if "allowed_updates" in params:
            self._allowed = frozenset(params["allowed_updates"]) or DEFAULT_UPDATE_TYPES
        limit = min(max(params.get("limit", 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(params.get("timeout", 0), 0)
        if self._poll:
            self._poll.superseded = True
            self._wake_pollers()
        poll = self._poll = _Poll()
        self._notify_soon()
        try:
            while True:
                if poll.superseded:
                    raise self._gone_or(request, _TERMINATED)
                self._check_polling_allowed(request)
                batch = self._collect(limit)
                remaining = deadline - loop.time()
                if batch or remaining <= 0:
                    return batch
                event = self._update_event
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            if self._poll is poll:
                self._poll = None
