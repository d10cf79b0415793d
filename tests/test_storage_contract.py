"""One contract for every session store: memory, SQLite and PostgreSQL must behave the same."""

from __future__ import annotations

import asyncio
import math
import random

import pytest

from storage import Saved, SessionStore, StoreClosed
from tests.auxil.stores import START, TTL, Backend, key_for, make_backend, make_saved, make_session


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(request, tmp_path):
    async with make_backend(request.param, tmp_path) as found:
        yield found


@pytest.fixture
async def store(backend: Backend):
    opened = await backend.open()
    yield opened
    await opened.close()


async def test_round_trip_keeps_every_field(store: SessionStore):
    saved = make_saved(
        locale="en",
        answers={"geweld": "fysiek", "uitleg": "één – ✓"},
        history=["intake:a", "hulp:b"],
        message_ids=[1, 2**40, 7],
    )
    await store.save(key_for(1), saved)
    assert await store.load(key_for(1)) == saved
    await store.flush()
    assert await store.load(key_for(1)) == saved
    assert await store.get(key_for(1)) == saved.session


async def test_put_stores_a_session_with_no_channel_state(store: SessionStore):
    await store.save(key_for(1), make_saved())
    await store.put(key_for(1), make_session(step="verder"))
    assert await store.load(key_for(1)) == Saved(make_session(step="verder"), [])


async def test_empty_values_and_no_region_round_trip(store: SessionStore):
    saved = make_saved(region=None, answers={}, history=[], message_ids=[])
    await store.save(key_for(2), saved)
    await store.flush()
    assert await store.load(key_for(2)) == saved


async def test_missing_key_is_none(store: SessionStore):
    assert await store.get(key_for("never-seen")) is None


async def test_stored_session_is_a_copy(store: SessionStore):
    saved = make_saved()
    await store.save(key_for(3), saved)
    saved.session.answers["later"] = "changed"
    saved.session.history.append("x:y")
    saved.session.step = "elsewhere"
    saved.message_ids.append(4)
    got = await store.load(key_for(3))
    assert got == make_saved()
    got.message_ids.append(5)
    got.session.step = "changed by the caller"
    assert await store.load(key_for(3)) == make_saved()


async def test_expired_session_counts_as_absent(store: SessionStore, backend: Backend):
    await store.put(key_for(4), make_session(updated=START))
    await store.flush()
    backend.clock.now = START + TTL  # exactly at the limit: still live
    assert await store.get(key_for(4)) == make_session(updated=START)
    backend.clock.now = START + TTL + 1
    assert await store.get(key_for(4)) is None
    assert await store.count() == 0


async def test_purge_deletes_only_expired_and_counts_them(store: SessionStore, backend: Backend):
    for chat in range(3):
        await store.put(key_for(chat), make_session(updated=START - TTL - 1 - chat))
    for chat in range(3, 5):
        await store.put(key_for(chat), make_session(updated=START - 5))
    assert await store.purge(START) == 3
    assert await store.purge(START) == 0
    assert await store.count() == 2
    backend.clock.now = START - 10  # even with an earlier clock, purged sessions are gone
    assert await store.get(key_for(0)) is None
    assert await store.get(key_for(3)) == make_session(updated=START - 5)


async def test_delete_reports_whether_there_was_a_session(store: SessionStore):
    await store.put(key_for(5), make_session())
    await store.flush()
    assert await store.delete(key_for(5)) is True
    assert await store.get(key_for(5)) is None
    assert await store.delete(key_for(5)) is False
    assert await store.delete(key_for("unknown")) is False


async def test_delete_of_an_unwritten_put_stays_deleted(store: SessionStore):
    await store.put(key_for(6), make_session())
    assert await store.delete(key_for(6)) is True
    await store.flush()
    assert await store.get(key_for(6)) is None
    assert await store.count() == 0


async def test_put_after_delete_wins(store: SessionStore):
    await store.put(key_for(7), make_session(step="eerst"))
    await store.flush()
    await store.delete(key_for(7))
    await store.put(key_for(7), make_session(step="daarna"))
    await store.flush()
    assert (await store.get(key_for(7))).step == "daarna"


async def test_overwrite_keeps_the_newest(store: SessionStore):
    await store.put(key_for(8), make_session(step="een"))
    await store.flush()
    await store.put(key_for(8), make_session(step="twee"))
    await store.put(key_for(8), make_session(step="drie", updated=START + 1))
    assert (await store.get(key_for(8))).step == "drie"
    await store.flush()
    assert await store.get(key_for(8)) == make_session(step="drie", updated=START + 1)
    assert await store.count() == 1


async def test_many_tasks_writing_many_keys(store: SessionStore):
    rng = random.Random(7)
    chats = list(range(400))

    async def chat_worker(worker: int) -> None:
        for round_no in range(5):
            for chat in chats[worker::20]:
                await store.put(key_for(chat), make_session(step=f"s{round_no}-{chat}"))
            await asyncio.sleep(rng.random() / 500)

    await asyncio.gather(*(chat_worker(w) for w in range(20)))
    await store.flush()
    assert await store.count() == len(chats)
    got = await asyncio.gather(*(store.get(key_for(chat)) for chat in chats))
    assert [s.step for s in got] == [f"s4-{chat}" for chat in chats]


async def test_count_only_counts_live_sessions(store: SessionStore):
    await store.put(key_for(9), make_session(updated=START))
    await store.put(key_for(10), make_session(updated=START - TTL - 1))
    assert await store.count() == 1


async def test_a_raw_chat_id_is_refused_as_key(store: SessionStore):
    with pytest.raises(ValueError, match="session_key"):
        await store.put("123456789", make_session())
    with pytest.raises(ValueError, match="session_key"):
        await store.get("telegram:123456789")


@pytest.mark.parametrize(
    "bad",
    [
        {"updated": math.nan},
        {"step": ""},
        {"answers": {"kinderen": 2}},
        {"message_ids": ["101"]},
        {"history": "intake:welkom"},
    ],
    ids=["nan-time", "empty-step", "number-answer", "text-message-id", "history-not-list"],
)
async def test_unstorable_session_is_refused_and_nothing_stored(store: SessionStore, bad):
    with pytest.raises(ValueError, match="cannot be stored"):
        await store.save(key_for(11), make_saved(**bad))
    await store.flush()
    assert await store.get(key_for(11)) is None


async def test_closed_store_refuses_work(backend: Backend):
    opened = await backend.open()
    await opened.close()
    await opened.close()  # twice is fine
    with pytest.raises(StoreClosed):
        await opened.get(key_for(12))
    with pytest.raises(StoreClosed):
        await opened.put(key_for(12), make_session())
