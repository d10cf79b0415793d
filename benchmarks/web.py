"""Web chat benchmark: N men chatting through the real WebChat on SQLite, one server process.

The server (WebChat, the one turn, an SQLite store in a temporary folder) runs in its own
process; the men run in another, each with his own cookie: start_chat, then every `think`
seconds (open loop, spread over the first period) a press on a button of his last message or,
one time in five, a typed sentence. We measure latency per request at the client, requests a
second, the server's CPU per request and its RSS, and RSS again with 100,000 sessions stored.
The same run measures the Telegram path (benchmarks/telegram_channel, polling the fake Bot
API) at the same load for comparison. Everything binds 127.0.0.1, is bounded in time and stops
by itself. Not part of the test suite.

Run: .venv/bin/python -m benchmarks.web            (about 4 minutes; writes docs/benchmarks.md)
     .venv/bin/python -m benchmarks.web --quick    (about 40 s smoke run; prints only)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from http.cookies import SimpleCookie
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiohttp import web

from benchmarks.telegram_channel import common, report
from benchmarks.telegram_channel import over_http as telegram_http
from benchmarks.telegram_channel.load import LoadPlan
from bot.application import load_runtime
from bot.channels.web import WebChat, WebLimits, WebOptions
from bot.engine.model import Start
from storage import open_store, session_key
from tests.auxil.webchat import Shown

DOCS = common.ROOT / "docs" / "benchmarks.md"
SECTION = "## Web chat"
P99_TARGET_MS = 50.0
TYPED = ("hoi", "ik weet niet wat ik moet doen", "hij is vaak boos op mij", "menu")
# No per-address limit: every man of the benchmark comes from 127.0.0.1.
OPEN = WebLimits(session_burst=1000, address_burst=10**9, address_rate=10**9, start_burst=10**9)


@dataclass(frozen=True)
class Plan:
    name: str
    men: int
    think: float = 2.0
    duration: float = 30.0  # seconds measured, after everybody has started
    stored: int = 0  # sessions already in the database (other men, idle)


# ---- the server process ---------------------------------------------------------------------


def serve(conn: Connection, stored: int) -> None:
    common.quiet()
    asyncio.run(_serve(conn, stored))


async def _serve(conn: Connection, stored: int) -> None:
    runtime = load_runtime()
    with tempfile.TemporaryDirectory(prefix="fc-web-bench-") as folder:
        store = await open_store(f"sqlite:///{Path(folder) / 'sessions.sqlite'}", 3600)
        if stored:
            session, _ = runtime.engine.resume(None, Start(), time.time())
            assert session is not None
            for i in range(stored):
                await store.put(session_key(common.SECRET, "web", f"idle-{i}"), session)
            await store.flush()
        keyer = partial(session_key, common.SECRET)
        chat = WebChat(WebOptions(port=0, limits=OPEN), runtime, store, keyer, common.SECRET)
        handler_ms: list[float] = []

        @web.middleware
        async def timed(request: web.Request, handler: Any) -> web.StreamResponse:
            """Time inside the server, apart from waiting for the event loop or the client."""
            started = time.perf_counter()
            try:
                return await handler(request)
            finally:
                handler_ms.append((time.perf_counter() - started) * 1000)

        chat.app.middlewares.insert(0, timed)
        port = await chat.start()
        conn.send(port)
        loop = asyncio.get_running_loop()
        marks: dict[str, float] = {}
        while True:
            message = await loop.run_in_executor(None, conn.recv)
            if message == "mark":
                marks = {"cpu": common.cpu_seconds(), "handled": chat.api.handled}
                handler_ms.clear()
                conn.send("ok")
            elif message == "report":
                await store.flush()
                conn.send(
                    {
                        "cpu": common.cpu_seconds() - marks["cpu"],
                        "handled": chat.api.handled - marks["handled"],
                        "rss_mib": common.rss_mib(),
                        "peak_rss_mib": common.peak_rss_mib(),
                        "sessions": await store.count(),
                        "handler_ms": list(handler_ms),
                    }
                )
            else:
                break
        await chat.stop()
        await store.close()


# ---- the men ----------------------------------------------------------------------------------


class Man(Shown):
    """One browser: his cookie and what his page has shown (CSRF token, last id, buttons)."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n
        self.cookie = ""
        self.sent = 0
        self.rng = random.Random(n)

    def next_command(self) -> dict[str, Any]:
        self.sent += 1
        choices = [b for b in self.buttons if not b["data"].startswith("i|emergency")]
        if not choices or self.rng.random() < 0.2:
            text = TYPED[self.sent % len(TYPED)]
            return {"type": "send_msg", "id": f"m{self.sent}", "text": text, "ack": self.ack}
        data = self.rng.choice(choices)["data"]
        return {"type": "press", "id": f"m{self.sent}", "data": data, "ack": self.ack}


