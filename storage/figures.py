"""Anonymous figures: a count per day, metric and value, and nothing else.

A conversation turn hands its store what it saw (bot/channels/figures.py); add() only bumps
numbers in memory, and the SQL kind writes them every few seconds in one upsert, so counting
costs a conversation nothing. A row is (day, metric, value, count): no session, chat, time of
day or text, so no row can be traced to anyone (README, privacy).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.schema import daily_counts

log = logging.getLogger(__name__)

WRITE_EVERY = 5.0  # seconds between writes of the counts
# Metrics and values are ids from the flows and the directory, never typed text.
NAME_RE = re.compile(r"^[a-z][a-z0-9_:.-]{0,59}$", re.IGNORECASE)
Item = tuple[str, str]  # metric, value
Row = tuple[date, str, str, int]  # day, metric, value, count


class Figures:
    """Counts kept in memory (tests, the terminal chat); SqlFigures writes them too."""

    def __init__(self) -> None:
        self.pending: Counter[tuple[date, str, str]] = Counter()

    def add(self, day: date, items: Iterable[Item]) -> None:
        """Count each (metric, value) once for `day`; never waits, never fails a turn."""
        for metric, value in items:
            if NAME_RE.match(metric) and NAME_RE.match(value):
                self.pending[(day, metric, value)] += 1
            else:  # a bug, not a man's words: say which metric, never the value
                log.error("figure not counted: metric %s has a value that is not an id", metric)
        if self.pending:
            self._wake()

    def _wake(self) -> None:
        """Nothing to write for counts kept in memory."""

    async def read(self, since: date, until: date | None = None) -> list[Row]:
        """(day, metric, value, count) from `since` to `until` (inclusive), in order."""
        return sorted(
            (day, metric, value, count)
            for (day, metric, value), count in self.pending.items()
            if day >= since and (until is None or day <= until)
        )

    async def flush(self) -> None:
        """Write what was counted so far (nothing to do in memory)."""

    async def close(self) -> None:
        await self.flush()


class SqlFigures(Figures):
    """Counts written to daily_counts every WRITE_EVERY seconds and at close."""

    def __init__(self, engine: AsyncEngine, write_every: float = WRITE_EVERY):
        super().__init__()
        self.engine = engine
        self.write_every = write_every
        self._writer: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._upsert = _upsert(engine.dialect.name)

    def _wake(self) -> None:
        if self._writer is None or self._writer.done():
            with contextlib.suppress(RuntimeError):  # no running loop: written at flush
                self._writer = asyncio.get_running_loop().create_task(
                    self._write_later(), name="figures-writer"
                )

    async def _write_later(self) -> None:
        await asyncio.sleep(self.write_every)
        try:
            await self.flush()
        except Exception as exc:
            log.error("could not write the figures (%s); will try again", type(exc).__name__)
            self._wake()

    async def flush(self) -> None:
        async with self._lock:
            batch, self.pending = self.pending, Counter()
            if not batch:
                return
            rows = [
                {"day": day, "metric": metric, "value": value, "count": count}
                for (day, metric, value), count in batch.items()
            ]
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(self._upsert, rows)
            except BaseException:
                self.pending.update(batch)  # kept for the next try
                raise

    async def read(self, since: date, until: date | None = None) -> list[Row]:
        await self.flush()
        return await read_counts(self.engine, since, until)

    async def close(self) -> None:
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        await self.flush()


async def read_counts(engine: AsyncEngine, since: date, until: date | None = None) -> list[Row]:
    """The stored counts from `since` to `until` (inclusive), by day, metric and value."""
    c = daily_counts.c
    query = sa.select(c.day, c.metric, c.value, c["count"]).where(c.day >= since)
    if until is not None:
        query = query.where(c.day <= until)
    query = query.order_by(c.day, c.metric, c.value)
    async with engine.connect() as conn:
        return [(r[0], r[1], r[2], int(r[3])) for r in (await conn.execute(query)).all()]


def _upsert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(daily_counts)
    return stmt.on_conflict_do_update(
        index_elements=[daily_counts.c.day, daily_counts.c.metric, daily_counts.c.value],
        set_={"count": daily_counts.c["count"] + stmt.excluded["count"]},
    )
