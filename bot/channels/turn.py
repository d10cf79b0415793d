"""One conversation turn for every channel: admit, load, resume, render, deliver, save.

Telegram, the terminal and the web chat hand the turn an `Inbound` (a session key and the
engine event) and, when they send as they go, an `Outbound`; the turn does the rest in the same
way for all of them and returns an `Answer` (the rendered messages, in order, with buttons and
urgency, and whether the session was forgotten). Per key, updates run one after another (a FIFO
lock); a flood is held back by `admit`, except that danger or crisis still passes once per
ALARM_EVERY seconds; a forget is written at once, before anything is sent; one save follows
with the ids the channel may delete on "stop". Nothing about the man is logged: only a
pseudonym (the first 8 hex of the session key), the kind of event and counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from bot.channels.figures import figure_day, observe
from bot.channels.ordering import ChatLocks, FloodGate
from bot.channels.urgency import expect_urgent
from bot.engine.model import Event, Forget, Reply, Say, Session, Start
from bot.i18n import SOURCE_LOCALE
from bot.languages import negotiate
from bot.render import Message
from bot.runtime import Runtime
from storage.base import Saved

log = logging.getLogger(__name__)

MESSAGE_IDS_KEPT = 50  # the channel's recent message ids kept for "stop" to delete
ALARM_EVERY = 10.0  # seconds: how often a flooding chat still gets an answer to danger


class SessionStore(Protocol):
    """The part of storage.SessionStore a turn uses."""

    async def load(self, key: str) -> Saved | None: ...
    async def save(self, key: str, saved: Saved) -> None: ...
    async def delete(self, key: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Limits:
    """Incoming flood control per session and its memory bound; small enough for one process."""

    flood_burst: int = 10
    flood_rate: float = 1.0  # updates per second refilled after the burst
    max_chats: int = 50_000  # flood buckets kept (LRU)


@dataclass(frozen=True, slots=True)
class Inbound:
    """What a man did, as every channel hands it over: a pseudonymous key, never who he is."""

    key: str  # storage.keys.session_key(secret, channel, chat)
    event: Event
    own_ids: tuple[int, ...] = ()  # his own message's id, for "stop" to delete where it can
    # What his client says he reads: Telegram's language_code, the browser's Accept-Language.
    # Only a conversation that starts with this event uses it (bot/languages.py).
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Forgotten:
    """The session was deleted: nothing of this conversation is left."""


Output = Message | Forgotten


@dataclass(slots=True)
class Answer:
    """What one turn said, in order: rendered messages and, where it fell, the forget."""

    outputs: list[Output] = field(default_factory=list)
    session: Session | None = None  # as saved (None once forgotten)
    sent: list[int] = field(default_factory=list)  # ids the Outbound reported

    @property
    def messages(self) -> list[Message]:
        return [o for o in self.outputs if isinstance(o, Message)]

    @property
    def forgotten(self) -> bool:
        return any(isinstance(o, Forgotten) for o in self.outputs)

    @property
    def urgent(self) -> bool:
        return any(m.urgent for m in self.messages)


class Outbound(Protocol):
    """A channel's delivery, for channels that send as the turn goes (Telegram)."""

    async def deliver(self, message: Message) -> Sequence[int]:
        """Send one message; returns the ids "stop" may delete later (none if it cannot)."""
        ...

    async def erase(self, ids: Sequence[int]) -> None:
        """On forget: delete what the channel still can of these messages."""
        ...


class Admission(NamedTuple):
    admit: bool
    warn: bool  # the first update dropped in a flood: tell him once to slow down


# (session, now) -> (new session or None, replies): the engine's resume or begin.
Step = Callable[[Session | None, float], tuple[Session | None, list[Reply]]]


def event_name(event: Event | None) -> str:
    """What kind of event, for logs: never its content."""
    if event is None:
        return "none"
    name = type(event).__name__.lower()
    kind = getattr(event, "kind", None)
    intent = getattr(event, "name", None)
    return f"{name}:{kind or intent}" if (kind or intent) else name


