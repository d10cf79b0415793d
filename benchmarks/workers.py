"""What coordinating several webhook workers on PostgreSQL costs, and whether it holds.

Run: python -m benchmarks.workers [--chats 200] [--messages 5]   (needs PostgreSQL, as the
tests do: FIRSTCONTACT_TEST_POSTGRES_URL or 127.0.0.1:5432/test). Against the fake Bot API on
127.0.0.1, each chat types its messages one after another, all chats at once; every tenth
update is delivered a second time, to the other worker. Prints updates/s, latency per update
(p50/p95/p99), lost steps (a message missing from its session), and answers sent twice.

The "workers" are TelegramBots in this one process: separate stores, connections and locks,
one event loop on one core. So this measures the coordination's cost and correctness, not how
throughput scales with processes (docs/performance.md says so beside the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from contextlib import AsyncExitStack
from functools import partial

import sqlalchemy as sa

from bot.application import load_runtime
from bot.channels.telegram import TelegramBot, TelegramOptions
from bot.channels.workers import open_shared
from storage import open_store, session_key
from storage.sql import create_engine
from tests.auxil import updates
from tests.auxil.fakebotapi import FakeBotApi
from tests.auxil.stores import postgres_url

SECRET = b"workers-benchmark-" + b"0123456789" * 4
FIRST_CHAT = 750_000_000


async def make_workers(stack, api, runtime, url, count: int, shared: bool) -> list[TelegramBot]:
    bots = []
    for _ in range(count):
        extra = {"cache_size": 0, "durable": True} if shared else {}
        store = await open_store(url, 3600, **extra)
        stack.push_async_callback(store.close)
        coordination = open_shared(url) if shared else None
        if coordination is not None:
            stack.push_async_callback(coordination.close)
        options = TelegramOptions(
            token=api.token, base_url=api.base_url, overall_max_rate=0, announce=False
        )
        bot = TelegramBot(
            options, runtime, store, partial(session_key, SECRET), shared=coordination
        )
        await bot.client.start()
        stack.push_async_callback(bot.client.stop)
        bots.append(bot)
    return bots


async def scenario(url: str, workers: int, shared: bool, chats: int, messages: int) -> dict:
    runtime = load_runtime()
    async with FakeBotApi() as api, AsyncExitStack() as stack:
        bots = await make_workers(stack, api, runtime, url, workers, shared)
        latencies: list[float] = []
        next_id = iter(range(1, 10**9))

        async def deliver(bot: TelegramBot, update: dict) -> None:
            started = time.perf_counter()
            await bot.handler(dict(update))
            latencies.append(time.perf_counter() - started)

        async def chat(n: int) -> None:
            chat_id = FIRST_CHAT + n
            for m in range(messages):
                text = "/start" if m == 0 else "xq zzv"
                update = {**updates.text_update(chat_id, text), "update_id": next(next_id)}
                update["message"]["message_id"] = 10_000 + m
                api.state.register(update)
                bot = bots[(n + m) % len(bots)]
                twice = len(bots) > 1 and (n * messages + m) % 10 == 0
                other = bots[(n + m + 1) % len(bots)]
                await asyncio.gather(
                    deliver(bot, update), *([deliver(other, update)] if twice else [])
                )

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(chat(n) for n in range(chats)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        lost = twice = 0
        store = bots[0].handler.turn.store
        for n in range(chats):
            chat_id = FIRST_CHAT + n
            session = await store.get(session_key(SECRET, "telegram", chat_id))
            own = {10_000 + m for m in range(messages)}
            lost += len(own - set(session.message_ids if session else ()))
            answers = api.count("sendMessage", chat_id)
            twice += max(0, answers - messages)
        handled = chats * messages
        cuts = statistics.quantiles(latencies, n=100)
        return {
            "updates/s": handled / elapsed,
            "cpu ms": cpu / handled * 1000,  # this process only; PostgreSQL's is not counted
            "p50 ms": cuts[49] * 1000,
            "p95 ms": cuts[94] * 1000,
            "p99 ms": cuts[98] * 1000,
            "lost": lost,
            "answered twice": twice,
        }


async def fresh_database() -> tuple[str, sa.Engine]:
    name = f"fc_bench_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(postgres_url()).set(database=name).render_as_string(False)
    return url, admin


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    args = parser.parse_args()
    rows = (
        ("1 worker, no coordination", 1, False),
        ("1 worker, coordinated", 1, True),
        ("2 workers, coordinated", 2, True),
    )
    print(f"{args.chats} chats x {args.messages} messages, every 10th delivered twice (2 workers)")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        "| setup | updates/s | CPU ms/update | p50 ms | p95 ms | p99 ms | lost | answered twice |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, workers, shared in rows:
        url, admin = await fresh_database()
        try:
            r = await scenario(url, workers, shared, args.chats, args.messages)
        finally:
            async with admin.connect() as conn:
                name = sa.engine.make_url(url).database
                await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.dispose()
        print(
            f"| {label} | {r['updates/s']:.0f} | {r['cpu ms']:.2f} | {r['p50 ms']:.1f} "
            f"| {r['p95 ms']:.1f} "
            f"| {r['p99 ms']:.1f} | {r['lost']} | {r['answered twice']} |"
        )


if __name__ == "__main__":
    asyncio.run(main())
