"""HTTP mode: the fake Bot API (with the men) in one process, the bot polling it in another.

Two processes for two cores, so the load generator and the bot never share an event loop.
Each scenario gets fresh processes, so the bot's memory is its own and nothing carries over.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.telegram_channel import common, load, overload
from bot.application import load_runtime
from bot.channels.telegram import WebhookOptions
from bot.channels.telegram.html import to_parts
from bot.engine.model import Say, Start
from bot.runtime import Runtime
from storage import SessionStore, open_store, session_key
from tests.auxil.fakebotapi import build_echo_application

START_TIMEOUT = 60.0  # seconds for a process to import, load flows and connect


@dataclass(frozen=True)
class Scenario:
    name: str
    bot: str  # "echo" or "full"
    plan: load.LoadPlan | overload.OverloadPlan  # steady presses, or a burst above the cap
    shipped_limiter: bool = False
    seeded: bool = False  # conversations started before the window (see LoadPlan.greeting)
    webhook: bool = False  # the fake server POSTs updates to the bot instead of being polled


def greeting() -> tuple[str, dict]:
    """The bot's answer to /start as Telegram would show it: HTML text and its keyboard."""
    runtime = load_runtime()
    _, replies = runtime.engine.resume(None, Start(), time.time())
    say = [r for r in replies if isinstance(r, Say)][-1]
    part = to_parts(runtime.render(say, datetime.now().astimezone()))[-1]
    markup = part.markup
    return part.html, markup if isinstance(markup, dict) else markup.to_dict()


async def seed_sessions(store: SessionStore, runtime: Runtime, chats: int) -> None:
    """The sessions of `chats` conversations just after /start, as the bot would store them."""
    session, _ = runtime.engine.resume(None, Start(), time.time())
    assert session is not None
    for i in range(chats):
        await store.put(session_key(common.SECRET, "telegram", common.FIRST_CHAT + i), session)
    await store.flush()


def bot_main(
    conn: Connection,
    kind: str,
    base_url: str,
    limiter: bool,
    folder: str,
    seed: int,
    webhook: bool = False,
) -> None:
    """Child process: run one bot against base_url until told to stop; report on request."""
    warnings = common.quiet()
    asyncio.run(_bot(conn, kind, base_url, limiter, Path(folder), seed, warnings, webhook))


async def _bot(
    conn: Connection,
    kind: str,
    base_url: str,
    limiter: bool,
    folder: Path,
    seed: int,
    warnings: common.ErrorCount,
    webhook: bool = False,
) -> None:
    loop = asyncio.get_running_loop()
    store = None
    if kind == "echo":
        app = build_echo_application(base_url, common.TOKEN, concurrent_updates=256)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        stop = _stopper(app)
        handled = None
    else:
        runtime = load_runtime()
        store = await open_store(f"sqlite:///{folder / 'sessions.sqlite'}", 3600)
        await seed_sessions(store, runtime, seed)
        bot = common.full_bot(base_url, runtime, store, shipped_limiter=limiter)
        if webhook:
            port = common.free_port()
            await bot.start_webhook(
                WebhookOptions(
                    url=f"http://127.0.0.1:{port}/hook",
                    secret=common.WEBHOOK_SECRET,
                    listen="127.0.0.1",
                    port=port,
                    path="/hook",
                )
            )
        else:
            await bot.start_polling()
        stop = bot.stop
        handled = bot.handler
    try:
        conn.send("ready")
        await loop.run_in_executor(None, conn.recv)  # "mark": the load starts
        meter = common.CpuMeter()
        meter.start()
        await loop.run_in_executor(None, conn.recv)  # "report": the load is over
        cpu = meter.stop()
        report: dict[str, Any] = {
            "rss_mib": common.rss_mib(),
            "peak_rss_mib": common.peak_rss_mib(),
            "bot_cpu": cpu,
            "handled": handled.handled if handled is not None else None,
            "sessions": await store.count() if store is not None else None,
            "warnings": warnings.count,
        }
        conn.send(report)
        await loop.run_in_executor(None, conn.recv)  # "stop"
    finally:
        await stop()
        if store is not None:
            await store.close()


def _stopper(app: Any) -> Any:
    async def stop() -> None:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    return stop


def _recv(conn: Connection, timeout: float, what: str, process: Any) -> Any:
    """The next message from a child, or a clear error if it died or went quiet."""
    deadline = time.monotonic() + timeout
    while not conn.poll(0.5):
        if not process.is_alive():
            raise RuntimeError(f"the {what} process ended early (exit code {process.exitcode})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no answer from the {what} within {timeout:.0f} s")
    return conn.recv()


def run_scenario(scenario: Scenario) -> dict[str, Any]:
    """Start server and bot, run the plan, collect both sides' figures, stop both."""
    ctx = mp.get_context("spawn")
    plan = scenario.plan
    if scenario.seeded and isinstance(plan, load.LoadPlan):
        plan = replace(plan, greeting=greeting())
    driver = overload.Burst if isinstance(plan, overload.OverloadPlan) else load.Men
    server_end, server_child = ctx.Pipe()
    bot_end, bot_child = ctx.Pipe()
    server = ctx.Process(target=common.serve, args=(server_child, driver), name="fake-bot-api")
    bot = None
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as folder:
        try:
            server.start()
            server_end.send(plan)
            base_url = _recv(server_end, START_TIMEOUT, "fake server", server)
            seed = plan.chats if scenario.seeded else 0
            duration = plan.duration if isinstance(plan, load.LoadPlan) else plan.burst_seconds
            args = (
                bot_child,
                scenario.bot,
                base_url,
                scenario.shipped_limiter,
                folder,
                seed,
                scenario.webhook,
            )
            bot = ctx.Process(target=bot_main, args=args, name="bot")
            bot.start()
            _recv(bot_end, START_TIMEOUT, "bot", bot)
            bot_end.send("mark")
            server_end.send("go")
            result = _recv(server_end, duration + plan.grace + 60, "load generator", server)
            bot_end.send("report")
            report = _recv(bot_end, 30, "bot", bot)
        finally:
            for process, end in ((bot, bot_end), (server, server_end)):  # the bot stops first
                if process is None or not process.is_alive():
                    continue
                end.send("stop")
                process.join(30)
                if process.is_alive():  # only ever the two processes started here
                    process.terminate()
                    process.join(5)
    return {**result, **report, "name": scenario.name, "plan": plan}
