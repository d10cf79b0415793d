"""Danger first under Telegram's send cap: the real bot against the fake Bot API, overloaded.

300 men press /start within two seconds, ten times what 30 messages a second can answer at
once. Three seconds in, with well over a hundred replies still waiting for the cap, two of them
type "ik ben nu in gevaar": one whose greeting arrived, one whose greeting is still queued (his
replies must stay in order, so it has to go first too). A few others press a button. "First"
is counted in sends (most of the waiting replies go out after the 112 notice; every press is
acknowledged before its reply), not in seconds, so a busy machine cannot fail it; the seconds
are benchmarks/' to measure. Nothing here sleeps to prove a point. The test lasts as long as
300 replies take at 30 a second (about ten seconds): that is the cap, not slack.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import pytest

from bot import config
from bot.channels.telegram import Limits, TelegramBot, TelegramOptions
from bot.config import Settings
from bot.config_rules import DEFAULT_MAX_RATE
from bot.runtime import Runtime
from storage import SessionStore, open_store, session_key
from tests.auxil.e2e import SECRET, first_line, step_text
from tests.auxil.fakebotapi import Call, FakeBotApi
from tests.auxil.updates import inline_buttons

CHATS = 300
BURST_SECONDS = 2.0
DANGER_AT = 3.0  # seconds after the first /start
PRESS_AT = 2.5
PRESSERS = 5
DANGER = "ik ben nu in gevaar"
FIRST_CHAT = 640_000_000


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SessionStore]:
    opened = await open_store(f"sqlite:///{tmp_path / 'sessions.sqlite'}", 3600)
    yield opened
    await opened.close()


@asynccontextmanager
async def bot_from_env(
    api: FakeBotApi, store: SessionStore, runtime: Runtime, env: dict[str, str]
) -> AsyncIterator[TelegramBot]:
    """The production bot, its options read from the environment as `firstcontact run` does."""
    settings = Settings.from_env(
        {config.TOKEN: api.token, config.API_URL: api.base_url, **env}, require_token=True
    )
    options = TelegramOptions.from_settings(
        settings, poll_timeout=1, request_timeout=5.0, limits=Limits(flood_burst=100)
    )
    bot = TelegramBot(options, runtime, store, partial(session_key, SECRET))
    await bot.start_polling()
    try:
        yield bot
    finally:
        await bot.stop()


async def at(start: float, seconds: float) -> None:
    """Pace the load: wait until `seconds` after `start` (the load's clock, not an assertion)."""
    await asyncio.sleep(max(0.0, start + seconds - time.monotonic()))


async def start_burst(api: FakeBotApi, chats: list[int], start: float) -> None:
    for i, chat_id in enumerate(chats):
        await at(start, BURST_SECONDS * i / len(chats))
        api.push_command(chat_id, "start")


def is_112(call: Call) -> bool:
    return "112" in call.params["text"]


def cap_kept(times: list[float], rate: float, burst: float) -> bool:
    """No stretch of sends went faster than the cap allows: at most burst + rate × its length.

    Seen at the server, so a few messages of slack for HTTP latency that varies per call; the
    send queue's own tests check the pace exactly.
    """
    times = sorted(times)
    return all(
        j - i + 1 <= burst + rate * (times[j] - times[i]) + 3
        for i in range(len(times))
        for j in range(i + 1, len(times))
    )


async def test_danger_and_presses_jump_a_backlog_and_every_reply_arrives_in_order(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    chats = [FIRST_CHAT + i for i in range(CHATS)]
    pressers = chats[:PRESSERS]  # the first to start: their greeting is there to press on
    answered = chats[10]  # greeting arrived long before he types
    queued = chats[-1]  # started last: his greeting is still far back in the queue
    greeting = first_line(step_text(runtime, "main:" + runtime.engine.flows["main"].flow.start))
    async with bot_from_env(api, store, runtime, {}) as bot:
        assert bot.client.overall.rate == DEFAULT_MAX_RATE
        start = time.monotonic()
        burst = asyncio.create_task(start_burst(api, chats, start))

        await at(start, PRESS_AT)
        presses: dict[str, float] = {}
        for chat_id in pressers:
            await api.wait_for_calls("sendMessage", 1, chat_id=chat_id)
            message = api.last_message(chat_id)
            assert message is not None
            data = next(b["callback_data"] for b in inline_buttons(message) if "callback_data" in b)
            offered = time.monotonic()
            update = api.push_callback(chat_id, message["message_id"], data)
            presses[update["callback_query"]["id"]] = offered

        await at(start, DANGER_AT)
        assert api.count("sendMessage", answered) == 1 and api.count("sendMessage", queued) == 0
        offered_danger = {}
        for chat_id in (answered, queued):
            offered_danger[chat_id] = time.monotonic()
            api.push_text(chat_id, DANGER)
        waiting = CHATS - sum(1 for c in api.calls("sendMessage") if c.at < offered_danger[queued])
        assert waiting >= 100, f"only {waiting} replies were waiting: no real backlog"

        await burst
        # a typed alarm is answered with the notice, then the question he was at again
        total = CHATS + PRESSERS + 2 * 2
        await api.wait_for_calls("sendMessage", total, timeout=30)

    # 112 jumps the backlog: most replies that were waiting when he typed it go out after it.
    # (Counted in sends, not seconds, so a slow or busy machine does not change the verdict;
    # benchmarks/ measures the seconds.)
    for chat_id in offered_danger:
        notice = next(c for c in api.calls("sendMessage", chat_id) if is_112(c))
        after = sum(
            1
            for c in api.calls("sendMessage")
            if c.at > notice.at and c.params["chat_id"] not in offered_danger
        )
        assert after >= waiting // 2, (chat_id, after, waiting)
    # Every press acknowledged before its reply, which waits its turn behind the backlog.
    acks = {c.params["callback_query_id"]: c.at for c in api.calls("answerCallbackQuery")}
    assert set(acks) == set(presses)
    for update_chat, query in zip(pressers, presses, strict=True):
        reply = api.calls("sendMessage", update_chat)[1]
        assert acks[query] < reply.at, (update_chat, acks[query], reply.at)
    # Nothing lost, nothing doubled, each chat's replies in order.
    for chat_id in chats:
        texts = [c.params["text"] for c in api.calls("sendMessage", chat_id)]
        assert greeting in texts[0], chat_id
        if chat_id in offered_danger:
            assert len(texts) == 3 and "112" in texts[1] and greeting in texts[2], chat_id
        elif chat_id in pressers:
            assert len(texts) == 2 and greeting not in texts[1], chat_id
        else:
            assert len(texts) == 1, chat_id
    assert api.count("sendMessage") == total
    # Going first never broke the cap.
    sends = [c.at for c in api.calls("sendMessage")]
    assert cap_kept(sends, DEFAULT_MAX_RATE, DEFAULT_MAX_RATE)


async def test_max_rate_0_lifts_the_cap(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    """With FIRSTCONTACT_TELEGRAM_MAX_RATE=0, 300 replies need no 10 s (they would at 30/s)."""
    async with bot_from_env(api, store, runtime, {config.MAX_RATE: "0"}) as bot:
        assert bot.client.overall.rate == 0
        start = time.monotonic()
        for i in range(CHATS):
            api.push_command(FIRST_CHAT + i, "start")
        await api.wait_for_calls("sendMessage", CHATS, timeout=30)
        seconds = max(c.at for c in api.calls("sendMessage")) - start
    capped = (CHATS - DEFAULT_MAX_RATE) / DEFAULT_MAX_RATE  # 9 s at the default
    assert seconds < capped / 2, seconds
