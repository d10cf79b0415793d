"""The one handler every update goes through: classify, gate, take the turn, answer presses.

Per update: a short synchronous gate on arrival (private chat? a button press is answered in
the background at once; flood? if the chat is still busy with an earlier update, would the
answer be urgent?), then the shared conversation turn (bot/channels/turn.py) with this chat's
Telegram delivery: replies sent as they are rendered (answers to danger and crisis ahead of
every other chat's), his and our messages deleted on "stop". Nothing about the man is logged:
only a pseudonym (the first 8 hex of the session key), the kind of event and counts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from bot.channels.ordering import SeenOnce
from bot.channels.telegram import outbox, texts
from bot.channels.telegram.botapi import BotApi
from bot.channels.telegram.html import to_parts
from bot.channels.telegram.incoming import Incoming, classify
from bot.channels.telegram.presses import PressAnswers, query_id
from bot.channels.turn import Inbound, Limits, SessionStore, Turn
from bot.channels.wording import Wording
from bot.channels.workers import Shared
from bot.render import Message
from bot.runtime import Runtime
from storage.faults import passing

log = logging.getLogger(__name__)

CHANNEL = "telegram"
GROUP_CHANNEL = "telegram-group"  # a different key space: group chats never get a session
GROUPS_NOTED = 10_000  # group chats remembered as "already told" (LRU)

# (channel, chat id) -> pseudonymous key; the secret is bound in by the app.
Keyer = Callable[[str, int], str]


class TryAgain(Exception):
    """The update could not be taken now and nothing was sent: Telegram should deliver it again."""


class ChatOutbound:
    """The turn's delivery into one Telegram chat: HTML parts, paced by the client."""

    def __init__(self, client: BotApi, chat_id: int, tag: str):
        self.client = client
        self.chat_id = chat_id
        self.tag = tag
        self.tried = False  # a reply went (or may have gone) out: the update is answered

    async def deliver(self, message: Message) -> Sequence[int]:
        self.tried = True
        parts = to_parts(message)
        return await outbox.send_parts(
            self.client, self.chat_id, parts, self.tag, urgent=message.urgent
        )

    async def erase(self, ids: Sequence[int]) -> None:
        await outbox.delete_recent(self.client, self.chat_id, ids, self.tag)


