"""Fault tests: the Bot API answering 429, 500/502/503, timing out and cutting connections.

The policy (botapi.BotApi.call, docs/deployment.md "Faults"): what Telegram surely did not do
(429, a 5xx that says so, no connection) is sent again, after retry_after or a bounded
backoff; what it may have done (a timeout, a cut after the request went out, 504) is sent again
only where twice is harmless, and for a message to a chat only when it is urgent (two copies of
112 beat none). The first half checks the client on a scripted transport and a test clock (no
waiting); the second drives the real bot over HTTP against the fake Bot API, which injects the
faults per method and chat, and compares every chat with a fault-free conversation.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.channels.telegram import TelegramBot, TelegramOptions
from bot.channels.telegram import texts as telegram_texts
from bot.channels.telegram.botapi import BotApi
from bot.channels.telegram.transport import Unsent
from bot.runtime import Runtime
from storage import open_store, session_key
from tests.auxil import updates
from tests.auxil.clock import SleepClock
from tests.auxil.e2e import SECRET, fault_free
from tests.auxil.fakebotapi import FakeBotApi

OK = (200, {"ok": True, "result": {"message_id": 1}})


def answer(status: int, description: str) -> tuple[int, dict]:
    return status, {"ok": False, "error_code": status, "description": description}


class Flaky:
    """A transport answering from a script: (status, body) answers, or errors raised; then OK.

    `per_text` scripts answers by the message text instead, for tests with many senders.
    """

    def __init__(self, *script: Any, per_text: dict[str, list[Any]] | None = None) -> None:
        self.script = list(script)
        self.per_text = per_text or {}
        self.calls: list[tuple[str, dict, bool]] = []  # method, params, answered ok

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, method: str, body: bytes, timeout: float | None = None):
        params = json.loads(body)
        queue = self.per_text.get(params.get("text", ""), self.script)
        step = queue.pop(0) if queue else OK
        self.calls.append((method, params, step == OK))
        if isinstance(step, Exception):
            raise step
        status, data = step
        return status, json.dumps(data).encode()


def client(transport: Flaky, clock: SleepClock, **options: Any) -> BotApi:
    options.setdefault("overall_max_rate", 0)
    return BotApi(transport, sleep=clock.sleep, clock=clock, **options)


MESSAGE = {"chat_id": 5, "text": "x"}


@pytest.mark.parametrize(
    "failure",
    [
        answer(500, "Internal Server Error"),
        answer(502, "Bad Gateway"),
        answer(503, "Service Unavailable"),
        Unsent("aiohttp.ClientConnectorError"),
    ],
    ids=["500", "502", "503", "no connection"],
)
async def test_what_telegram_did_not_do_is_sent_again_after_a_growing_pause(failure) -> None:
    transport, clock = Flaky(failure, failure), SleepClock()
    assert await client(transport, clock).call("sendMessage", MESSAGE) == {"message_id": 1}
    assert [params for _, params, _ in transport.calls] == [MESSAGE] * 3  # the same call
    assert clock.slept == [0.5, 1.0]


async def test_sending_again_stops_after_max_retries() -> None:
    transport, clock = Flaky(*[answer(500, "Internal Server Error")] * 9), SleepClock()
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await client(transport, clock, max_retries=3).call("sendMessage", MESSAGE)
    assert len(transport.calls) == 4 and clock.slept == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    "unknown",
    [TimedOut("Timed out"), NetworkError("aiohttp.ServerDisconnectedError"), answer(504, "GW")],
    ids=["timeout", "cut", "504"],
)
async def test_a_reply_telegram_may_have_delivered_is_not_sent_twice(unknown) -> None:
    transport, clock = Flaky(unknown), SleepClock()
    with pytest.raises(NetworkError):
        await client(transport, clock).call("sendMessage", MESSAGE)
    assert len(transport.calls) == 1  # he may miss this reply; he never reads it twice


async def test_an_urgent_reply_telegram_may_have_delivered_is_sent_once_more() -> None:
    transport, clock = Flaky(TimedOut("Timed out")), SleepClock()
    await client(transport, clock).call("sendMessage", MESSAGE, urgent=True)
    assert len(transport.calls) == 2  # two copies of 112 beat none
    transport, clock = Flaky(TimedOut("Timed out"), TimedOut("Timed out")), SleepClock()
    with pytest.raises(TimedOut):
        await client(transport, clock).call("sendMessage", MESSAGE, urgent=True)
    assert len(transport.calls) == 2  # once more, not on and on


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("deleteMessages", {"chat_id": 5, "message_ids": [1, 2]}),
        ("answerCallbackQuery", {"callback_query_id": "q"}),
        ("setMyCommands", {"commands": []}),
    ],
)
async def test_calls_harmless_twice_are_sent_again_after_a_timeout(method, params) -> None:
    transport, clock = Flaky(TimedOut("Timed out"), NetworkError("reset")), SleepClock()
    await client(transport, clock).call(method, params)
    assert [m for m, _, _ in transport.calls] == [method] * 3


async def test_refusals_and_long_polls_are_not_sent_again() -> None:
    transport, clock = Flaky(answer(400, "Bad Request: message can't be deleted")), SleepClock()
    with pytest.raises(BadRequest):
        await client(transport, clock).call("deleteMessages", {"chat_id": 5, "message_ids": [1]})
    transport, clock = Flaky(answer(500, "Internal Server Error")), SleepClock()
    with pytest.raises(NetworkError):  # the poller has its own backoff
        await client(transport, clock).call("getUpdates", {"offset": 0, "timeout": 0})
    assert len(transport.calls) == 1 and clock.slept == []


class HeldClock(SleepClock):
    """A test clock that stands still until `run()`: everything queues first, then time moves."""

    def __init__(self) -> None:
        super().__init__()
        self.moving = asyncio.Event()

    def run(self) -> None:
        self.moving.set()

    async def sleep(self, seconds: float) -> None:
        await self.moving.wait()
        await super().sleep(seconds)


async def test_through_faults_replies_stay_in_order_and_danger_goes_first() -> None:
    """Telegram answers 429 (retry_after 5); while every send waits, four chats queue three
    replies each and a fifth chat's 112 is asked for. When the pause ends 112 goes first; the
    chats' sends then meet 500s, a 502 and a lost connection, and each chat's replies still
    arrive in the order they were sent, none lost, none twice."""
    fail = answer(500, "Internal Server Error")
    too_many = (429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 5}})
    per_text = {
        "first": [too_many],
        "1-a": [fail, fail],
        "2-b": [answer(503, "Service Unavailable")],
        "3-a": [Unsent("aiohttp.ClientConnectorError")],
        "4-b": [answer(502, "Bad Gateway")],
    }
    transport, clock = Flaky(per_text=per_text), HeldClock()
    api = client(transport, clock, overall_max_rate=1)

    async def chat(n: int) -> None:
        for label in "abc":
            await api.call("sendMessage", {"chat_id": n, "text": f"{n}-{label}"})

    waiting = [asyncio.create_task(api.call("sendMessage", {"chat_id": 99, "text": "first"}))]
    waiting += [asyncio.create_task(chat(n)) for n in (1, 2, 3, 4)]
    for _ in range(10):
        await asyncio.sleep(0)  # every send is queued behind the 429's pause
    assert len(api.queue) == 5
    danger = {"chat_id": 9, "text": "112"}
    waiting.append(asyncio.create_task(api.call("sendMessage", danger, urgent=True)))
    await asyncio.sleep(0)
    clock.run()
    await asyncio.gather(*waiting)
    delivered = [p["text"] for m, p, ok in transport.calls if ok]
    assert delivered[0] == "112"
    for n in (1, 2, 3, 4):
        assert [t for t in delivered if t.startswith(f"{n}-")] == [f"{n}-a", f"{n}-b", f"{n}-c"]
    assert sorted(delivered) == sorted(
        ["112", "first", *(f"{n}-{x}" for n in (1, 2, 3, 4) for x in "abc")]
    )


# ---- the real bot over HTTP, the fake Bot API injecting the faults ---------------------------

DANGER = "ik ben nu in gevaar"
STALL = 600.0  # seconds an injected stall holds its answer: far past the client's timeout


@pytest.fixture
async def bot(api: FakeBotApi, runtime: Runtime) -> AsyncIterator[TelegramBot]:
    store = await open_store("memory://", 3600)
    options = TelegramOptions(
        token=api.token, base_url=api.base_url, overall_max_rate=0, request_timeout=5.0
    )  # a call gives up after 10 s: an injected stall holds its answer far longer
    telegram = TelegramBot(options, runtime, store, partial(session_key, SECRET))
    await telegram.client.start()
    try:
        yield telegram
    finally:
        await telegram.client.stop()
        await store.close()


async def test_the_bot_through_every_kind_of_bot_api_fault(
    api: FakeBotApi, bot: TelegramBot, runtime: Runtime
) -> None:
    """Each chat meets one kind of fault on one reply; every chat then holds exactly the
    replies of a fault-free conversation, in order, except where the policy says otherwise
    (checked whole): a non-urgent reply lost in a cut or a timeout is not sent again, an
    urgent one delivered before a timeout is sent once more."""
    ids = iter(range(1, 10_000))
    plain = ["/start", "Nederland", "xq zzv", "xq zzv"]
    danger = ["/start", "Nederland", DANGER, "xq zzv"]

    def fault(name: str, chat_id: int) -> None:
        if name == "429":
            api.fail_next("sendMessage", 429, retry_after=1, times=2, chat_id=chat_id)
        elif name in ("500", "502", "503"):
            api.fail_next("sendMessage", int(name), times=2, chat_id=chat_id)
        elif name.startswith("reset"):
            api.reset_next("sendMessage", chat_id=chat_id, delivered=name.endswith("delivered"))
        else:
            delivered = name.endswith("delivered")
            api.stall_next("sendMessage", STALL, chat_id=chat_id, delivered=delivered)

    # (fault, script, which update meets it, how many replies that update loses or repeats)
    cases = {
        "429": (plain, 1, 0),
        "500": (plain, 2, 0),
        "502": (plain, 1, 0),
        "503": (plain, 2, 0),
        "reset": (plain, 2, -1),  # a cut after the request went out: not sent again, lost
        "reset-delivered": (plain, 2, 0),  # delivered, not heard of: not sent twice
        "stall-delivered": (plain, 2, 0),
        "reset-urgent": (danger, 2, 0),  # danger: sent once more, delivered once
        "stall-urgent-delivered": (danger, 2, +1),  # danger: two copies of 112
    }

    async def converse(n: int, name: str) -> None:
        script, at, _ = cases[name]
        chat_id = 760_000_000 + n
        for i, text in enumerate(script):
            update = {**updates.text_update(chat_id, text), "update_id": next(ids)}
            api.state.register(update)
            if i == at:
                fault(name, chat_id)
            await bot.handler(update)

    await asyncio.gather(*(converse(n, name) for n, name in enumerate(cases)))

    for n, (name, (script, at, change)) in enumerate(cases.items()):
        chat_id = 760_000_000 + n
        updates_for_reference = [updates.text_update(chat_id, text) for text in script]
        expected, _ = await fault_free(runtime, updates_for_reference)
        if change == -1:
            expected[at] = expected[at][1:]  # its first reply was cut off and not sent again
        elif change == +1:
            expected[at] = [expected[at][0], *expected[at]]  # the alarm notice twice
        sent = [call.params["text"] for call in api.calls("sendMessage", chat_id)]
        assert telegram_texts.TROUBLE.dutch not in sent, name
        assert sent == [text for replies in expected for text in replies], name
    assert {c.method for c in api.injected} == {"sendMessage"}