class Line:
    """One kept-alive HTTP/1.1 connection, spoken by hand: the load generator must cost far less
    than the server it measures (aiohttp's client costs about as much per request)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        lines = [
            "POST /api/chat HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        got: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            if name:
                got[name.strip().lower()] = value.strip()
        payload = await self.reader.readexactly(int(got.get("content-length", "0")))
        return int(status_line.split()[1]), got, payload


async def _post(conn: Line, man: Man, body: dict) -> tuple[int, float]:
    headers = {"Cookie": man.cookie} if man.cookie else {}
    if man.csrf:
        headers["X-CSRF-Token"] = man.csrf
    started = time.perf_counter()
    try:
        status, got, payload = await asyncio.wait_for(
            conn.post(json.dumps(body).encode(), headers), 30
        )
    except (TimeoutError, OSError, asyncio.IncompleteReadError):
        conn.writer = None  # a new connection next time
        return 0, (time.perf_counter() - started) * 1000  # 0: no answer (counted as an error)
    elapsed = (time.perf_counter() - started) * 1000
    if "set-cookie" in got:
        jar = SimpleCookie(got["set-cookie"])
        man.cookie = "; ".join(f"{k}={v.value}" for k, v in jar.items())
    if status == 200:
        man.take(json.loads(payload)["events"])
    return status, elapsed


async def chat_load(port: int, plan: Plan, conn: Connection) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[int, int] = {}
    men = [Man(n) for n in range(plan.men)]
    lines = {man.n: Line(port) for man in men}

    # Everybody starts within one think period, then the measured window begins.
    async def start(man: Man) -> None:
        await asyncio.sleep(man.rng.uniform(0, plan.think))
        await _post(lines[man.n], man, {"type": "start_chat", "locale": "nl"})

    await asyncio.gather(*(start(m) for m in men))
    conn.send("mark")
    conn.recv()
    began, cpu = time.monotonic(), common.cpu_seconds()
    end = began + plan.duration

    async def chat(man: Man) -> None:
        line = lines[man.n]
        due = began + man.rng.uniform(0, plan.think)
        while due < end:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            status, ms = await _post(line, man, man.next_command())
            if status == 401:  # he pressed "erase everything": he starts again
                man.cookie = man.csrf = ""
                status, ms = await _post(line, man, {"type": "start_chat"})
            if status == 200:
                latencies.append(ms)
            else:
                errors[status] = errors.get(status, 0) + 1
            due += plan.think  # open loop: on time, whatever the last answer took

    await asyncio.gather(*(chat(m) for m in men))
    seconds = time.monotonic() - began
    men_cpu = (common.cpu_seconds() - cpu) / seconds
    for line in lines.values():
        if line.writer is not None:
            line.writer.close()
    return {"latencies_ms": latencies, "errors": errors, "seconds": seconds, "men_cpu": men_cpu}


def run_plan(plan: Plan) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    end, child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(child, plan.stored), name="web-chat")
    server.start()
    try:
        if not end.poll(120 + plan.stored / 2000):
            raise RuntimeError("the web chat did not start in time")
        port = end.recv()
        result = asyncio.run(chat_load(port, plan, end))
        end.send("report")
        figures = end.recv()
    finally:
        end.send("stop")
        server.join(30)
        if server.is_alive():  # only ever the process started here
            server.terminate()
            server.join(5)
    return {**result, **figures, "plan": plan}


# ---- the report ---------------------------------------------------------------------------------


def web_row(result: dict[str, Any]) -> list[str]:
    plan, lat = result["plan"], result["latencies_ms"]
    done = len(lat)
    cpu_us = result["cpu"] / result["handled"] * 1e6 if result["handled"] else float("nan")
    errors = ", ".join(
        f"{n} × {status or 'no answer in 30 s'}" for status, n in sorted(result["errors"].items())
    )
    return [
        plan.name,
        f"{plan.men:,}",
        f"{plan.stored:,}",
        f"{done / result['seconds']:,.0f}",
        *(f"{common.percentile(lat, q):,.1f}" for q in (0.5, 0.95, 0.99)),
        f"{max(lat, default=0):,.0f}",
        " / ".join(f"{common.percentile(result['handler_ms'], q):,.1f}" for q in (0.5, 0.99)),
        f"{cpu_us:,.0f}",
        f"{result['cpu'] / result['seconds'] * 100:.0f}% / {result['men_cpu'] * 100:.0f}%",
        f"{result['rss_mib']:.0f}",
        f"{result['sessions']:,}",
        errors or "0",
    ]


WEB_HEADER = [
    "scenario",
    "men",
    "stored before",
    "requests/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "in server p50 / p99 ms",
    "server CPU µs/request",
    "CPU: server / men",
    "RSS MiB",
    "sessions after",
    "errors",
]

NOTES = [
    "Latency is measured by the men's process from writing the request to reading the whole",
    "answer, so it includes any wait for a CPU; 'in server' is the time inside the app (from",
    "the first middleware to the response), which does not. Server CPU per request is CPU time",
    "over requests answered, so it holds whatever the machine's load: at 2 s think time,",
    "1,000 men ask ~500 requests/s, which is that figure × 500 of one core. When the server gets",
    "less CPU than that (the load average before and after says how busy the machine was),",
    "requests queue and p50/p99 grow by seconds while 'in server' stays small: that is the",
    "machine, not the chat. Sessions after includes men who pressed 'erase everything' and began",
    "again.",
]

FULL = (
    Plan("web chat", 100),
    Plan("web chat", 1_000),
    Plan("web chat, 100,000 stored", 1_000, stored=100_000),
)
QUICK = (Plan("web chat", 100, duration=6), Plan("web chat", 1_000, duration=8))


def telegram_rows(plans: tuple[Plan, ...]) -> list[list[str]]:
    """The Telegram path at the same load (men pressing every think seconds), same machine."""
    rows = []
    for plan in plans:
        if plan.stored:
            continue
        load = LoadPlan(plan.men, plan.think, plan.duration, plan.think, "buttons", 10)
        result = telegram_http.run_scenario(telegram_http.Scenario("telegram", "full", load))
        lat = result["latencies_ms"]
        rate = result["answered"] / result["seconds"] if result["seconds"] else 0.0
        rows.append(
            [
                "telegram (polling the fake Bot API)",
                f"{plan.men:,}",
                f"{rate:,.0f}",
                *(f"{common.percentile(lat, q):,.1f}" for q in (0.5, 0.95, 0.99)),
                f"{result['bot_cpu'] * 100:.0f}%",
                f"{result['rss_mib']:.0f}",
                f"{result['lost']:,} of {result['pushed']:,}",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (prints only)")
    parser.add_argument("--no-telegram", action="store_true", help="skip the Telegram rows")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    plans = QUICK if args.quick else FULL
    command = ".venv/bin/python -m benchmarks.web" + "".join(
        f" {shlex.quote(a)}" for a in (sys.argv[1:] if argv is None else argv)
    )
    out = report.Report(command, section=SECTION)
    print(f"Web chat benchmark on {out.machine()}", flush=True)
    common.quiet()
    results = [run_plan(plan) for plan in plans]
    out.add(
        "One process on SQLite, men every 2 s (open loop)",
        report.table(WEB_HEADER, [web_row(r) for r in results]),
    )
    for result in results:
        plan, lat = result["plan"], result["latencies_ms"]
        if plan.men == 1_000:
            p99 = common.percentile(lat, 0.99)
            target = f"p99 ≤ {P99_TARGET_MS:.0f} ms at 1,000 men chatting ({plan.name})"
            out.verdict(target, p99 <= P99_TARGET_MS, f"{p99:.1f} ms over {len(lat):,} requests")
    if len(results) == 3:
        growth = results[2]["rss_mib"] - results[1]["rss_mib"]
        out.verdict(
            "RSS flat in stored sessions (100,000 more stored: ≤ 16 MiB more)",
            growth <= 16,
            f"{growth:+.1f} MiB",
        )
    out.add("Reading these figures", NOTES)
    if not args.no_telegram:
        header = ["path", "chats", "answered/s", "p50 ms", "p95 ms", "p99 ms", "bot CPU"]
        out.add(
            "The Telegram path at the same load, same run",
            report.table([*header, "RSS MiB", "lost"], telegram_rows(plans)),
        )
    out.load_after = report.os.getloadavg()
    for target, passed, measured in out.verdicts:
        print(f"  [{'met' if passed else 'MISSED':>6}] {target}: {measured}")
    if not (args.quick or args.no_docs):
        report.write_docs(DOCS, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
