"""Fault test: PostgreSQL restarted (pg_ctl restart -m fast) during a stream of updates.

Two webhook workers (TelegramBots in this process, each with its own store, connections and
HTTP server, as two processes would have) share a throwaway PostgreSQL cluster the test starts
itself (tests/auxil/pgcluster.py; never the machine's shared server). The test plays Telegram:
it posts each chat's updates one after another to the workers in turn, and posts an update
again, to the other worker, whenever it got no 2xx (a 503, a broken connection), as Telegram's
webhook redelivery does; every fifth update is also delivered twice on purpose. The server is
restarted twice while the chats type. Afterwards every chat got exactly the replies the same
messages get from a fault-free conversation (nothing lost, nothing twice, no "something went
wrong"), and every stored session is at the step that conversation ends at.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial

import httpx
import pytest

from bot.channels.telegram import TelegramBot, TelegramOptions, WebhookOptions
from bot.channels.telegram import texts as telegram_texts
from bot.channels.workers import open_shared
from bot.runtime import Runtime
from storage import open_store, session_key
from tests.auxil import updates
from tests.auxil.e2e import fault_free
from tests.auxil.fakebotapi import SECRET_HEADER, FakeBotApi
from tests.auxil.pgcluster import Cluster, find_bin

SECRET = b"postgres-restart-secret-" + b"0123456789" * 4
HOOK_SECRET = "restart-Webhook_secret"
SCRIPT = (
    "/start",
    "Vlaanderen",
    "Uitleg in makkelijke taal",
    "Verder",
    "Verder",
    "Verder",
    "Bij iemand die ik ken",
    "Verder",
    "xq zzv",
)
CHATS = 12
ATTEMPTS = 600  # redeliveries of one update before the test gives up (minutes, not a bound)
REDELIVERY_PAUSE = 0.2  # Telegram waits a little before it tries again


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    """A PostgreSQL server of this test's own, on a free port, removed afterwards."""
    found = find_bin()
    if isinstance(found, str):
        pytest.skip(found)
    server = Cluster(found)
    try:
        await asyncio.to_thread(server.start)
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@asynccontextmanager
async def webhook_workers(api: FakeBotApi, runtime: Runtime, url: str) -> AsyncIterator[list[int]]:
    """Two coordinated webhook workers on `url`; yields their ports."""
    async with AsyncExitStack() as stack:
        ports = []
        for _ in range(2):
            store = await open_store(url, 3600, cache_size=0, durable=True)
            stack.push_async_callback(store.close)
            shared = open_shared(url)
            stack.push_async_callback(shared.close)
            options = TelegramOptions(
                token=api.token, base_url=api.base_url, overall_max_rate=0, announce=False
            )
            bot = TelegramBot(options, runtime, store, partial(session_key, SECRET), shared=shared)
            hook = WebhookOptions("http://127.0.0.1:9/telegram", HOOK_SECRET, port=0)
            ports.append(await bot.start_webhook(hook))
            stack.push_async_callback(bot.stop)
        yield ports


class Telegram:
    """Posts updates to the workers as Telegram does, redelivering until one answers 2xx."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self.refused = 0  # answers that were not 2xx, or no answer at all
        self.client = httpx.AsyncClient(timeout=120)

    async def deliver(self, update: dict, first: int) -> int:
        """Until some worker answers 200; returns the worker that did."""
        for attempt in range(ATTEMPTS):
            worker = (first + attempt) % len(self.ports)
            try:
                answer = await self.client.post(
                    f"http://127.0.0.1:{self.ports[worker]}/telegram",
                    content=json.dumps(update),
                    headers={SECRET_HEADER: HOOK_SECRET, "Content-Type": "application/json"},
                )
                if 200 <= answer.status_code < 300:
                    return worker
            except httpx.TransportError:
                pass
            self.refused += 1
            await asyncio.sleep(REDELIVERY_PAUSE)
        raise AssertionError(f"no worker took update {update['update_id']} in {ATTEMPTS} tries")


async def test_postgresql_restarted_mid_stream(
    api: FakeBotApi, runtime: Runtime, cluster: Cluster
) -> None:
    ids = iter(range(1, 1_000_000))
    scripts: dict[int, list[dict]] = {}
    for n in range(CHATS):
        chat_id = 750_000_000 + n
        scripts[chat_id] = []
        for text in SCRIPT:
            update = {**updates.text_update(chat_id, text), "update_id": next(ids)}
            api.state.register(update)
            scripts[chat_id].append(update)
    total = CHATS * len(SCRIPT)
    delivered = 0
    third, two_thirds = asyncio.Event(), asyncio.Event()

    async with webhook_workers(api, runtime, cluster.url) as ports:
        telegram = Telegram(ports)

        async def chat(n: int, script: list[dict]) -> None:
            nonlocal delivered
            for i, update in enumerate(script):
                worker = await telegram.deliver(update, n + i)
                if update["update_id"] % 5 == 0:  # delivered twice: the other worker too
                    await telegram.deliver(update, worker + 1)
                delivered += 1
                if delivered >= total // 3:
                    third.set()
                if delivered >= 2 * total // 3:
                    two_thirds.set()

        async def restarts() -> int:
            done = 0
            for moment in (third, two_thirds):
                await moment.wait()
                await asyncio.to_thread(cluster.restart)
                done += 1
            return done

        restarting = asyncio.create_task(restarts())
        try:
            await asyncio.gather(*(chat(n, s) for n, s in enumerate(scripts.values())))
            assert await restarting == 2  # both restarts happened while chats were typing
        finally:
            restarting.cancel()
            await telegram.client.aclose()

    store = await open_store(cluster.url, 3600)
    try:
        for chat_id, script in scripts.items():
            expected, ended = await fault_free(runtime, script)
            sent = [call.params["text"] for call in api.calls("sendMessage", chat_id)]
            assert telegram_texts.TROUBLE.dutch not in sent
            assert len(sent) == sum(map(len, expected)), f"chat {chat_id}: {len(sent)} replies"
            saved = await store.get(session_key(SECRET, "telegram", chat_id))
            assert saved is not None
            assert (saved.flow, saved.step, saved.region) == (ended.flow, ended.step, ended.region)
    finally:
        await store.close()
