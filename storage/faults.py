"""Database faults: which errors pass (a server restart, a failover, a dropped connection), a
bounded retry for those, and a description of any error that quotes no stored value.

A restarted PostgreSQL cuts every connection and refuses new ones for a moment; the pool's
pre-ping finds a dead pooled connection, and `retrying` waits out the moment. Anything else
(a constraint, a full disk, a wrong schema) is raised at once: retrying would not help.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import sqlalchemy as sa

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_WITHIN = 30.0  # seconds a passing fault is retried: a restart, even on a busy machine
RETRY_FIRST, RETRY_MAX = 0.1, 2.0
# SQLSTATE classes of a server going away or not there yet: 08 connection exception,
# 57P01..57P03 admin/crash shutdown and "cannot connect now" (starting up).
_PASSING_STATES = ("08", "57P01", "57P02", "57P03")
# SQLite's errors that are not passing (the disk is full, the file is not a database).
_LASTING_SQLITE = ("SQLITE_FULL", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_READONLY")


def passing(exc: BaseException) -> bool:
    """True for an error a retry a moment later may not meet: the connection, not the query."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    chain = _chain(exc)
    for seen in chain:
        state = getattr(seen, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_PASSING_STATES):
            return True
        if getattr(seen, "sqlite_errorname", None) in _LASTING_SQLITE:
            return False
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return True
    return any(isinstance(seen, OSError) for seen in chain)  # refused, reset, timed out


def disk_full(exc: BaseException) -> bool:
    """The database's disk is full: SQLite's SQLITE_FULL, PostgreSQL's 53100 disk_full."""
    for seen in _chain(exc):
        if getattr(seen, "sqlite_errorname", None) == "SQLITE_FULL":
            return True
        if getattr(seen, "sqlstate", None) == "53100":
            return True
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(found) < 6:
        found.append(seen)
        seen = getattr(seen, "orig", None) or seen.__cause__
    return found


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    what: str,
    *,
    within: float = RETRY_WITHIN,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """attempt(), again after a passing fault (growing pauses) for up to `within` seconds."""
    deadline = time.monotonic() + within
    delay = RETRY_FIRST
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if not passing(exc) or time.monotonic() + delay > deadline:
                raise
            log.warning(
                "database unreachable, trying again what=%s error=%s retry_s=%.1f",
                what,
                describe_error(exc),
                delay,
            )
        await sleep(delay)
        delay = min(delay * 2, RETRY_MAX)


def describe_error(exc: BaseException) -> str:
    """Error class and database error code only: driver messages may quote stored values."""
    names = [type(exc).__name__]
    code = None
    seen: BaseException | None = getattr(exc, "orig", None) or exc.__cause__
    while seen is not None and len(names) < 4:
        names.append(type(seen).__name__)
        code = code or getattr(seen, "sqlite_errorname", None) or getattr(seen, "sqlstate", None)
        seen = seen.__cause__
    text = " from ".join(dict.fromkeys(names))
    return f"{text}, code {code}" if code else text
