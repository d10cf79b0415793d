"""The server process of the HTTP mode: the strict fake Bot API plus the men pressing buttons.

Latency is push -> the fake server receiving the reply, both seen on this process's clock.
A reply is the next sendMessage to that chat (every answer in these flows is one message; the
bot keeps each chat's answers in order, so the oldest unanswered update is the one answered).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from benchmarks.telegram_channel import common
from tests.auxil import updates
from tests.auxil.fakebotapi import FakeBotApi


@dataclass(frozen=True)
class LoadPlan:
    """What the men do: /start spread over `ramp` s, then one update each every `period` s.

    Open loop: a man presses on time even if his last press is still unanswered (on the
    keyboard he has), so a slow bot meets the full load instead of a politely reduced one.
    """

    chats: int
    period: float
    duration: float  # seconds from the first push to the last
    ramp: float
    style: str  # "buttons": press a button of the last reply; "text": type (for the echo bot)
    grace: float = 10.0  # seconds to wait for answers after the last push
    rng_seed: int = 1
    # Seeded: every conversation was started before the window (the bot's store holds its
    # session, the chat shows this greeting as (html, reply_markup)); the men only press.
    greeting: tuple[str, dict] | None = None


@dataclass
class LoadResult:
    pushed: int = 0
    pushing_seconds: float = 0.0  # first push to last push
    answered: int = 0
    lost: int = 0
    skipped: int = 0  # presses on a message deleted meanwhile (after "wis")
    seconds: float = 0.0  # first push to last answer
    latencies_ms: list[float] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    refusals: dict[str, int] = field(default_factory=dict)  # "method: description" -> count
    server_cpu: float = 0.0  # share of one core the server and the men used


class CountingApi(FakeBotApi):
    """The fake server, keeping counts instead of every call (a long run would fill memory)."""

    def __init__(self, on_message: Any, on_answer: Any = None) -> None:
        super().__init__(common.TOKEN, validate_pushes=False)
        self.on_message = on_message
        self.on_answer = on_answer  # answerCallbackQuery's query id, as the server sees it
        self.counts: Counter[str] = Counter()
        self.rejected = 0
        self.refusals: Counter[str] = Counter()

    def _finish(
        self, name: str, params: dict, outcome: Any, injected: bool = False
    ) -> tuple[dict, int]:
        body, status = super()._finish(name, params, outcome, injected)
        self.sent.clear()
        self._ok.clear()
        for call in self.calls_rejected:
            self.rejected += 1
            self.refusals[f"{call.method}: {call.reason}"[:120]] += 1
        self.calls_rejected.clear()
        if status == 200:
            self.counts[name] += 1
            if name == "sendMessage":
                self.on_message(params["chat_id"], body["result"])
            elif name == "answerCallbackQuery" and self.on_answer is not None:
                self.on_answer(params["callback_query_id"])
        return body, status


class Men:
    """Every chat's side: what to push when, and which push each reply answers."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.ids = [common.FIRST_CHAT + i for i in range(plan.chats)]
        self.rng = random.Random(plan.rng_seed)
        self.waiting: dict[int, deque[float]] = {}
        self.outstanding = 0
        self.last: dict[int, dict] = {}
        self.result = LoadResult()
        self.first_push = 0.0
        self.last_answer = 0.0
        self.api = CountingApi(self.heard)
        self.idle = asyncio.Event()

    def heard(self, chat_id: int, message: dict) -> None:
        """A sendMessage arrived: it answers the chat's oldest unanswered update."""
        if any("callback_data" in b for b in updates.inline_buttons(message)):
            self.last[chat_id] = message
        else:
            self.last.pop(chat_id, None)  # e.g. "all forgotten": next time he sends /start
        queue = self.waiting.get(chat_id)
        if not queue:
            return
        now = time.monotonic()
        self.result.latencies_ms.append((now - queue.popleft()) * 1000)
        self.result.answered += 1
        self.last_answer = now
        self.outstanding -= 1
        if not self.outstanding:
            self.idle.set()

    def push(self, chat_id: int, first: bool) -> None:
        """The man's next update: a button of the last reply, /start, or (echo) a text."""
        api = self.api
        message = self.last.get(chat_id)
        if self.plan.style == "text":
            api.push_text(chat_id, "/start" if first else "hallo")
        elif first or message is None:
            api.push_command(chat_id, "start")
        else:
            buttons = updates.inline_buttons(message)
            data = [b["callback_data"] for b in buttons if "callback_data" in b]
            try:
                api.push_callback(chat_id, message["message_id"], self.rng.choice(data))
            except LookupError:  # that message was just deleted ("wis"): wait for the next
                self.result.skipped += 1
                return
        self.waiting.setdefault(chat_id, deque()).append(time.monotonic())
        self.result.pushed += 1
        self.outstanding += 1
        self.idle.clear()

    async def prepare(self) -> None:
        """Before the bot starts: the chats as after /start, when the plan says so."""
        if self.plan.greeting is not None:
            await self.seed()

    async def seed(self) -> None:
        """Each chat as after /start: the man's command, then the bot's greeting with buttons."""
        assert self.plan.greeting is not None
        text, markup = self.plan.greeting
        for chat_id in self.ids:
            self.api.state.register(updates.command_update(chat_id, "start", update_id=0))
            reply = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
            _, status = await self.api._call("sendMessage", {**reply, "reply_markup": markup})
            if status != 200:
                raise RuntimeError("the fake server refused the seeded greeting")

    async def run(self) -> LoadResult:
        plan, ids = self.plan, self.ids
        start = time.monotonic() + 0.05
        if plan.greeting is None:  # /start spread evenly over the ramp
            due = [(start + plan.ramp * i / plan.chats, chat, True) for i, chat in enumerate(ids)]
        else:  # seeded: each man first presses at a random moment of the first period
            due = [(start + plan.period * self.rng.random(), chat, False) for chat in ids]
        heapq.heapify(due)
        end = start + plan.duration
        meter = common.CpuMeter()
        meter.start()
        self.first_push = last_push = start
        while due and due[0][0] <= end:
            at, chat, first = heapq.heappop(due)
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.push(chat, first)
            last_push = time.monotonic()
            jitter = plan.period * self.rng.uniform(0.8, 1.2)
            heapq.heappush(due, (at + jitter, chat, False))
        if self.outstanding:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.idle.wait(), plan.grace)
        result = self.result
        result.server_cpu = meter.stop()
        result.lost = self.outstanding
        result.seconds = max(self.last_answer, self.first_push) - self.first_push
        result.pushing_seconds = last_push - self.first_push
        result.calls = dict(self.api.counts)
        result.rejected = self.api.rejected
        result.refusals = dict(self.api.refusals.most_common(5))
        return result
