"""The one handler every update goes through: classify, gate, run the engine, answer, save.

Per update: a short synchronous gate on arrival (private chat? flood?; a button press is
answered in the background at once; if the chat is still busy with an earlier update, would the
answer be urgent?), then under the chat's own lock: load the session, run the engine, send the
replies (answers to danger and crisis ahead of every other chat's), and queue the new session
with the ids of what was sent (the store writes it in its own short transaction; a forget is
written at once, before anything is sent). Nothing about the man is logged: only a pseudonym
(the first 8 hex of the session key), the kind of event and counts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from telegram import Update

from bot.channels.telegram import outbox, texts
from bot.channels.telegram.html import to_parts
from bot.channels.telegram.incoming import Incoming, classify, classify_raw, raw_query_id
from bot.channels.telegram.ordering import ChatLocks, FloodGate, SeenOnce
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.urgency import expect_urgent
from bot.engine.model import Event, Forget, Say, Session
from bot.runtime import Runtime

log = logging.getLogger(__name__)

CHANNEL = "telegram"
GROUP_CHANNEL = "telegram-group"  # a different key space: group chats never get a session
MESSAGE_IDS_KEPT = 50
ALARM_EVERY = 10.0  # seconds: how often a flooding chat still gets an answer to danger


class SessionStore(Protocol):
    async def get(self, key: str) -> Session | None: ...
    async def put(self, key: str, session: Session) -> None: ...
    async def delete(self, key: str) -> Any: ...


# (channel, chat id) -> pseudonymous key; the secret is bound in by the app.
Keyer = Callable[[str, int], str]


@dataclass(frozen=True, slots=True)
class Limits:
    """Incoming flood control per chat and memory bounds; small enough for one process."""

    flood_burst: int = 10
    flood_rate: float = 1.0  # updates per second refilled after the burst
    max_chats: int = 50_000  # flood buckets kept (LRU)
    group_notices: int = 10_000  # group chats remembered as "already told" (LRU)


def event_name(event: Event | None) -> str:
    """What kind of event, for logs: never its content."""
    if event is None:
        return "none"
    name = type(event).__name__.lower()
    kind = getattr(event, "kind", None)
    intent = getattr(event, "name", None)
    return f"{name}:{kind or intent}" if (kind or intent) else name


class UpdateHandler:
    """Drives the engine for every private chat; callable as a PTB handler callback."""

    def __init__(
        self,
        runtime: Runtime,
        store: SessionStore,
        keyer: Keyer,
        limits: Limits,
        sender: Sender,
    ):
        self.runtime = runtime
        self.sender = sender
        self.engine = runtime.engine
        self.store = store
        self.keyer = keyer
        self.limits = limits
        self.locks = ChatLocks()
        self.flood = FloodGate(limits.flood_burst, limits.flood_rate, limits.max_chats)
        self.alarm_gate = FloodGate(1, 1 / ALARM_EVERY, limits.max_chats)
        self.groups = SeenOnce(limits.group_notices)
        self.handled = 0  # updates finished, whatever the outcome (tests and benchmarks wait on it)
        self._answering: set[asyncio.Task[None]] = set()
        # Webhook mode answers every press in the webhook's HTTP response (see webhook.py).
        self.presses_answered_upstream = False

    async def __call__(self, update: object, context: object = None) -> None:
        """Raw JSON dicts (polling and webhook) or PTB Updates; both take the same path."""
        try:
            if isinstance(update, dict):
                await self._handle(classify_raw(update), raw_query_id(update))
            elif isinstance(update, Update):
                query = update.callback_query
                await self._handle(classify(update), query.id if query else None)
        finally:
            self.handled += 1

    def answer_soon(self, query_id: str, tag: str) -> None:
        """Stop the button's spinner without making the reply wait for that round trip."""
        if self.presses_answered_upstream:
            return
        task = asyncio.get_running_loop().create_task(
            outbox.answer_query(self.sender, query_id, tag), name="answerCallbackQuery"
        )
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def drain(self) -> None:
        """Wait for the button answers still in flight (on stop, before the sender closes)."""
        while self._answering:
            await asyncio.gather(*list(self._answering), return_exceptions=True)

    async def _handle(self, incoming: Incoming | None, query_id: str | None) -> None:
        if incoming is None:
            if query_id is not None:
                self.answer_soon(query_id, "-")
            return
        if not incoming.private:
            await self._group(incoming)
            return
        key = self.keyer(CHANNEL, incoming.chat_id)
        tag = key[:8]
        if incoming.callback_id:  # every press is answered, whatever happens next
            self.answer_soon(incoming.callback_id, tag)
        if incoming.event is None:  # a service message: nothing was said
            return
        admit, warn = self.flood.admit(key)  # synchronous: the order of arrival is kept
        if not admit and self._alarm_past_flood(key, incoming):
            admit = True  # 112 comes first whatever the load, even to a flooding chat
        if not admit:
            # One line per flood, not per dropped update: a flood must not flood the log.
            log.log(
                logging.INFO if warn else logging.DEBUG, "flood: update dropped session=%s", tag
            )
            if warn:
                await outbox.send_text(self.sender, incoming.chat_id, texts.SLOW_DOWN, tag)
            return
        # A busy chat's update waits for that chat's earlier replies, which wait behind other
        # chats' under the send cap. If its answer will be urgent, they all go first from now.
        urgent = self.locks.busy(key) and expect_urgent(self.engine, incoming.event, time.time())
        if urgent:
            log.debug("urgent update recognised before its turn session=%s", tag)
        with self.sender.expedite(incoming.chat_id, urgent):
            async with self.locks.hold(key):
                try:
                    await self._converse(incoming, key, tag)
                except outbox.ChatGone:
                    return
                except Exception as exc:  # never a traceback: it could quote what was typed
                    log.error("update failed session=%s error=%s", tag, type(exc).__name__)
                    await outbox.send_text(self.sender, incoming.chat_id, texts.TROUBLE, tag)

    def _alarm_past_flood(self, key: str, incoming: Incoming) -> bool:
        """A flooding chat's danger or crisis still gets its answer, once per ALARM_EVERY
        seconds, so typing alarm words cannot become a way round the flood gate."""
        assert incoming.event is not None
        if not expect_urgent(self.engine, incoming.event, time.time()):
            return False
        return self.alarm_gate.admit(key)[0]

    async def _group(self, incoming: Incoming) -> None:
        """Groups and channels: one short note per chat per process, and nothing stored."""
        key = self.keyer(GROUP_CHANNEL, incoming.chat_id)
        tag = key[:8]
        if incoming.callback_id:
            self.answer_soon(incoming.callback_id, tag)
        if self.groups.first(key):
            log.info("group chat: told to use a private chat group=%s", tag)
            await outbox.send_text(self.sender, incoming.chat_id, texts.GROUP_ONLY_PRIVATE, tag)

    async def _converse(self, incoming: Incoming, key: str, tag: str) -> None:
        started = time.perf_counter()
        now = time.time()
        old = await self.store.get(key)
        assert incoming.event is not None
        session, replies = self.engine.resume(old, incoming.event, now)
        forget = session is None or any(isinstance(r, Forget) for r in replies)
        kept = list(old.message_ids) if old is not None else []
        if incoming.message_id is not None:
            kept.append(incoming.message_id)
        if forget:
            await self.store.delete(key)  # at once, before anything is sent
            if kept:
                await outbox.delete_recent(self.sender, incoming.chat_id, kept, tag)
        sent: list[int] = []
        says = [r for r in replies if isinstance(r, Say)]
        try:
            for say in says:
                message = self.runtime.render(say, datetime.now().astimezone())
                parts = to_parts(message)
                sent.extend(
                    await outbox.send_parts(
                        self.sender, incoming.chat_id, parts, tag, urgent=message.urgent
                    )
                )
        finally:
            # One save per update, with the ids of what was sent (for /stop to delete). put()
            # only queues: the write happens in the store's own short transaction, never
            # around a Telegram call, and the chat's lock keeps its next update waiting.
            if session is not None and not forget:
                session.message_ids = [*kept, *sent][-MESSAGE_IDS_KEPT:]
                await self.store.put(key, session)
        # DEBUG, not INFO: a line per update would be an activity record of each conversation.
        log.debug(
            "update handled session=%s event=%s replies=%d sent=%d forgot=%s ms=%.1f",
            tag,
            event_name(incoming.event),
            len(says),
            len(sent),
            forget,
            (time.perf_counter() - started) * 1000,
        )