class Turn:
    """Runs one conversation turn at a time per session key, the same for every channel."""

    def __init__(
        self,
        runtime: Runtime,
        store: SessionStore,
        limits: Limits | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        locks: ChatLocks | None = None,
    ):
        """`clock` gives the turn's moment (transcripts fix it); the engine gets its timestamp.
        `locks` hold a session across workers (bot/channels/workers.py); else in this process."""
        limits = limits or Limits()
        self.runtime = runtime
        self.engine = runtime.engine
        self.store = store
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.locks = locks if locks is not None else ChatLocks()  # an empty one is falsy
        self.flood = FloodGate(limits.flood_burst, limits.flood_rate, limits.max_chats)
        self.alarm_gate = FloodGate(1, 1 / ALARM_EVERY, limits.max_chats)

    def admit(self, key: str, event: Event) -> Admission:
        """Synchronous, on arrival (the order of arrival is kept): handle it, or drop a flood.

        A flooding chat's danger or crisis still gets its answer, once per ALARM_EVERY seconds,
        so 112 comes first whatever the load and typing alarm words is no way round the gate.
        """
        admit, warn = self.flood.admit(key)
        if admit:
            return Admission(True, False)
        if expect_urgent(self.engine, event, time.time()) and self.alarm_gate.admit(key)[0]:
            return Admission(True, False)
        # One line per flood, not per dropped update: a flood must not flood the log.
        log.log(
            logging.INFO if warn else logging.DEBUG, "flood: update dropped session=%s", key[:8]
        )
        return Admission(False, warn)

    def urgent_ahead(self, key: str, event: Event) -> bool:
        """True when the session is busy and this event's answer will be urgent: a channel that
        queues replies moves the session's waiting ones ahead (asked of the engine, ~10 µs)."""
        urgent = self.locks.busy(key) and expect_urgent(self.engine, event, time.time())
        if urgent:
            log.debug("urgent update recognised before its turn session=%s", key[:8])
        return urgent

    async def language(self, key: str, asked: str | None) -> str:
        """The language for a channel's own words outside a turn (a flood note, an apology):
        his conversation's, else the best we have for what his client asks, else Dutch."""
        try:
            saved = await self.store.load(key)
        except Exception as exc:  # the store may be why we apologise: his client's language
            log.warning("no session for a note session=%s error=%s", key[:8], type(exc).__name__)
            saved = None
        if saved is not None and saved.session.locale in self.engine.locales:
            return saved.session.locale
        return negotiate(asked, self.engine.locales) or SOURCE_LOCALE

    async def take(self, inbound: Inbound, outbound: Outbound | None = None) -> Answer:
        """The engine's answer to one event, delivered through `outbound` if given."""
        # His client's languages (Telegram's language_code, the browser's Accept-Language)
        # -> the best one we have, with Babel; the engine gets our code or nothing.
        language = negotiate(inbound.language, self.engine.locales)
        event = inbound.event
        if isinstance(event, Start) and event.locale:
            event = Start(locale=negotiate(event.locale, self.engine.locales))

        def resume(session: Session | None, now: float) -> tuple[Session | None, list[Reply]]:
            return self.engine.resume(session, event, now, language)

        return await self._run(inbound, resume, outbound)

    async def begin(
        self,
        key: str,
        *,
        flow: str | None = None,
        locale: str | None = None,
        region: str | None = None,
        outbound: Outbound | None = None,
    ) -> Answer:
        """A new conversation at a flow's start with locale and region preset (terminal, tests).

        Raises KeyError for a flow that does not exist.
        """

        def begin(_: Session | None, now: float) -> tuple[Session | None, list[Reply]]:
            return self.engine.begin(now, flow=flow, locale=locale, region=region)

        return await self._run(Inbound(key, Start(locale=locale)), begin, outbound)

    async def forget(self, key: str) -> None:
        """Delete the session now (the web's quick exit); the next event starts afresh."""
        async with self.locks.hold(key):
            await self.store.delete(key)

    async def _run(self, inbound: Inbound, step: Step, outbound: Outbound | None) -> Answer:
        async with self.locks.hold(inbound.key):
            return await self._converse(inbound, step, outbound)

    async def _converse(self, inbound: Inbound, step: Step, outbound: Outbound | None) -> Answer:
        started = time.perf_counter()
        key, tag = inbound.key, inbound.key[:8]
        moment = self.clock()
        old = await self.store.load(key)
        session, replies = step(old.session if old else None, moment.timestamp())
        forget = session is None or any(isinstance(r, Forget) for r in replies)
        # The channel's state, beside the session: the messages "stop" may delete.
        figures = getattr(self.store, "figures", None)  # anonymous counts, ids only
        if figures is not None:
            previous = old.session if old is not None else None
            figures.add(figure_day(moment), observe(previous, session, replies, forget))
        kept = [*(old.message_ids if old is not None else ()), *inbound.own_ids]
        answer = Answer(session=None if forget else session)
        if forget:
            await self.store.delete(key)  # at once, before anything is sent
            if kept and outbound is not None:
                await outbound.erase(kept)
        try:
            for reply in replies:
                if isinstance(reply, Forget):
                    answer.outputs.append(Forgotten())
                    continue
                message = self.runtime.render(reply, moment)
                answer.outputs.append(message)
                if outbound is not None:
                    answer.sent.extend(await outbound.deliver(message))
        finally:
            # One save per turn, with the ids of what was sent (for "stop" to delete). put()
            # only queues in the SQL store: never a transaction around a channel's call, and
            # the session's lock keeps its next update waiting.
            if session is not None and not forget:
                ids = [*kept, *answer.sent][-MESSAGE_IDS_KEPT:]
                await self.store.save(key, Saved(session, ids))
        # DEBUG, not INFO: a line per update would be an activity record of each conversation.
        log.debug(
            "update handled session=%s event=%s replies=%d sent=%d forgot=%s ms=%.1f",
            tag,
            event_name(inbound.event),
            sum(isinstance(r, Say) for r in replies),
            len(answer.sent),
            forget,
            (time.perf_counter() - started) * 1000,
        )
        return answer