class UpdateHandler:
    """Drives the shared turn for every private chat; callable as a PTB handler callback."""

    def __init__(
        self,
        runtime: Runtime,
        store: SessionStore,
        keyer: Keyer,
        limits: Limits,
        client: BotApi,
        shared: Shared | None = None,
    ):
        """`shared`: several workers on one database (their session lock and update ledger)."""
        self.client = client
        self.catalogs = runtime.catalogs
        self.keyer = keyer
        self.ledger = shared.ledger if shared is not None else None
        self.turn = Turn(runtime, store, limits, locks=shared.locks if shared is not None else None)
        self.presses = PressAnswers(client)
        self.groups = SeenOnce(GROUPS_NOTED)
        self.handled = 0  # updates finished, whatever the outcome (tests and benchmarks wait on it)
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []  # handled_up_to's waiters
        self._in_hand = 0  # updates taken within a webhook request (several workers)
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, update: object, context: object = None) -> None:
        """Raw JSON dicts, as polling and the webhook queue them; anything else is ignored."""
        try:
            if isinstance(update, dict) and await self._first_delivery(update):
                await self._handle(classify(update), query_id(update))
        finally:
            self.handled += 1
            if self._waiting:
                self._wake()

    async def handled_up_to(self, count: int) -> None:
        """Return once `count` updates have been handled: an event to await, not a poll."""
        if self.handled >= count:
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((count, future))
        await future

    def _wake(self) -> None:
        waiting = []
        for count, future in self._waiting:
            if future.done():  # its waiter gave up (cancelled)
                continue
            if self.handled >= count:
                future.set_result(None)
            else:
                waiting.append((count, future))
        self._waiting = waiting

    async def take(self, update: dict[str, Any]) -> bool:
        """Several webhook workers: handle the update within Telegram's request. True once it
        is answered (or was already taken); False when it cannot be taken now (the database is
        away and nothing was sent): the webhook answers 503 and Telegram delivers it again."""
        self._in_hand += 1
        self._idle.clear()
        try:
            update_id = update.get("update_id")
            claimed = False
            if self.ledger is not None and type(update_id) is int:
                try:
                    if not await self.ledger.claim(update_id):
                        log.info("update delivered again; already taken by a worker")
                        return True
                except Exception as exc:
                    log.warning("could not claim the update; to be delivered again error=%s",
                                type(exc).__name__)  # fmt: skip
                    return False
                claimed = True
            try:
                await self._handle(classify(update), query_id(update), again=True)
            except TryAgain:
                if claimed:
                    await self._give_back(update_id)
                return False
            return True
        finally:
            self._in_hand -= 1
            self.handled += 1
            if not self._in_hand:
                self._idle.set()
            if self._waiting:
                self._wake()

    async def _give_back(self, update_id: Any) -> None:
        assert self.ledger is not None
        try:
            await self.ledger.release(update_id)
        except Exception as exc:  # its redelivery will be dropped: say so, without the update
            log.error("update lost: could not give it back error=%s", type(exc).__name__)

    async def _first_delivery(self, update: dict[str, Any]) -> bool:
        """False for an update another worker (or this one) already took: Telegram redelivers
        a webhook update it saw no answer to, and a reply must never be sent twice."""
        update_id = update.get("update_id")
        if self.ledger is None or type(update_id) is not int:
            return True
        try:
            if await self.ledger.claim(update_id):
                return True
        except Exception as exc:  # the database away: the turn will say so kindly, or work
            log.warning("could not claim the update error=%s", type(exc).__name__)
            return True
        log.info("update delivered again; already taken by a worker")
        return False

    async def drain(self) -> None:
        """Wait for the updates and button answers still in hand (on stop, before the client
        closes)."""
        await self._idle.wait()
        await self.presses.drain()

    async def _handle(
        self, incoming: Incoming | None, query: str | None, *, again: bool = False
    ) -> None:
        """`again`: a failure before any reply went out raises TryAgain, for a redelivery."""
        if incoming is None:
            if query is not None:
                self.presses.answer_soon(query, "-")
            return
        if not incoming.private:
            await self._group(incoming)
            return
        key = self.keyer(CHANNEL, incoming.chat_id)
        tag = key[:8]
        if incoming.callback_id:  # every press is answered, whatever happens next
            self.presses.answer_soon(incoming.callback_id, tag)
        if incoming.event is None:  # a service message: nothing was said
            return
        admission = self.turn.admit(key, incoming.event)
        if not admission.admit:
            if admission.warn:
                await self._note(incoming, key, texts.SLOW_DOWN, tag)
            return
        # A busy chat's update waits for that chat's earlier replies, which wait behind other
        # chats' under the send cap. If its answer will be urgent, they all go first from now.
        urgent = self.turn.urgent_ahead(key, incoming.event)
        own = () if incoming.message_id is None else (incoming.message_id,)
        inbound = Inbound(key, incoming.event, own, incoming.language)
        outbound = ChatOutbound(self.client, incoming.chat_id, tag)
        with self.client.expedite(incoming.chat_id, urgent):
            try:
                await self.turn.take(inbound, outbound)
            except outbox.ChatGone:
                return
            except Exception as exc:  # never a traceback: it could quote what was typed
                log.error("update failed session=%s error=%s", tag, type(exc).__name__)
                if outbound.tried:  # he has his answer; the store keeps writing the session
                    return
                if again and passing(exc):
                    raise TryAgain from None
                await self._note(incoming, key, texts.TROUBLE, tag)

    async def _note(self, incoming: Incoming, key: str, wording: Wording, tag: str) -> None:
        """One of the channel's own notes, in his conversation's language (or his client's)."""
        locale = await self.turn.language(key, incoming.language)
        await outbox.send_text(
            self.client, incoming.chat_id, wording.text(self.catalogs, locale), tag
        )

    async def _group(self, incoming: Incoming) -> None:
        """Groups and channels: one short note per chat per process, and nothing stored."""
        key = self.keyer(GROUP_CHANNEL, incoming.chat_id)
        tag = key[:8]
        if incoming.callback_id:
            self.presses.answer_soon(incoming.callback_id, tag)
        if self.groups.first(key):
            log.info("group chat: told to use a private chat group=%s", tag)
            note = texts.GROUP_ONLY_PRIVATE.text(
                self.catalogs, self.catalogs.negotiate(incoming.language)
            )  # no session in a group: the language of whoever spoke to the bot
            await outbox.send_text(self.client, incoming.chat_id, note, tag)
