"""In-process mode: PTB applications fed updates directly, their calls answered without HTTP.

Both the bare echo bot and the full stack get the same request class and the same update
stream, each in the form its production path receives it (the echo bot Update objects from
PTB's Updater, firstcontact raw JSON from its own poller), so the difference is what each
bot costs per update as shipped.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler
from telegram.request import BaseRequest, RequestData

from benchmarks.telegram_channel import common
from bot.runtime import Runtime
from storage import open_store
from tests.auxil import updates
from tests.auxil.fakebotapi import build_echo_application

BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
UNUSED_URL = "http://127.0.0.1:9/bot"  # never contacted: the request class answers


class InstantRequest(BaseRequest):
    """Answers every Bot API call at once with the JSON Telegram would send; no network.

    Both a PTB request (the echo bot's calls) and a sender Transport (firstcontact's replies);
    either way the call's JSON is encoded and decoded once, as client and server would.
    """

    def __init__(self, on_message: Callable[[int, dict], None] | None = None) -> None:
        self.on_message = on_message
        self.calls = 0
        self._ids = itertools.count(10_000)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        body = request_data.json_payload if request_data is not None else b"{}"
        return await self.send(url.rsplit("/", 1)[-1], body)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, method: str, body: bytes) -> tuple[int, bytes]:
        self.calls += 1
        params = json.loads(body)
        return 200, json.dumps({"ok": True, "result": self._result(method, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False}
        if name == "getUpdates":
            return []
        if name != "sendMessage":
            return True
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Tester"},
            "from": BOT_USER,
            "text": params["text"],
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        if self.on_message is not None:
            self.on_message(chat_id, message)
        return message


@dataclass(frozen=True)
class InprocResult:
    bot: str
    stream: str
    updates: int
    seconds: float
    cpu_seconds: float
    calls: int

    @property
    def us_per_update(self) -> float:
        return self.seconds / self.updates * 1e6

    @property
    def cpu_us_per_update(self) -> float:
        return self.cpu_seconds / self.updates * 1e6

    @property
    def calls_per_update(self) -> float:
        return self.calls / self.updates


class Chats:
    """The man's side: what to send next in each chat, pressing buttons of the last reply."""

    def __init__(self, chats: int, stream: str, seed: int) -> None:
        self.ids = [common.FIRST_CHAT + i for i in range(chats)]
        self.stream = stream
        self.rng = random.Random(seed)
        self.last: dict[int, dict] = {}
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)

    def saw(self, chat_id: int, message: dict) -> None:
        if "reply_markup" in message:
            self.last[chat_id] = message

    def next_update(self, chat_id: int, first: bool) -> dict:
        who = {"update_id": next(self.update_ids), "message_id": next(self.message_ids)}
        if first:
            return updates.command_update(chat_id, "start", **who)
        last = self.last.get(chat_id)
        if self.stream == "text" or last is None:
            return updates.text_update(chat_id, "ik weet het niet", **who)
        data = [b["callback_data"] for b in updates.inline_buttons(last) if "callback_data" in b]
        return updates.callback_update(last, self.rng.choice(data), update_id=who["update_id"])


class Finished:
    """A handler in a later group: counts updates whose handling is over, for both bots alike."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = asyncio.Event()

    async def __call__(self, update: object, context: object) -> None:
        self.count += 1
        self.changed.set()

    async def reach(self, target: int) -> None:
        while self.count < target:
            self.changed.clear()
            await self.changed.wait()


async def _drive(app: Application, chats: Chats, rounds: int, finished: Finished, raw: bool) -> int:
    """Round by round: one update from every chat at once, then wait until all are handled.

    Each bot gets updates the way it gets them in production: the PTB echo bot as Update
    objects (its Updater parses them), firstcontact as the raw JSON its own poller queues.
    """
    sent, base = 0, finished.count
    for r in range(rounds):
        for chat_id in chats.ids:
            data = chats.next_update(chat_id, r == 0)
            app.update_queue.put_nowait(data if raw else Update.de_json(data, app.bot))
        sent += len(chats.ids)
        await finished.reach(base + sent)
    return sent


async def _run(
    app: Application,
    request: InstantRequest,
    chats: Chats,
    rounds: int,
    label: str,
    raw: bool = False,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> InprocResult:
    """`settle` waits for work a bot finishes after its handler returns (button answers)."""
    finished = Finished()
    app.add_handler(TypeHandler(dict if raw else Update, finished), group=1)
    app.bot._request = (InstantRequest(), request)  # same class for both bots
    await app.initialize()
    await app.start()
    try:
        await _drive(app, chats, 2, finished, raw)  # warm-up: connections, caches, first sessions
        if settle is not None:
            await settle()
        base = finished.count
        calls = request.calls
        gc.collect()
        cpu, t0 = common.cpu_seconds(), time.perf_counter()
        updates = await _drive(app, chats, rounds, finished, raw)
        if settle is not None:
            await settle()
        seconds = time.perf_counter() - t0
        cpu = common.cpu_seconds() - cpu
        assert finished.count - base == updates, (finished.count, base, updates)
    finally:
        await app.stop()
        await app.shutdown()
    return InprocResult(label, chats.stream, updates, seconds, cpu, request.calls - calls)


async def run_echo(stream: str, chats: int, rounds: int) -> InprocResult:
    feed = Chats(chats, stream, seed=1)
    request = InstantRequest(feed.saw)
    app = build_echo_application(UNUSED_URL, common.TOKEN, concurrent_updates=256)
    return await _run(app, request, feed, rounds, "bare PTB echo")


async def run_full(runtime: Runtime, stream: str, chats: int, rounds: int) -> InprocResult:
    feed = Chats(chats, stream, seed=1)
    request = InstantRequest(feed.saw)
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as folder:
        store = await open_store(f"sqlite:///{Path(folder) / 'sessions.sqlite'}", 3600)
        try:
            bot = common.full_bot(
                UNUSED_URL, runtime, store, shipped_limiter=False, transport=request
            )
            return await _run(
                bot.application,
                request,
                feed,
                rounds,
                "firstcontact",
                raw=True,
                settle=bot.handler.drain,
            )
        finally:
            await store.close()
