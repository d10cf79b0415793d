"""The server process of the overload row: a burst of /start well above the send cap.

The men start their conversations at `rate` updates a second (5× the 30 messages/s cap) for a
few seconds. Mid-burst some type "ik ben nu in gevaar" (alternately one whose greeting arrived
and one whose greeting still waits: his replies must stay in order, so it has to go first too),
and some whose greeting arrived press one of its buttons. Measured on this process's clock, from
the push of an update to the fake server answering the bot's call: 112, the press's
acknowledgement, every other reply (the backlog's wait), and the time until the last reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field

from benchmarks.telegram_channel import common
from benchmarks.telegram_channel.load import CountingApi
from tests.auxil import updates

DANGER = "ik ben nu in gevaar"


@dataclass(frozen=True)
class OverloadPlan:
    chats: int  # each sends /start once, evenly spread
    rate: float  # updates offered per second during the burst
    dangers: int  # danger messages typed mid-burst
    presses: int  # button presses mid-burst
    grace: float = 60.0  # seconds to wait for the backlog to drain after the last push

    @property
    def burst_seconds(self) -> float:
        return self.chats / self.rate


@dataclass
class OverloadResult:
    pushed: int = 0
    pushing_seconds: float = 0.0
    danger_ms: list[float] = field(default_factory=list)
    danger_waiting: list[int] = field(default_factory=list)  # replies queued when it was typed
    ack_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)  # greetings and press replies
    drain_seconds: float = 0.0  # first push to last reply
    answered: int = 0
    lost: int = 0
    out_of_order: int = 0  # a 112 notice that arrived before its chat's earlier reply
    calls: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    server_cpu: float = 0.0


class Burst:
    """The men's side: pushes on schedule, and which reply (or answer) each push got."""

    def __init__(self, plan: OverloadPlan) -> None:
        self.plan = plan
        self.ids = [common.FIRST_CHAT + i for i in range(plan.chats)]
        self.api = CountingApi(self.heard, self.acknowledged)
        self.expected: dict[int, deque[tuple[str, float]]] = {}  # chat -> (kind, pushed at)
        self.greeted: list[int] = []  # chats whose greeting arrived, in order
        self.last: dict[int, dict] = {}
        self.queries: dict[str, float] = {}
        self.result = OverloadResult()
        self.first_push = 0.0
        self.last_reply = 0.0
        self.outstanding = 0
        self.idle = asyncio.Event()

    def heard(self, chat_id: int, message: dict) -> None:
        """A sendMessage arrived: it answers the chat's oldest push not yet answered."""
        now = time.monotonic()
        queue = self.expected.get(chat_id)
        if not queue:
            return
        kind, pushed = queue.popleft()
        notice = "112" in message.get("text", "")
        if notice != (kind == "danger"):
            self.result.out_of_order += 1
        if notice:
            self.result.danger_ms.append((now - pushed) * 1000)
        else:
            self.result.reply_ms.append((now - pushed) * 1000)
        if kind == "start":
            self.greeted.append(chat_id)
            self.last[chat_id] = message
        self.result.answered += 1
        self.last_reply = now
        self.outstanding -= 1
        if not self.outstanding:
            self.idle.set()

    def acknowledged(self, query_id: str) -> None:
        pushed = self.queries.pop(query_id, None)
        if pushed is not None:
            self.result.ack_ms.append((time.monotonic() - pushed) * 1000)

    def _expect(self, chat_id: int, kind: str) -> None:
        self.expected.setdefault(chat_id, deque()).append((kind, time.monotonic()))
        self.result.pushed += 1
        self.outstanding += 1
        self.idle.clear()

    def start(self, chat_id: int) -> None:
        self.api.push_command(chat_id, "start")
        self._expect(chat_id, "start")

    def danger(self, index: int, started: list[int], used: set[int]) -> None:
        """Even: a man whose greeting arrived; odd: the newest one whose greeting still waits."""
        if index % 2 == 0:
            pool = [c for c in self.greeted if c not in used]
        else:
            pool = [c for c in reversed(started) if c not in used and c not in self.greeted]
        if not pool:
            return
        chat_id = pool[0]
        used.add(chat_id)
        self.result.danger_waiting.append(self.outstanding)
        self.api.push_text(chat_id, DANGER)
        self._expect(chat_id, "danger")

    def press(self, used: set[int]) -> None:
        """A man whose greeting arrived presses its first button; the press must be answered."""
        chat_id = next((c for c in self.greeted if c not in used), None)
        if chat_id is None:
            return
        used.add(chat_id)
        message = self.last[chat_id]
        data = next(
            b["callback_data"] for b in updates.inline_buttons(message) if "callback_data" in b
        )
        update = self.api.push_callback(chat_id, message["message_id"], data)
        self.queries[update["callback_query"]["id"]] = time.monotonic()
        self._expect(chat_id, "press")

    async def prepare(self) -> None:
        """Nothing to set up: the burst starts from no conversation at all."""

    async def run(self) -> OverloadResult:
        plan = self.plan
        start = time.monotonic() + 0.05
        span = plan.burst_seconds
        events = [(start + span * i / plan.chats, "start", i) for i in range(plan.chats)]
        # Mid-burst: from a quarter to three quarters of the way, evenly spread.
        events += [
            (start + span * (0.25 + 0.5 * i / max(plan.dangers, 1)), "danger", i)
            for i in range(plan.dangers)
        ]
        events += [
            (start + span * (0.25 + 0.5 * i / max(plan.presses, 1)), "press", i)
            for i in range(plan.presses)
        ]
        events.sort()
        meter = common.CpuMeter()
        meter.start()
        started: list[int] = []
        used: set[int] = set()
        self.first_push = start
        for at, kind, index in events:
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if kind == "start":
                chat_id = self.ids[index]
                self.start(chat_id)
                started.append(chat_id)
            elif kind == "danger":
                self.danger(index, started, used)
            else:
                self.press(used)
        result = self.result
        result.pushing_seconds = time.monotonic() - start
        if self.outstanding:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.idle.wait(), plan.grace)
        result.server_cpu = meter.stop()
        result.lost = self.outstanding + len(self.queries)  # unanswered replies and presses
        result.drain_seconds = max(self.last_reply, start) - start
        result.calls = dict(self.api.counts)
        result.rejected = self.api.rejected
        result.refusals = dict(self.api.refusals.most_common(5))
        return result
