"""The SQL store's own promises: batched writes, nothing lost on close or error, bad rows go."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import event

from storage import Saved
from storage.codec import COLUMNS, serialize
from storage.sql import PURGE_BATCH, SqlStore, create_engine
from tests.auxil.stores import START, TTL, Backend, key_for, make_backend, make_saved, make_session

SLOW = {"flush_interval": 3600.0}  # the background writer never gets to run on its own


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request, tmp_path):
    async with make_backend(request.param, tmp_path) as found:
        yield found


async def rows_in_db(backend: Backend) -> int:
    return (await backend.raw("SELECT count(*) FROM sessions"))[0][0]


async def eventually(check, timeout: float = 10.0) -> None:
    """Wait until the async check() is true; fails the test if it never is."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_put_is_queued_and_read_back_before_it_is_written(backend: Backend):
    store = await backend.open(**SLOW)
    await store.put(key_for(1), make_session())
    assert await store.get(key_for(1)) == make_session()
    assert await rows_in_db(backend) == 0
    await store.flush()
    assert await rows_in_db(backend) == 1
    assert store.pending == 0
    await store.close()


async def test_background_writer_writes_without_being_asked(backend: Backend):
    store = await backend.open(flush_interval=0.01)
    for chat in range(50):
        await store.put(key_for(chat), make_session())

    async def all_written() -> bool:
        return await rows_in_db(backend) == 50

    await eventually(all_written)
    assert store.pending == 0
    await store.close()


async def test_durable_put_is_written_before_it_returns(backend: Backend):
    store = await backend.open(**SLOW)  # durable puts must not wait for the (hour-long) tick
    await asyncio.wait_for(store.put(key_for(2), make_session(), durable=True), 5)
    assert await rows_in_db(backend) == 1
    await store.put(key_for(3), make_session())  # queued, and written with the next durable put
    await asyncio.wait_for(store.put(key_for(4), make_session(), durable=True), 5)
    assert await rows_in_db(backend) == 3
    await store.close()


async def test_many_durable_puts_share_few_writes(backend: Backend):
    store = await backend.open(**SLOW)
    writes = 0
    write = store._write_pending

    async def counted() -> None:
        nonlocal writes
        writes += 1
        await write()

    store._write_pending = counted
    puts = (store.put(key_for(chat), make_session(), durable=True) for chat in range(100))
    await asyncio.wait_for(asyncio.gather(*puts), 10)
    assert await rows_in_db(backend) == 100
    assert writes <= 3  # one batch for all of them, give or take the timing of the first
    await store.close()


async def test_durable_put_deleted_before_its_write_returns(backend: Backend):
    store = await backend.open(**SLOW)
    put = asyncio.ensure_future(store.put(key_for(5), make_session(), durable=True))
    await asyncio.sleep(0)  # the put is queued and waiting
    assert await store.delete(key_for(5)) is True
    await asyncio.wait_for(put, 5)
    assert await rows_in_db(backend) == 0
    await store.close()


async def test_queue_is_bounded_by_max_pending(backend: Backend):
    store = await backend.open(max_pending=10, **SLOW)
    for chat in range(25):
        await store.put(key_for(chat), make_session())
        assert store.pending < 10
    assert await rows_in_db(backend) == 20
    await store.close()


async def test_close_writes_everything_queued(backend: Backend):
    store = await backend.open(**SLOW)
    for chat in range(200):
        await store.put(key_for(chat), make_session(step=f"stap-{chat}"))
    await store.close()
    reopened = await backend.open()
    got = await asyncio.gather(*(reopened.get(key_for(chat)) for chat in range(200)))
    assert [s.step for s in got] == [f"stap-{chat}" for chat in range(200)]
    await reopened.close()


async def test_purge_works_in_short_batches(backend: Backend):
    store = await backend.open(**SLOW)
    expired = PURGE_BATCH * 2 + 3
    for chat in range(expired):
        await store.put(key_for(chat), make_session(updated=START - TTL - 1))
    await store.put(key_for("live"), make_session())
    assert await store.purge(START) == expired
    assert await rows_in_db(backend) == 1
    await store.close()


