"""Shared bits of the Telegram benchmark: the bot under test, process measures."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import socket
import time
from dataclasses import asdict
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

from bot.channels.telegram import TelegramBot, TelegramOptions
from bot.channels.telegram.transport import Transport
from bot.runtime import Runtime
from storage import SessionStore, session_key

ROOT = Path(__file__).resolve().parents[2]

TOKEN = "123456789:AAFakeTokenForFirstContactEndToEndTests"
SECRET = b"benchmark-secret-" + b"0123456789" * 4
FIRST_CHAT = 700_000_000  # made-up chat ids: 700000000, 700000001, ...
WEBHOOK_SECRET = "benchmark-webhook-secret"


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now (for the webhook scenario)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def full_bot(
    base_url: str,
    runtime: Runtime,
    store: SessionStore,
    *,
    shipped_limiter: bool,
    transport: Transport | None = None,
) -> TelegramBot:
    """The production TelegramBot; without shipped_limiter its 30 sends/s overall cap is lifted.

    Only the pacer's rate changes (overall_max_rate=0; the same client, same 429 handling), so
    the code path per call stays the one production runs. `transport` answers replies in-process.
    """
    rate = TelegramOptions.overall_max_rate if shipped_limiter else 0.0
    options = TelegramOptions(
        token=TOKEN,
        base_url=base_url,
        poll_timeout=1,
        request_timeout=10.0,
        announce=True,
        overall_max_rate=rate,
    )
    return TelegramBot(options, runtime, store, partial(session_key, SECRET), transport)


def rss_mib() -> float:
    """Resident memory of this process now (VmRSS), in MiB."""
    return _status_kib("VmRSS") / 1024


def peak_rss_mib() -> float:
    """Highest resident memory of this process so far (VmHWM), in MiB."""
    return _status_kib("VmHWM") / 1024


def _status_kib(field: str) -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds() -> float:
    """CPU time of this process (all threads, user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """Share of one core this process used between start() and stop()."""

    def start(self) -> None:
        self._cpu, self._wall = cpu_seconds(), time.monotonic()

    def stop(self) -> float:
        return (cpu_seconds() - self._cpu) / max(time.monotonic() - self._wall, 1e-9)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


class ErrorCount(logging.Handler):
    """Counts WARNING+ records (their text is never kept: it could quote a message)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def quiet() -> ErrorCount:
    """Log WARNING and up to stderr as usual, and count them for the report."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    counter = ErrorCount()
    logging.getLogger().addHandler(counter)
    return counter


def serve(conn: Connection, driver: type) -> None:
    """Child process: start the fake server, report its URL, run the plan on "go", then stop.

    `driver(plan)` has the fake Bot API as `.api`, `prepare()` (before the URL is reported)
    and `run()` (returns the figures' dataclass): the load's Men and the overload's Burst."""
    quiet()
    asyncio.run(_serve(conn, driver))


async def _serve(conn: Connection, driver: type) -> None:
    loop = asyncio.get_running_loop()
    plan = await loop.run_in_executor(None, conn.recv)
    men = driver(plan)
    await men.api.start()
    try:
        await men.prepare()
        conn.send(men.api.base_url)
        command = await loop.run_in_executor(None, conn.recv)
        if command == "go":
            conn.send(asdict(await men.run()))
        await loop.run_in_executor(None, conn.recv)  # "stop", once the bot has reported
    finally:
        await men.api.stop()
