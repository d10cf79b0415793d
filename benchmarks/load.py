"""Load test: 1, 2 or 4 webhook worker processes on one PostgreSQL, on Telegram and the web chat.

Run: python -m benchmarks.load [--workers 1,2,4] [--conversations 1000] [--concurrent 1000]
         [--think 5] [--web-share 0.2] [--database-url URL]

Without --database-url the script starts a PostgreSQL server of its own (initdb in a temporary
folder, a free port, removed afterwards); with it, each row gets a fresh database on that
server (`postgresql://postgres@127.0.0.1:5432/test` is the tests' one: it must allow the
workers' connections, 4 x 40). Each worker is `firstcontact run --webhook`, a process of its own,
exactly as deployed. The fake Bot API (tests/auxil/fakebotapi, every call checked against the
official spec) runs in this process and delivers each update to the workers in turn, as nginx's
round robin does (any worker may get any update); a web chat conversation stays on one worker,
as nginx's `hash $cookie_fc_chat consistent` keeps it (docs/deployment.md).

A conversation is /start, two button presses of the last reply and a typed message, each step
after the man read the last answer (`--think` seconds on average, 0.5-1.5x; 0 = at once, to
measure capacity). `--concurrent` conversations run at a time until `--conversations` are done.
Latency: the update pushed to the fake Bot API -> the reply's sendMessage received there (web:
request -> response). Checked after each row: every step answered (lost: none within 30 s),
and each step's replies the same as every other conversation that took the same steps got
(reordered or wrong: a step answered from a stale session, twice, or out of turn, shows
different buttons). Errors: calls the fake Bot API refused, web answers other than 200,
and WARNING or worse in the workers' logs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

from benchmarks.telegram_channel import common
from benchmarks.telegram_channel.load import CountingApi
from storage.sql import create_engine
from tests.auxil import updates

STEPS = ("start", "press", "press", "type")
TYPED = (
    "mijn vrouw scheldt me uit en ik weet niet wat ik moet doen",
    "hoe werkt dat met de kinderen",
    "ik wil met iemand praten",
    "wat kan ik doen",
)
REPLY_TIMEOUT = 30.0  # a step not answered by then is lost
SECRET_KEY = "load-benchmark-secret-" + "0123456789" * 4
FIRST_CHAT = 760_000_000
WEB_PROXY = "127.0.0.1/32"  # the workers trust this process's X-Forwarded-For, as nginx's


# ---- PostgreSQL: our own server, or a fresh database on the one given ---------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit(f"{name} not found: install PostgreSQL or pass --database-url")


@contextlib.contextmanager
def own_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server on a free port of 127.0.0.1 (trust auth); its URL."""
    folder = Path(tempfile.mkdtemp(prefix="fc-load-pg-"))
    data, port = folder / "data", common.free_port()
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        as_owner = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run(
        [*as_owner, _pg_tool("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"], **quiet
    )
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
        "-c max_connections=400"
    )
    pg_ctl = _pg_tool("pg_ctl")
    log = folder / "server.log"
    subprocess.run(
        [*as_owner, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"], **quiet
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_owner, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], **quiet)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    name = f"fc_load_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(False)
    finally:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


# ---- the fake Bot API in front of the workers ------------------------------------------


class FrontApi(CountingApi):
    """The fake Bot API, delivering each webhook update to the next worker (round robin)."""

    def __init__(self, on_message: Any) -> None:
        super().__init__(on_message)
        self.targets: list[str] = []
        self._turn = 0

    async def _deliver(self, update: dict) -> None:
        hook = self._webhook
        if hook is not None and self.targets:
            self._turn += 1
            # Read by the delivery before its first await: each delivery posts to its own pick.
            self._webhook = replace(hook, url=self.targets[self._turn % len(self.targets)])
        await super()._deliver(update)


# ---- the workers -----------------------------------------------------------------------


