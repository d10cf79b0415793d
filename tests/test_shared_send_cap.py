"""Telegram's overall send cap shared by every worker through PostgreSQL (workers.SharedCap).

Two workers here are two Bot API clients in this process, each with its own connections to
PostgreSQL (as two processes would have) and one shared `send_budget` row. Each client's
transport notes when a call leaves, on this process's clock, so the two workers' sends are
counted together. Only upper bounds on counts are asserted: a slow machine only sends slower.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from functools import partial

import pytest

from bot.channels.pacing import TokenBucket
from bot.channels.telegram import TelegramBot, TelegramOptions
from bot.channels.telegram.botapi import BotApi
from bot.channels.workers import SLOT_GRACE_SECONDS, Shared, SharedCap, open_shared
from bot.runtime import Runtime
from storage import open_store, session_key
from storage.shared import SendBudget
from storage.sql import create_engine
from tests.auxil.fakebotapi import FakeBotApi
from tests.auxil.stores import postgres_schema, postgres_url

RATE = 20.0


class Departures:
    """Every worker's transport: notes when each call leaves and which worker sent it."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str, dict]] = []  # (time, worker, params)
        self.refuse: list[tuple[str, float]] = []  # (worker, retry_after): answer 429 once
        self.refused: list[float] = []  # when each 429 was answered

    def transport(self, worker: str) -> _Transport:
        return _Transport(self, worker)

    def times(self) -> list[float]:
        return sorted(at for at, _, _ in self.sent)

    def most_in_a_second(self) -> int:
        times = self.times()
        return max(bisect.bisect_left(times, at + 1.0) - i for i, at in enumerate(times))


class _Transport:
    def __init__(self, departures: Departures, worker: str) -> None:
        self.departures = departures
        self.worker = worker

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def send(self, method: str, body: bytes, timeout: float | None = None):
        params = json.loads(body)
        refuse = self.departures.refuse
        if refuse and refuse[0][0] == self.worker:
            _, seconds = refuse.pop(0)
            self.departures.refused.append(time.monotonic())
            answer = {"ok": False, "error_code": 429, "parameters": {"retry_after": seconds}}
            return 429, json.dumps({**answer, "description": "Too Many Requests"}).encode()
        self.departures.sent.append((time.monotonic(), self.worker, params))
        return 200, b'{"ok": true, "result": {"message_id": 1}}'


@pytest.fixture
async def shared_pair() -> AsyncIterator[list[Shared]]:
    """Two workers' coordination on one fresh PostgreSQL schema (its tables migrated)."""
    async with postgres_schema() as kw, AsyncExitStack() as stack:
        store = await open_store(postgres_url(), 3600, **kw)  # migrates: send_budget exists
        await store.close()
        pair = []
        for _ in range(2):
            shared = open_shared(postgres_url(), **kw)
            stack.push_async_callback(shared.close)
            pair.append(shared)
        yield pair


def clients(pair: list[Shared], departures: Departures, caps: list[SharedCap]) -> list[BotApi]:
    assert len(pair) == len(caps)
    return [BotApi(departures.transport(f"w{n}"), overall=cap) for n, cap in enumerate(caps)]


def send(client: BotApi, chat: int, text: str = "hoi", urgent: bool = False):
    return client.call("sendMessage", {"chat_id": chat, "text": text}, urgent=urgent)


async def test_two_workers_together_stay_under_the_cap(shared_pair: list[Shared]) -> None:
    """Both workers flooded at once: in no second do they send more than one cap together.

    Each alone may send a burst of RATE and then RATE a second; two local buckets would send
    2 x 2 x RATE in the first second. Shared, a second holds at most RATE (plus the saved-up
    burst, plus slots used within their grace and the lease's round trip).
    """
    departures = Departures()
    caps = [shared.send_cap(RATE) for shared in shared_pair]
    workers = clients(shared_pair, departures, caps)
    per_worker = 40
    await asyncio.gather(
        *(send(client, chat) for client in workers for chat in range(1, per_worker + 1))
    )
    assert len(departures.sent) == 2 * per_worker  # nothing lost
    assert {worker for _, worker, _ in departures.sent} == {"w0", "w1"}
    allowed = RATE * (1 + SLOT_GRACE_SECONDS + 0.25) + RATE  # a second + slack, plus the burst
    assert departures.most_in_a_second() <= allowed < 2 * 2 * RATE
    assert sum(cap.leases for cap in caps) < 2 * per_worker  # slices: fewer round trips than sends