@asynccontextmanager
async def write_lock(backend: Backend) -> AsyncIterator[None]:
    """Another client holding the sessions table so writes fail (reads still work)."""
    if backend.name == "sqlite":
        path = backend.url.removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(backend.url, **backend.kw)
    async with engine.connect() as conn:
        await conn.begin()
        await conn.exec_driver_sql("LOCK TABLE sessions IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            await conn.rollback()
    await engine.dispose()


async def test_failed_writes_are_logged_without_content_and_retried(backend: Backend, caplog):
    caplog.set_level(logging.DEBUG, logger="storage")
    fail_fast = {"busy_timeout_ms": 50}
    if backend.name == "postgres":
        settings = {**backend.kw["connect_args"]["server_settings"], "lock_timeout": "50"}
        fail_fast = {"connect_args": {"server_settings": settings}}
    store = await backend.open(flush_interval=0.01, **fail_fast)
    private = make_session(flow="geheimflow", step="geheimstap", answers={"q": "geheimantwoord"})
    async with write_lock(backend):
        await store.put(key_for(3), private)

        async def error_logged() -> bool:
            return any(r.levelno == logging.ERROR for r in caplog.records)

        await eventually(error_logged)
        with pytest.raises(Exception):  # noqa: B017 - whichever error the driver raises
            await store.flush()
        assert await store.get(key_for(3)) == private  # still queued, still readable
        assert await rows_in_db(backend) == 0

    async def written() -> bool:
        return await rows_in_db(backend) == 1

    await eventually(written)
    assert "session writes work again" in caplog.text
    for secret in ("geheim", key_for(3)):
        assert secret not in caplog.text
    assert all(r.exc_info is None for r in caplog.records)
    await store.close()


CORRUPTIONS = {
    "bad-json": {"answers": '{"MARKER": '},
    "answers-not-mapping": {"answers": '["MARKER"]'},
    "message-ids-not-numbers": {"message_ids": '["MARKER"]'},
    "empty-step": {"step": ""},
}


async def check_corrupt_row_is_dropped(backend: Backend, corruption: dict, caplog) -> None:
    """A bad row written behind the store's back: get() finds nothing, it goes, log is bare."""
    caplog.set_level(logging.DEBUG, logger="storage")
    store = await backend.open()
    row = {"key": key_for(4), **serialize(make_saved()), **corruption}
    names = ", ".join(row)
    await backend.raw(
        f"INSERT INTO sessions ({names}) VALUES ({', '.join(':' + n for n in row)})", row
    )
    assert await store.get(key_for(4)) is None
    assert await rows_in_db(backend) == 0
    assert "unreadable" in caplog.text
    assert "MARKER" not in caplog.text
    await store.close()


@pytest.mark.parametrize("kind", CORRUPTIONS)
async def test_corrupt_row_is_absent_deleted_and_logged_without_content(
    backend: Backend, kind: str, caplog
):
    await check_corrupt_row_is_dropped(backend, CORRUPTIONS[kind], caplog)


async def test_text_in_a_sqlite_number_column_is_corrupt(tmp_path, caplog):
    async with make_backend("sqlite", tmp_path) as sqlite:  # only SQLite lets text in there
        await check_corrupt_row_is_dropped(sqlite, {"created": "MARKER"}, caplog)


async def test_corrupt_row_rewritten_meanwhile_is_kept(backend: Backend):
    store = await backend.open()
    assert isinstance(store, SqlStore)
    bad = {"key": key_for(5), **serialize(make_saved()), "answers": "{"}
    await store.put(key_for(5), make_session(step="nieuw"), durable=True)
    await store._drop_corrupt(bad)  # what get() does after reading the row that was there before
    assert (await store.get(key_for(5))).step == "nieuw"
    assert set(bad) == {"key", *COLUMNS}
    await store.close()


async def test_a_session_being_deleted_is_already_gone_for_readers(backend: Backend):
    store = await backend.open(**SLOW)
    await store.put(key_for(8), make_session(), durable=True)
    async with store._lock:  # hold the writer, so the delete is under way but not done
        deleting = asyncio.ensure_future(store.delete(key_for(8)))
        await asyncio.sleep(0.01)
        assert not deleting.done()
        assert await store.get(key_for(8)) is None  # the row is still in the table
        await store.put(key_for(8), make_session(step="opnieuw"))  # a new start is visible
        assert (await store.get(key_for(8))).step == "opnieuw"
    assert await deleting is True
    await store.flush()
    assert (await store.get(key_for(8))).step == "opnieuw"
    await store.close()


async def test_reads_survive_a_database_restart(tmp_path):
    async with make_backend("postgres", tmp_path) as pg:
        name = f"fc_restart_{id(pg)}"
        settings = {**pg.kw["connect_args"]["server_settings"], "application_name": name}
        store = await pg.open(connect_args={"server_settings": settings}, cache_size=0)
        await store.put(key_for(6), make_session(), durable=True)
        assert await store.get(key_for(6)) == make_session()  # the pool now holds a connection
        killed = await pg.raw(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n",
            {"n": name},
        )
        assert killed and all(ok for (ok,) in killed)
        assert await store.get(key_for(6)) == make_session()
        await store.put(key_for(7), make_session(), durable=True)  # writes reconnect too
        await store.close()


async def test_writes_survive_a_database_restart(tmp_path):
    """A write batch on a connection the server dropped is sent again on a fresh one."""
    async with make_backend("postgres", tmp_path) as pg:
        name = f"fc_restart_w_{id(pg)}"
        settings = {**pg.kw["connect_args"]["server_settings"], "application_name": name}
        store = await pg.open(connect_args={"server_settings": settings})
        await store.put(key_for(6), make_session(), durable=True)  # the pool holds a connection
        await pg.raw(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n",
            {"n": name},
        )
        await store.put(key_for(7), make_session(), durable=True)
        assert (await pg.raw("SELECT count(*) FROM sessions"))[0][0] == 2
        await store.close()


async def test_reads_share_one_connection_and_replace_it_after_an_error(backend: Backend):
    store = await backend.open(**SLOW, cache_size=0)  # every get reads the database
    assert isinstance(store, SqlStore)
    taken, returned = [], []
    event.listen(store.engine.sync_engine, "checkout", lambda *_: taken.append(1))
    event.listen(store.engine.sync_engine, "checkin", lambda *_: returned.append(1))
    await store.put(key_for(9), make_session(), durable=True)
    writes = len(taken)
    for _ in range(20):
        assert await store.get(key_for(9)) == make_session()
    both = await asyncio.gather(*(store.get(key_for(n)) for n in (9, 10) * 50))
    assert both == [make_session(), None] * 50  # concurrent reads don't get mixed up
    assert len(taken) == writes + 1  # 120 reads, one connection
    await backend.raw("UPDATE sessions SET step = 'elders'")  # written by someone else
    assert (await store.get(key_for(9))).step == "elders"  # the reader holds no old snapshot
    first = store._reader.driver
    await first.close()  # the read connection breaks behind the store's back
    assert (await store.get(key_for(9))).step == "elders"  # tried again on a new one
    assert store._reader.driver is not first
    assert len(taken) == writes + 2
    assert (await store.get(key_for(9))).step == "elders"
    assert len(taken) == writes + 2  # and that one is kept
    await store.close()
    assert len(returned) == len(taken)  # close() gave every connection back


def count_reads(store: SqlStore) -> list[int]:
    """Counts the reads that reach the database (the reader's own connection)."""
    reads: list[int] = []
    original = store._reader.read

    async def counted(key: str):
        reads.append(1)
        return await original(key)

    store._reader.read = counted  # type: ignore[method-assign]
    return reads


async def written_by_another_process(backend: Backend, n: int) -> None:
    """The session is in the database but not in the reading store's memory."""
    writer = await backend.open()
    await writer.put(key_for(n), make_session(), durable=True)
    await writer.close()


async def test_sessions_in_use_are_read_from_memory_not_the_database(backend: Backend):
    store = await backend.open()
    reads = count_reads(store)
    await store.put(key_for(1), make_session(), durable=True)
    for _ in range(5):
        assert await store.get(key_for(1)) == make_session()
    assert reads == []
    got = await store.load(key_for(1))
    got.session.step = "changed by the caller"
    got.message_ids.append(9)
    assert await store.load(key_for(1)) == Saved(make_session(), [])  # callers get copies
    await store.close()


async def test_a_session_read_once_is_kept_for_the_next_read(backend: Backend):
    await written_by_another_process(backend, 2)
    store = await backend.open()
    reads = count_reads(store)
    assert await store.get(key_for(2)) == make_session()
    assert await store.get(key_for(2)) == make_session()
    assert len(reads) == 1
    await store.close()


async def test_the_cache_is_bounded_and_forgets_the_oldest(backend: Backend):
    store = await backend.open(cache_size=3)
    for n in range(5):
        await store.put(key_for(n), make_session(step=f"s{n}"))
    await store.flush()
    reads = count_reads(store)
    assert [(await store.get(key_for(n))).step for n in (4, 3, 2)] == ["s4", "s3", "s2"]
    assert reads == []
    assert (await store.get(key_for(0))).step == "s0"  # fell out: read from the database
    assert len(reads) == 1 and len(store._hot) == 3
    await store.close()


async def test_deleted_and_expired_sessions_leave_memory(backend: Backend):
    store = await backend.open()
    await store.put(key_for(3), make_session(), durable=True)
    await store.put(key_for(4), make_session(), durable=True)
    assert await store.delete(key_for(3)) is True
    assert await store.get(key_for(3)) is None
    backend.clock.now += TTL + 1
    assert await store.get(key_for(4)) is None  # expired: never returned from memory
    assert await store.purge(backend.clock.now) == 1
    assert len(store._hot) == 0  # and gone from memory with the purge
    await store.close()


async def test_a_read_that_overlaps_a_delete_is_not_cached(backend: Backend):
    await written_by_another_process(backend, 5)
    store = await backend.open()
    original = store._reader.read
    read, deleted = asyncio.Event(), asyncio.Event()

    async def slow_read(key: str):
        row = await original(key)  # the row as it was, before the delete below
        read.set()
        await deleted.wait()
        return row

    store._reader.read = slow_read  # type: ignore[method-assign]
    reading = asyncio.create_task(store.get(key_for(5)))
    await asyncio.wait_for(read.wait(), 5)
    store._reader.read = original  # type: ignore[method-assign]
    assert await store.delete(key_for(5)) is True
    deleted.set()
    assert await reading is None  # the stale row is not returned
    assert await store.get(key_for(5)) is None  # nor remembered
    await store.close()


async def test_a_negative_cache_size_is_refused(backend: Backend):
    with pytest.raises(ValueError, match="cache_size"):
        await backend.open(cache_size=-1)