@dataclass
class Worker:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU of the worker process so far."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def warnings(self) -> int:
        """WARNING, ERROR and tracebacks in its log (counted, never printed: no text kept)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return sum(
            1
            for line in text.splitlines()
            if line.startswith(("WARNING", "ERROR", "CRITICAL", "Traceback"))
        )


def start_worker(folder: Path, n: int, api_url: str, database_url: str, max_rate: str) -> Worker:
    port = common.free_port()
    data = folder / f"worker-{n}"
    data.mkdir()
    env = {
        **os.environ,
        "FIRSTCONTACT_TELEGRAM_TOKEN": common.TOKEN,
        "FIRSTCONTACT_TELEGRAM_API_URL": api_url,
        "FIRSTCONTACT_TELEGRAM_MAX_RATE": max_rate,
        "FIRSTCONTACT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "FIRSTCONTACT_WEBHOOK_SECRET": common.WEBHOOK_SECRET,
        "FIRSTCONTACT_DATABASE_URL": database_url,
        "FIRSTCONTACT_DATA_DIR": str(data),
        "FIRSTCONTACT_SECRET_KEY": SECRET_KEY,
        "FIRSTCONTACT_LISTEN": "127.0.0.1",
        "FIRSTCONTACT_PORT": str(port),
        "FIRSTCONTACT_LOG_LEVEL": "WARNING",
        "FIRSTCONTACT_WEB_TRUSTED_PROXIES": WEB_PROXY,
    }
    log = folder / f"worker-{n}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--webhook"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
            cwd=common.ROOT,
        )
    return Worker(port, process, log)


async def wait_ready(workers: list[Worker], api: FrontApi) -> None:
    """Every worker answers /healthz and has set its webhook."""
    async with aiohttp.ClientSession() as http:
        for worker in workers:
            for _ in range(1800):
                if worker.process.poll() is not None:
                    raise SystemExit(f"a worker stopped at start; see {worker.log}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{worker.url}/healthz") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.1)
            else:
                raise SystemExit(f"a worker did not start in 180 s; see {worker.log}")
    while api.counts["setWebhook"] < len(workers):
        await asyncio.sleep(0.1)


def stop_workers(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.process.wait(30)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


# ---- the men ---------------------------------------------------------------------------


@dataclass
class Plan:
    workers: int
    conversations: int
    concurrent: int
    think: float
    web_share: float
    max_rate: str = "0"


@dataclass
class Tally:
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    steps: int = 0
    timeouts: int = 0  # steps not answered within REPLY_TIMEOUT (the man gave up)
    late: int = 0  # of those, answered later after all
    no_buttons: int = 0  # a reply to press had no button to press
    web_errors: Counter[str] = field(default_factory=Counter)
    # per conversation: the steps taken and the buttons each step's replies showed
    paths: list[tuple[tuple[str, ...], tuple[Any, ...]]] = field(default_factory=list)


def buttons_of(message: dict) -> tuple[str, ...]:
    return tuple(
        b["callback_data"] for b in updates.inline_buttons(message) if "callback_data" in b
    )


def choose(rng: random.Random, data: tuple[str, ...]) -> str | None:
    """A button to press: any but the danger button (a conversation, not an alarm)."""
    choices = [d for d in data if not d.startswith("i|emergency")]
    return rng.choice(choices) if choices else None


class Men:
    def __init__(self, plan: Plan, tally: Tally) -> None:
        self.plan = plan
        self.tally = tally
        self.api = FrontApi(self.heard)
        self.waiting: dict[int, tuple[asyncio.Future[None], float]] = {}
        self.shown: dict[int, list[dict]] = defaultdict(list)  # this step's replies so far
        self.last: dict[int, dict] = {}  # the last message with buttons
        self.gave_up: dict[int, float] = {}  # chats whose man stopped waiting: when he pushed

    def heard(self, chat_id: int, message: dict) -> None:
        self.shown[chat_id].append(message)
        if buttons_of(message):
            self.last[chat_id] = message
        entry = self.waiting.pop(chat_id, None)
        if entry is None and chat_id in self.gave_up:
            pushed = self.gave_up.pop(chat_id)
            self.tally.latencies_ms["telegram"].append((time.monotonic() - pushed) * 1000)
            self.tally.late += 1
        if entry is not None:
            future, pushed = entry
            self.tally.latencies_ms["telegram"].append((time.monotonic() - pushed) * 1000)
            if not future.done():
                future.set_result(None)

    async def pause(self, rng: random.Random) -> None:
        if self.plan.think:
            await asyncio.sleep(self.plan.think * rng.uniform(0.5, 1.5))

    async def telegram(self, n: int) -> None:
        chat_id, rng = FIRST_CHAT + n, random.Random(n)
        taken: list[str] = []
        seen: list[Any] = []
        for k, step in enumerate(STEPS):
            await self.pause(rng)
            if k:
                seen.append(tuple(buttons_of(m) for m in self.shown.pop(chat_id, [])))
            if step == "start":
                self.api.push_command(chat_id, "start")
                taken.append("/start")
            elif step == "press":
                message = self.last.get(chat_id)
                data = choose(rng, buttons_of(message)) if message else None
                if data is None:
                    self.tally.no_buttons += 1
                    break
                self.api.push_callback(chat_id, message["message_id"], data)
                taken.append(data)
            else:
                text = TYPED[n % len(TYPED)]
                self.api.push_text(chat_id, text)
                taken.append(text)
            future = asyncio.get_running_loop().create_future()
            self.waiting[chat_id] = (future, time.monotonic())
            self.tally.steps += 1
            try:
                await asyncio.wait_for(future, REPLY_TIMEOUT)
            except TimeoutError:
                entry = self.waiting.pop(chat_id, None)
                if entry is not None:  # else answered just as he gave up
                    self.gave_up[chat_id] = entry[1]
                    self.tally.timeouts += 1
                break
        else:
            await asyncio.sleep(max(self.plan.think, 1.0))  # a second message of the last step
            seen.append(tuple(buttons_of(m) for m in self.shown.pop(chat_id, [])))
            self.tally.paths.append((("telegram", *taken), tuple(seen)))
        self.shown.pop(chat_id, None)

    async def web(self, n: int, http: aiohttp.ClientSession, base: str) -> None:
        rng = random.Random(n)
        # An address from the benchmarking range (RFC 2544), as nginx would see a man's.
        headers = {"X-Forwarded-For": f"198.18.{n // 250 % 256}.{n % 250 + 1}"}
        ack = 0
        buttons: tuple[str, ...] = ()
        taken: list[str] = []
        seen: list[Any] = []
        for k, step in enumerate(STEPS):
            await self.pause(rng)
            if step == "start":
                body: dict[str, Any] = {"type": "start_chat", "locale": "nl", "ack": None}
                taken.append("start_chat")
            elif step == "press":
                data = choose(rng, buttons)
                if data is None:
                    self.tally.no_buttons += 1
                    return
                body = {"type": "press", "id": f"c{k}", "data": data, "ack": ack}
                taken.append(data)
            else:
                text = TYPED[n % len(TYPED)]
                body = {"type": "send_msg", "id": f"c{k}", "text": text, "ack": ack}
                taken.append(text)
            self.tally.steps += 1
            started = time.monotonic()
            try:
                async with http.post(f"{base}/api/chat", json=body, headers=headers) as response:
                    status = response.status
                    answer = await response.json() if status == 200 else {}
                    for cookie in response.cookies.values():
                        headers["Cookie"] = f"{cookie.key}={cookie.value}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                self.tally.web_errors[type(exc).__name__] += 1
                return
            if status != 200:
                self.tally.web_errors[str(status)] += 1
                return
            self.tally.latencies_ms["web"].append((time.monotonic() - started) * 1000)
            shown = []
            for event in answer["events"]:
                if event["type"] in ("chat_started", "chat_resumed"):
                    headers["X-CSRF-Token"] = event["csrf"]
                elif event["type"] == "msg_out":
                    ack = max(ack, event["msg_id"])
                    data = tuple(b["data"] for b in event["buttons"])
                    shown.append(data)
                    if data:
                        buttons = data
            seen.append(tuple(shown))
        self.tally.paths.append((("web", *taken), tuple(seen)))


async def run_men(plan: Plan, men: Men, workers: list[Worker]) -> float:
    """All conversations, `concurrent` at a time; returns the seconds they took."""
    queue = iter(range(plan.conversations))
    web_every = round(1 / plan.web_share) if plan.web_share else 0
    connector = aiohttp.TCPConnector(limit=200)
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def man(first: int) -> None:
            n: int | None = first
            while n is not None:
                if web_every and n % web_every == 0:
                    # Sticky: a web conversation stays on one worker (its unacknowledged
                    # replies live there), as nginx's consistent hash on the cookie keeps it.
                    await men.web(n, http, workers[n // web_every % len(workers)].url)
                else:
                    await men.telegram(n)
                n = next(queue, None)

        started = time.monotonic()
        firsts = [n for _, n in zip(range(plan.concurrent), queue, strict=False)]
        await asyncio.gather(*(man(n) for n in firsts))
        return time.monotonic() - started


def disagreements(paths: list[tuple[tuple[str, ...], tuple[Any, ...]]]) -> int:
    """Steps whose replies differ from what most conversations taking the same steps got."""
    by_path: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for taken, seen in paths:
        by_path[taken].append(seen)
    wrong = 0
    for seens in by_path.values():
        for k in range(len(STEPS)):
            counts = Counter(seen[k] for seen in seens)
            wrong += len(seens) - counts.most_common(1)[0][1]
    return wrong


async def run_row(plan: Plan, server_url: str) -> dict[str, Any]:
    tally = Tally()
    men = Men(plan, tally)
    folder = Path(tempfile.mkdtemp(prefix="fc-load-"))
    try:
        return await _run_row(plan, server_url, men, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _run_row(plan: Plan, server_url: str, men: Men, folder: Path) -> dict[str, Any]:
    tally = men.tally
    workers: list[Worker] = []
    async with fresh_database(server_url) as database_url:
        await men.api.start()
        try:
            workers = [
                start_worker(folder, n, men.api.base_url, database_url, plan.max_rate)
                for n in range(plan.workers)
            ]
            await wait_ready(workers, men.api)
            men.api.targets = [f"{w.url}/telegram" for w in workers]
            load_before = os.getloadavg()
            cpu_before = [w.cpu_seconds() for w in workers]
            meter = common.CpuMeter()
            meter.start()
            seconds = await run_men(plan, men, workers)
            for _ in range(int(REPLY_TIMEOUT * 10)):  # replies that came too late still count
                if not men.gave_up:
                    break
                await asyncio.sleep(0.1)
            harness_cpu = meter.stop()
            worker_cpu = sum(w.cpu_seconds() for w in workers) - sum(cpu_before)
            load_after = os.getloadavg()
        finally:
            stop_workers(workers)
            await men.api.stop()
    warnings = sum(w.warnings() for w in workers)
    every = [ms for values in tally.latencies_ms.values() for ms in values]
    answered = len(every)
    return {
        "plan": plan,
        "seconds": seconds,
        "steps": tally.steps,
        "answered": answered,
        "updates_per_s": answered / seconds,
        "p50": common.percentile(every, 0.50),
        "p95": common.percentile(every, 0.95),
        "p99": common.percentile(every, 0.99),
        "p99_telegram": common.percentile(tally.latencies_ms["telegram"], 0.99),
        "p99_web": common.percentile(tally.latencies_ms["web"], 0.99),
        "completed": len(tally.paths),
        "lost": tally.timeouts - tally.late + tally.no_buttons,
        "late": tally.late,
        "wrong": disagreements(tally.paths),
        "refused": men.api.rejected,
        "web_errors": dict(tally.web_errors),
        "warnings": warnings,
        "worker_cpu_ms": worker_cpu / max(answered, 1) * 1000,
        "harness_cpu": harness_cpu,
        "load": (load_before[0], load_after[0]),
    }


def row(result: dict[str, Any]) -> str:
    plan: Plan = result["plan"]
    errors = result["refused"] + sum(result["web_errors"].values()) + result["warnings"]
    return (
        f"| {plan.workers} | {plan.conversations:,} | {plan.concurrent:,} | {plan.think:g} "
        f"| {result['completed']:,} | {result['answered']:,} of {result['steps']:,} "
        f"| {result['updates_per_s']:.0f} "
        f"| {result['p50']:.0f} | {result['p95']:.0f} | {result['p99']:.0f} "
        f"| {result['p99_telegram']:.0f} / {result['p99_web']:.0f} "
        f"| {errors} | {result['late']} | {result['lost']} | {result['wrong']} "
        f"| {result['worker_cpu_ms']:.1f} | {result['load'][0]:.1f} / {result['load'][1]:.1f} |"
    )


HEADER = (
    "| workers | conversations | at once | think s | completed | steps answered | updates/s "
    "| p50 ms "
    "| p95 ms | p99 ms | p99 ms telegram / web | errors | answered after 30 s | lost "
    "| reordered or wrong | worker CPU ms/update | load avg before / after |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    parser.add_argument("--conversations", default="1000", help="e.g. 1000,10000")
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--think", type=float, default=5.0, help="seconds between steps")
    parser.add_argument("--web-share", type=float, default=0.2, help="share on the web chat")
    parser.add_argument("--max-rate", default="0", help="FIRSTCONTACT_TELEGRAM_MAX_RATE")
    parser.add_argument("--database-url", help="a PostgreSQL server to use (else our own)")
    args = parser.parse_args(argv)
    common.quiet()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    with contextlib.ExitStack() as stack:
        server = args.database_url or stack.enter_context(own_postgres())
        print(HEADER, flush=True)
        results = []
        for conversations in numbers(args.conversations):
            for workers in numbers(args.workers):
                plan = Plan(
                    workers,
                    conversations,
                    min(args.concurrent, conversations),
                    args.think,
                    args.web_share,
                    args.max_rate,
                )
                result = await run_row(plan, server)
                results.append(result)
                print(row(result), flush=True)
                print(
                    f"  this process (fake Bot API and the men): {result['harness_cpu']:.0%}"
                    f" of a core; workers' CPU: {result['worker_cpu_ms']:.1f} ms per update",
                    flush=True,
                )
                if result["web_errors"]:
                    print(f"  web errors: {json.dumps(result['web_errors'])}", flush=True)
        for conversations in numbers(args.conversations):
            same = [r for r in results if r["plan"].conversations == conversations]
            one = next((r for r in same if r["plan"].workers == 1), None)
            if one and len(same) > 1:
                scale = ", ".join(
                    f"{r['plan'].workers}: {r['updates_per_s'] / one['updates_per_s']:.2f}x"
                    for r in same
                )
                print(f"throughput against 1 worker ({conversations:,} conversations): {scale}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
