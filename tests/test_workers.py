"""Several workers on one PostgreSQL: each update once, one turn per session at a time.

Two workers here are two TelegramBots in this process, each with its own store, connections
and in-process locks, exactly as two processes would have; only PostgreSQL is shared. Updates
are handed to both at once, as nginx may when Telegram redelivers or a man types fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from functools import partial

import pytest

from bot.channels.telegram import TelegramBot, TelegramOptions
from bot.channels.workers import open_shared
from bot.runtime import Runtime
from storage import open_store, session_key
from storage.shared import lock_id, session_lock
from tests.auxil import updates
from tests.auxil.fakebotapi import FakeBotApi
from tests.auxil.stores import postgres_schema, postgres_url

SECRET = b"several-workers-secret-" + b"0123456789" * 4


@pytest.fixture
async def workers(api: FakeBotApi, runtime: Runtime) -> AsyncIterator[list[TelegramBot]]:
    """Two workers in webhook mode's coordination, sharing one fresh PostgreSQL schema."""
    async with postgres_schema() as kw, AsyncExitStack() as stack:
        bots = []
        for _ in range(2):
            store = await open_store(postgres_url(), 3600, cache_size=0, durable=True, **kw)
            stack.push_async_callback(store.close)
            shared = open_shared(postgres_url(), **kw)
            stack.push_async_callback(shared.close)
            options = TelegramOptions(
                token=api.token, base_url=api.base_url, overall_max_rate=0, announce=False
            )
            bot = TelegramBot(options, runtime, store, partial(session_key, SECRET), shared=shared)
            await bot.client.start()
            stack.push_async_callback(bot.client.stop)
            bots.append(bot)
        yield bots


async def test_an_update_delivered_to_both_workers_is_answered_once(
    workers: list[TelegramBot], api: FakeBotApi
) -> None:
    chat_id = 730_000_001
    for n in range(5):
        update = {**updates.text_update(chat_id, "xq zzv"), "update_id": 9_000 + n}
        api.state.register(update)
        await asyncio.gather(*(bot.handler(dict(update)) for bot in workers))
    # /start-less chat: each text gets one answer (a note and the choices), never two.
    assert api.count("sendMessage", chat_id) == 5


async def test_one_session_is_never_in_two_turns_at_once(
    workers: list[TelegramBot], api: FakeBotApi
) -> None:
    """A man typing fast, his messages spread over both workers: none of them is lost.

    Each turn adds his message's id to the session (for "stop" to delete); two turns of one
    session at once would read the same session and one would overwrite the other's id.
    """
    chat_id = 730_000_002
    start = {**updates.command_update(chat_id, "start"), "update_id": 1}
    api.state.register(start)
    await workers[0].handler(start)
    sent = []
    for n in range(16):
        update = {**updates.text_update(chat_id, "xq zzv"), "update_id": 100 + n}
        update["message"]["message_id"] = 500 + n
        api.state.register(update)
        sent.append(workers[n % 2].handler(update))
    await asyncio.gather(*sent)
    store = workers[0].handler.turn.store
    saved = await store.load(session_key(SECRET, "telegram", chat_id))
    assert saved is not None
    assert {500 + n for n in range(16)} <= set(saved.message_ids)


async def test_a_dead_workers_lock_is_released_by_postgresql(workers: list[TelegramBot]) -> None:
    """A worker killed mid-turn: PostgreSQL ends its connection, and the lock with it."""
    key = session_key(SECRET, "telegram", 730_000_003)
    async with postgres_schema() as kw:
        dying = open_shared(postgres_url(), **kw)
        living = open_shared(postgres_url(), **kw)
        try:
            held = asyncio.Event()

            async def turn_of_the_dying_worker() -> None:
                async with session_lock(dying.engine, key):
                    held.set()
                    await asyncio.sleep(3600)

            task = asyncio.create_task(turn_of_the_dying_worker())
            await held.wait()
            waiting = asyncio.create_task(_take(living, key))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # the lock is held across workers
            async with living.engine.begin() as conn:  # what a worker's death does
                lock = lock_id(key)
                await conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    f" AND granted AND classid = {lock >> 32} AND objid = {lock & 0xFFFFFFFF}"
                )
            await asyncio.wait_for(waiting, 10)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        finally:
            await dying.close()
            await living.close()


async def _take(shared, key: str) -> None:
    async with session_lock(shared.engine, key):
        pass


async def test_an_update_is_still_answered_when_the_ledger_cannot_be_reached(
    workers: list[TelegramBot], api: FakeBotApi
) -> None:
    """The database away for a moment: better one possible repeat than a man left unanswered."""
    bot = workers[0]
    await bot.handler.ledger.engine.dispose()  # the ledger's connections gone

    async def unreachable(update_id: int) -> bool:
        raise ConnectionError("database restarting")

    bot.handler.ledger.claim = unreachable  # type: ignore[method-assign]
    chat_id = 730_000_004
    update = {**updates.command_update(chat_id, "start"), "update_id": 77}
    api.state.register(update)
    await bot.handler(update)
    assert api.count("sendMessage", chat_id) == 1


async def test_an_update_that_cannot_be_claimed_now_is_left_for_telegram_to_deliver_again(
    workers: list[TelegramBot], api: FakeBotApi
) -> None:
    """Within the webhook request (several workers): no claim, no turn, a 503, nothing sent;
    Telegram's redelivery is then answered once."""
    bot = workers[0]
    claim = bot.handler.ledger.claim

    async def unreachable(update_id: int) -> bool:
        raise ConnectionError("database restarting")

    bot.handler.ledger.claim = unreachable  # type: ignore[method-assign]
    chat_id = 730_000_005
    update = {**updates.command_update(chat_id, "start"), "update_id": 78}
    api.state.register(update)
    assert await bot.handler.take(dict(update)) is False
    assert api.count("sendMessage", chat_id) == 0
    bot.handler.ledger.claim = claim  # type: ignore[method-assign]
    assert await workers[1].handler.take(dict(update)) is True  # the redelivery
    assert await bot.handler.take(dict(update)) is True  # and another: already taken
    assert api.count("sendMessage", chat_id) == 1


async def test_a_claimed_update_whose_session_cannot_be_read_is_given_back(
    workers: list[TelegramBot], api: FakeBotApi
) -> None:
    """The database gone after the claim and before any reply: the claim is given back, so
    the redelivery is handled, once, and no "something went wrong" is sent."""
    bot = workers[0]
    store = bot.handler.turn.store
    load = store.load

    async def gone(key: str):
        raise ConnectionRefusedError("database restarting")

    store.load = gone  # type: ignore[method-assign]
    chat_id = 730_000_006
    update = {**updates.command_update(chat_id, "start"), "update_id": 79}
    api.state.register(update)
    try:
        assert await bot.handler.take(dict(update)) is False
    finally:
        store.load = load  # type: ignore[method-assign]
    assert api.count("sendMessage", chat_id) == 0
    assert await workers[1].handler.take(dict(update)) is True
    assert api.count("sendMessage", chat_id) == 1
