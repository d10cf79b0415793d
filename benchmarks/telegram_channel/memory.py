"""Memory against stored sessions: RSS of a fresh process after storing and reading N sessions.

A store that cached everything it read (or kept all sessions in memory) would grow by about a
session's size per stored session; ours keeps a bounded LRU of sessions in use and SQLite's page
cache is bounded too, so RSS should stay flat past the LRU's size.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing as mp
import random
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.telegram_channel import common
from bot.application import load_runtime
from bot.engine.model import Start
from storage import Saved, open_store, session_key


def measure(sizes: list[int], reads: int) -> list[dict[str, Any]]:
    """Run the measurement in a fresh process (so nothing else sits in its memory)."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as folder:
        process = ctx.Process(target=_main, args=(child, sizes, reads, folder), name="memory")
        process.start()
        try:
            deadline = time.monotonic() + 60 + sum(sizes) / 2_000
            while not parent.poll(0.5):
                if not process.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("the memory measurement did not finish")
            rows = parent.recv()
        finally:
            process.join(30)
            if process.is_alive():  # only the process started here
                process.terminate()
                process.join(5)
    return rows


def _main(conn: Connection, sizes: list[int], reads: int, folder: str) -> None:
    common.quiet()
    conn.send(asyncio.run(_fill_and_read(sizes, reads, Path(folder))))


async def _fill_and_read(sizes: list[int], reads: int, folder: Path) -> list[dict[str, Any]]:
    runtime = load_runtime()
    path = folder / "sessions.sqlite"
    store = await open_store(f"sqlite:///{path}", 3600)
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    stored = 0
    try:
        for size in sizes:
            now = time.time()
            for i in range(stored, size):  # a fresh conversation each, as after /start
                session, _ = runtime.engine.resume(None, Start(), now)
                assert session is not None
                await store.save(
                    session_key(common.SECRET, "telegram", common.FIRST_CHAT + i),
                    Saved(session, [i % 1000 + 1, i % 1000 + 2]),
                )
            await store.flush()
            stored = size
            started = time.perf_counter()
            for i in rng.sample(range(size), min(reads, size)):
                key = session_key(common.SECRET, "telegram", common.FIRST_CHAT + i)
                if await store.get(key) is None:
                    raise RuntimeError("a stored session could not be read back")
            read_us = (time.perf_counter() - started) / min(reads, size) * 1e6
            gc.collect()
            rows.append(
                {
                    "stored": size,
                    "live": await store.count(),
                    "rss_mib": common.rss_mib(),
                    "db_mib": sum(p.stat().st_size for p in folder.glob("sessions.sqlite*"))
                    / 2**20,
                    "read_us": read_us,
                }
            )
    finally:
        await store.close()
    return rows
