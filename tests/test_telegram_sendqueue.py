"""The send queue: who goes next under the overall cap (urgent first, chats in turn, in order)."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from telegram.error import NetworkError

from bot.channels.pacing import TokenBucket
from bot.channels.telegram.botapi import BotApi
from bot.channels.telegram.sendqueue import SendQueue
from tests.auxil.clock import SleepClock

RATE = 10.0  # one turn every 0.1 s of the test clock


class TimedPacer(TokenBucket):
    """The production pacer, noting when each slot is used."""

    def __init__(self, clock: SleepClock) -> None:
        super().__init__(RATE, burst=1, clock=clock)
        self.used: list[float] = []

    def take(self) -> None:
        self.used.append(self._clock())
        super().take()


class Turns:
    """A queue on the test clock, recording who got each turn."""

    def __init__(self) -> None:
        self.clock = SleepClock()
        self.pacer = TimedPacer(self.clock)
        self.queue = SendQueue(self.pacer, sleep=self.clock.sleep, clock=self.clock)
        self.order: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []

    @property
    def gaps(self) -> list[float]:
        """Seconds between one turn and the next."""
        used = self.pacer.used
        return [b - a for a, b in itertools.pairwise(used)]

    def send(self, chat: int, label: str, urgent: bool = False) -> asyncio.Task[None]:
        async def go() -> None:
            await self.queue.turn(chat, urgent)
            self.order.append(label)

        task = asyncio.get_running_loop().create_task(go())
        self.tasks.append(task)
        return task

    async def busy(self) -> None:
        """Take the one free slot, so every send after this one has to queue."""
        await self.queue.turn(0)

    async def settle(self) -> None:
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def test_chats_take_turns_each_in_its_own_order() -> None:
    turns = Turns()
    await turns.busy()
    for label in ("a1", "a2", "a3"):
        turns.send(1, label)
    turns.send(2, "b1")
    turns.send(3, "c1")
    await turns.settle()
    assert turns.order == ["a1", "b1", "c1", "a2", "a3"]  # one chat's many cannot starve others
    assert len(turns.queue) == 0 and turns.queue.chats == 0


async def test_an_urgent_send_takes_the_next_slot_and_keeps_the_pace() -> None:
    turns = Turns()
    await turns.busy()
    for chat in range(1, 21):
        turns.send(chat, f"n{chat}")
    await asyncio.sleep(0)  # the backlog is queued
    turns.send(99, "112", urgent=True)
    await turns.settle()
    assert turns.order[0] == "112"
    assert turns.order[1:] == [f"n{chat}" for chat in range(1, 21)]
    assert turns.gaps == pytest.approx([1 / RATE] * 21)  # urgent goes first, never faster


async def test_an_urgent_send_brings_its_chats_earlier_sends_along_in_order() -> None:
    turns = Turns()
    await turns.busy()
    turns.send(2, "b1")
    turns.send(3, "c1")
    turns.send(1, "a1")
    await asyncio.sleep(0)
    turns.send(1, "a2-112", urgent=True)
    await turns.settle()
    assert turns.order == ["a1", "a2-112", "b1", "c1"]


async def test_an_expedited_chat_goes_first_while_held_then_takes_turns_again() -> None:
    turns = Turns()
    await turns.busy()
    turns.send(2, "b1")
    turns.send(3, "c1")
    turns.send(1, "a1")
    await asyncio.sleep(0)
    with turns.queue.expedite(1):  # an urgent update of chat 1 waits for a1
        turns.send(1, "a2")  # made while held: ahead of b1 and c1 too
        await turns.tasks[-1]
    turns.send(1, "a3")  # after the urgent update: back to taking turns
    await turns.settle()
    assert turns.order == ["a1", "a2", "b1", "c1", "a3"]
    assert turns.queue.chats == 0


async def test_a_caller_that_gives_up_leaves_no_hole() -> None:
    turns = Turns()
    await turns.busy()
    turns.send(1, "a1")
    gone = turns.send(2, "b1")
    turns.send(3, "c1")
    await asyncio.sleep(0)
    gone.cancel()
    await turns.settle()
    assert turns.order == ["a1", "c1"]
    assert turns.gaps == pytest.approx([1 / RATE] * 2)  # no slot was spent on b1
    assert len(turns.queue) == 0 and turns.queue.chats == 0


async def test_a_pause_holds_every_turn_and_keeps_the_order() -> None:
    turns = Turns()
    await turns.busy()
    start = turns.clock.now
    turns.queue.pause(start + 5)
    turns.send(1, "a1")
    turns.send(2, "b1")
    await asyncio.sleep(0)
    turns.send(3, "112", urgent=True)
    await turns.settle()
    assert turns.order == ["112", "a1", "b1"]
    assert turns.pacer.used[1] >= start + 5  # [0] is the slot busy() took


async def test_closing_fails_the_sends_still_waiting() -> None:
    turns = Turns()
    await turns.busy()
    waiting = turns.send(1, "a1")
    await asyncio.sleep(0)
    turns.queue.close()
    with pytest.raises(NetworkError):
        await waiting
    assert len(turns.queue) == 0 and turns.queue.chats == 0


async def test_no_cap_means_no_queue() -> None:
    clock = SleepClock()
    queue = SendQueue(TokenBucket(0, clock=clock), sleep=clock.sleep, clock=clock)
    for chat in range(1000):
        await queue.turn(chat)
    assert clock.now == 1000.0 and queue.chats == 0


# ---- through the sender ------------------------------------------------------------------


class Recorder:
    """A transport that answers every call at once and records the order they went out."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, method: str, body: bytes) -> tuple[int, bytes]:
        self.calls.append((method, json.loads(body)))
        return 200, b'{"ok": true, "result": {"message_id": 1}}'


async def test_the_sender_puts_urgent_messages_first_and_never_queues_button_answers() -> None:
    clock, transport = SleepClock(), Recorder()
    sender = BotApi(transport, overall_max_rate=1, sleep=clock.sleep, clock=clock)
    backlog = [
        asyncio.create_task(sender.call("sendMessage", {"chat_id": chat, "text": "hoi"}))
        for chat in range(1, 6)
    ]
    await asyncio.sleep(0)
    start = clock.now
    await sender.call("answerCallbackQuery", {"callback_query_id": "q"})
    assert clock.now == start  # answered at once, whatever the backlog
    urgent = asyncio.create_task(
        sender.call("sendMessage", {"chat_id": 9, "text": "112"}, urgent=True)
    )
    await asyncio.gather(*backlog, urgent)
    sent = [params.get("text") for method, params in transport.calls if method == "sendMessage"]
    assert sent[1] == "112"  # the first took the one free slot before it came
    assert len(sent) == 6