async def test_an_urgent_reply_waits_only_for_the_slots_leased_before_it(
    shared_pair: list[Shared],
) -> None:
    """Both workers backlogged; 112 on one of them goes before its own backlog and after at
    most the slices already leased (its own and the other worker's), never behind a queue."""
    departures = Departures()
    caps = [SharedCap(shared.budget, RATE, burst=1) for shared in shared_pair]
    workers = clients(shared_pair, departures, caps)
    backlog = [
        asyncio.create_task(send(client, chat)) for client in workers for chat in range(1, 31)
    ]
    while len(departures.sent) < 4:  # the backlog is moving on both workers
        await asyncio.sleep(0.01)
    before = len(departures.sent)
    await send(workers[0], 99, "112", urgent=True)
    position = next(i for i, (_, _, p) in enumerate(departures.sent) if p["text"] == "112")
    ahead = position - before
    assert ahead <= 2 * caps[0].slice + 1  # a slice per worker, and a lease in flight
    await asyncio.gather(*backlog)
    own_backlog_left = [p for _, w, p in departures.sent[position + 1 :] if w == "w0"]
    assert len(own_backlog_left) > 10  # it did not wait for its own worker's backlog


async def test_a_429_to_one_worker_holds_back_the_other(shared_pair: list[Shared]) -> None:
    departures = Departures()
    departures.refuse.append(("w0", 1.0))
    caps = [shared.send_cap(RATE) for shared in shared_pair]
    workers = clients(shared_pair, departures, caps)
    first = asyncio.create_task(send(workers[0], 1))  # 429, retry_after 1: sent again after it
    while not departures.refused:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # the pause reaches the database (one statement)
    await send(workers[1], 2)
    await first
    [(other_at, _)] = [(at, worker) for at, worker, _ in departures.sent if worker == "w1"]
    assert other_at >= departures.refused[0] + 1.0  # the other worker waited out the pause


async def test_the_database_away_leaves_each_worker_pacing_itself() -> None:
    """No PostgreSQL: replies still go, at this worker's own cap (never all at once)."""
    engine = create_engine("postgresql://postgres@127.0.0.1:1/test", connect_args={"timeout": 2})
    try:
        cap = SharedCap(SendBudget(engine), 10.0, burst=1)
        departures = Departures()
        client = BotApi(departures.transport("w0"), overall=cap)
        await asyncio.gather(*(send(client, chat) for chat in range(1, 6)))
        times = departures.times()
        assert len(times) == 5
        assert times[-1] - times[0] >= 4 * 0.1 * 0.99  # one slot per 0.1 s, locally
        assert cap.leases == 0
    finally:
        await engine.dispose()


async def test_the_cap_is_shared_only_by_coordinated_workers_and_0_lifts_it(
    api: FakeBotApi, runtime: Runtime
) -> None:
    """A webhook worker on PostgreSQL uses the shared cap; one process (SQLite, polling) keeps
    its own bucket; FIRSTCONTACT_TELEGRAM_MAX_RATE=0 lifts the cap in both."""
    keyer = partial(session_key, b"shared-cap-secret-" + b"0123456789" * 4)
    async with postgres_schema() as kw:
        store = await open_store(postgres_url(), 3600, cache_size=0, durable=True, **kw)
        shared = open_shared(postgres_url(), **kw)
        try:
            for rate, shared_or_not, kind in (
                (30.0, shared, SharedCap),
                (0.0, shared, TokenBucket),
                (30.0, None, TokenBucket),
                (0.0, None, TokenBucket),
            ):
                options = TelegramOptions(
                    token=api.token, base_url=api.base_url, overall_max_rate=rate, announce=False
                )
                bot = TelegramBot(options, runtime, store, keyer, shared=shared_or_not)
                assert isinstance(bot.client.overall, kind)
                assert bot.client.overall.rate == rate
        finally:
            await shared.close()
            await store.close()
