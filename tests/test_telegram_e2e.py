"""End to end: the real PTB application, polling a strict fake Bot API, sessions in SQLite.

Nothing is stubbed between the fake server and the store: updates travel over HTTP, the one
handler runs the engine, replies go back over HTTP and are checked as Telegram would check
them (calls_rejected stays empty).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.telegram import Limits
from bot.engine.engine import SYSTEM
from bot.runtime import Runtime
from storage import SessionStore, open_store
from tests.auxil.e2e import (
    MAX_SENDS_PER_UPDATE,
    STARTUP_METHODS,
    Chat,
    find_handoff,
    first_line,
    handled,
    key,
    labels,
    running_bot,
    scenario_bad_input,
    scenario_group,
    scenario_handoff,
    scenario_stop,
    step_text,
    texts,
)
from tests.auxil.fakebotapi import FakeBotApi
from tests.auxil.updates import inline_buttons as api_buttons

# ---- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sessions.sqlite'}"


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[SessionStore]:
    opened = await open_store(db_url, 3600)
    yield opened
    await opened.close()


# ---- tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["NL", "BE-VLG"])
async def test_start_to_handoff_by_buttons(
    api: FakeBotApi, store: SessionStore, runtime: Runtime, region: str
) -> None:
    async with running_bot(api, store, runtime) as bot:
        await scenario_handoff(Chat(api, bot, 610_000_001), store, runtime, region)
        # Announced once at start-up per language (tests/test_telegram_languages.py); the
        # default menu, without a language_code, is the Dutch one.
        [commands] = [c for c in api.calls("setMyCommands") if "language_code" not in c.params]
        assert [c["command"] for c in commands.params["commands"]] == [
            "start",
            "stop",
            "help",
            "taal",
        ]
        languages = len(runtime.catalogs.locales)
        assert api.count("setMyDescription") == api.count("setMyShortDescription") == languages
    assert api.calls_rejected == []


async def test_stop_forgets_at_once_and_deletes_messages(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    async with running_bot(api, store, runtime) as bot:
        await scenario_stop(Chat(api, bot, 610_000_002), store, runtime)
        assert await store.count() == 0
        # Typed "stop" works the same way; /start afterwards begins cleanly.
        chat = Chat(api, bot, 610_000_003)
        await chat.command("start")
        await chat.text("stop")
        assert await store.count() == 0
        again = await chat.command("start")
        assert labels(again[-1]) and await store.count() == 1
    assert api.calls_rejected == []


async def test_groups_get_one_note_and_no_session(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    async with running_bot(api, store, runtime) as bot:
        await scenario_group(api, bot, store)
    assert api.calls_rejected == []


async def test_bad_input_gets_a_kind_reply(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    async with running_bot(api, store, runtime) as bot:
        await scenario_bad_input(Chat(api, bot, 610_000_004), store, runtime, "wat is dit")
    assert api.calls_rejected == []


async def test_restart_continues_the_conversation(
    api: FakeBotApi, db_url: str, runtime: Runtime
) -> None:
    route = find_handoff(runtime, "NL")
    chat_id = 610_000_005
    first_store = await open_store(db_url, 3600)
    async with running_bot(api, first_store, runtime) as bot:
        chat = Chat(api, bot, chat_id)
        await chat.command("start")
        await chat.press(route.labels[0])
    await first_store.close()

    second_store = await open_store(db_url, 3600)
    try:
        async with running_bot(api, second_store, runtime) as bot:
            chat = Chat(api, bot, chat_id)
            replies = await chat.press(route.labels[1])  # a button of the message sent before
            expired = first_line(runtime.engine.flows[SYSTEM].flow.steps["expired"].text)
            assert expired not in texts(replies)
            session = await second_store.get(key(chat_id))
            assert session is not None and session.region == route.region
            rest = route.labels[2:]
            for label in rest:
                replies = await chat.press(label)
            assert first_line(step_text(runtime, route.target)) in texts(replies)
            assert api.count("getUpdates") > 0
    finally:
        await second_store.close()
    assert api.calls_rejected == []


async def test_429_is_waited_out_and_the_reply_arrives(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    async with running_bot(api, store, runtime) as bot:
        api.fail_next("sendMessage", 429, retry_after=1)
        replies = await Chat(api, bot, 610_000_006).command("start")
        assert len(replies) == 1 and labels(replies[0])
        refused = [c for c in api.sent if c.method == "sendMessage" and c.status == 429]
        assert len(refused) == 1
    assert api.calls_rejected == []


async def test_each_chat_in_order_and_chats_concurrently(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    """Typed choice numbers, pushed without waiting: only in-order handling ends right."""
    route = find_handoff(runtime, "NL")
    chats = [610_000_100 + i for i in range(4)]
    api.delay("sendMessage", 0.01)  # widen the window in which reordering could happen
    async with running_bot(api, store, runtime, limits=Limits(flood_burst=50)) as bot:
        pushes = 0
        for chat_id in chats:
            api.push_command(chat_id, "start")
            pushes += 1
        for index in route.indices:
            for chat_id in chats:
                api.push_text(chat_id, str(index + 1))
                pushes += 1
        await handled(bot, pushes)
        for chat_id in chats:
            session = await store.get(key(chat_id))
            assert session is not None and session.at == route.target
            assert api.count("sendMessage", chat_id) == len(route.indices) + 1
        assert len(bot.handler.turn.locks) == 0  # the lock map cleaned itself up
    assert api.calls_rejected == []


async def test_a_flood_from_one_chat_is_throttled_without_hurting_others(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    limits = Limits(flood_burst=3, flood_rate=0.2)
    async with running_bot(api, store, runtime, limits=limits) as bot:
        for _ in range(10):
            api.push_text(610_000_200, "hallo?")
        api.push_command(610_000_201, "start")
        await handled(bot, 11)
        flood = [c.params["text"] for c in api.calls("sendMessage", 610_000_200)]
        assert len(flood) == 3 + 1  # the burst, then one gentle note
        assert sum("rustig aan" in t for t in flood) == 1
        assert api.count("sendMessage", 610_000_201) == 1
    assert api.calls_rejected == []


async def test_danger_typed_in_a_flood_still_gets_112_once(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    """Rule 4: 112 whatever the load. A flooding chat's alarm passes the gate, once."""
    chat_id = 610_000_205
    limits = Limits(flood_burst=3, flood_rate=0.2)
    async with running_bot(api, store, runtime, limits=limits) as bot:
        for _ in range(6):
            api.push_text(chat_id, "hallo?")
        api.push_text(chat_id, "ze staat nu voor de deur met een mes")
        api.push_text(chat_id, "ze staat nu voor de deur met een mes")  # not a second time
        await handled(bot, 8)
        texts = [c.params["text"] for c in api.calls("sendMessage", chat_id)]
        assert sum("rustig aan" in t for t in texts) == 1
        alarms = [t for t in texts if t.startswith("Ben je nu in gevaar?")]
        # the notice, then the question he was at again: nothing after them
        assert len(alarms) == 1 and texts.index(alarms[0]) == len(texts) - 2
    assert api.calls_rejected == []


async def test_every_press_is_answered_even_when_dropped_and_before_stopping(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    """Button answers run beside the conversation; a flood or a stop must not lose one."""
    chat_id = 610_000_210
    limits = Limits(flood_burst=3, flood_rate=0.2)
    api.delay("answerCallbackQuery", 0.2)  # still in flight when the bot is told to stop
    async with running_bot(api, store, runtime, limits=limits) as bot:
        await Chat(api, bot, chat_id).command("start")
        message = api.last_message(chat_id)
        assert message is not None
        data = next(b["callback_data"] for b in api_buttons(message) if "callback_data" in b)
        for _ in range(10):
            api.push_callback(chat_id, message["message_id"], data)
        await handled(bot, 11)
        assert api.count("answerCallbackQuery") < 10  # held by the server: not answered yet
    assert api.count("answerCallbackQuery") == 10  # stop() waited for every one
    assert api.count("sendMessage", chat_id) <= 1 + 2 + 1  # greeting, burst left, one note
    assert api.calls_rejected == []


async def test_the_bot_never_speaks_first(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    """Idle: only polling. Busy: every message follows an update of its chat, a few at most."""
    async with running_bot(api, store, runtime) as bot:
        await asyncio.sleep(1.5)  # the point: a quiet while in which nothing may be sent
        assert {c.method for c in api.sent} <= STARTUP_METHODS
        assert api.count("getUpdates") >= 1
        await scenario_handoff(Chat(api, bot, 610_000_301), store, runtime, "NL")
        await scenario_bad_input(Chat(api, bot, 610_000_302), store, runtime, "hoi")
        await scenario_stop(Chat(api, bot, 610_000_303), store, runtime)
        await scenario_group(api, bot, store)
        settled = len(api.sent)
        await asyncio.sleep(1.0)
        assert {c.method for c in api.sent[settled:]} <= {"getUpdates"}
    delivered: dict[int, int] = {}
    sends: dict[int, int] = {}
    for call in api.sent:
        if call.method == "getUpdates" and call.ok:
            for update in call.result:
                body = next(v for k, v in update.items() if k != "update_id")
                chat = (body.get("message") or body)["chat"]["id"]
                delivered[chat] = delivered.get(chat, 0) + 1
        elif call.method.startswith(("send", "edit", "copy", "forward")):
            chat = call.params["chat_id"]
            sends[chat] = sends.get(chat, 0) + 1
            assert delivered.get(chat, 0) >= 1, f"{call.method} before any update of its chat"
            assert sends[chat] <= MAX_SENDS_PER_UPDATE * delivered[chat]
    assert sends and all(sends.values())


async def test_a_press_after_the_session_is_gone_starts_over_kindly(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    """An expired (here: purged) session: "this chat had expired" and the greeting, in order."""
    route = find_handoff(runtime, "NL")
    async with running_bot(api, store, runtime) as bot:
        chat = Chat(api, bot, 610_000_400)
        await chat.command("start")
        await store.delete(key(chat.chat_id))
        replies = await chat.press(route.labels[0])
        system = runtime.engine.flows[SYSTEM].flow.steps
        start = runtime.engine.flows["main"].flow.start
        assert len(replies) == 2
        assert first_line(system["expired"].text) in replies[0]["text"]
        assert "reply_markup" not in replies[0]  # buttons only under the last message
        assert first_line(step_text(runtime, f"main:{start}")) in replies[1]["text"]
        session = await store.get(key(chat.chat_id))
        assert session is not None and session.step == start
    assert api.calls_rejected == []


async def test_a_man_who_blocked_the_bot_is_left_alone(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    async with running_bot(api, store, runtime) as bot:
        chat = Chat(api, bot, 610_000_500)
        await chat.command("start")
        api.block(chat.chat_id)
        attempts = len([c for c in api.sent if c.method == "sendMessage"])
        await chat.text("menu")
        tried = [c for c in api.sent if c.method == "sendMessage"][attempts:]
        assert [c.status for c in tried] == [403]  # one try, no apology sent after it
        assert await store.get(key(chat.chat_id)) is not None
    # Telegram's 403 for the blocked chat is the only refusal.
    assert [(c.method, c.status) for c in api.calls_rejected] == [("sendMessage", 403)]
    api.calls_rejected.clear()


async def test_failing_start_up_calls_are_not_fatal(
    api: FakeBotApi, store: SessionStore, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_next(
        "setMyCommands", 500, times=4
    )  # sent again three times (max_retries), then given up
    api.fail_next("setMyDescription", 400)
    async with running_bot(api, store, runtime) as bot:
        replies = await Chat(api, bot, 610_000_600).command("start")
        assert len(replies) == 1 and labels(replies[0])
    assert api.count("setMyShortDescription") == len(runtime.catalogs.locales)
    failed = [r.getMessage() for r in caplog.records if "start-up call failed" in r.getMessage()]
    assert len(failed) == 2 and "call=setMyCommands language=default" in failed[0]
    assert [c.method for c in api.injected].count("setMyCommands") == 4


async def test_one_client_makes_every_bot_api_call(
    api: FakeBotApi, store: SessionStore, runtime: Runtime
) -> None:
    """Start-up, polling, replies, press answers and deletes: all through BotApi, counted."""
    async with running_bot(api, store, runtime) as bot:
        chat = Chat(api, bot, 610_000_050)
        await chat.command("start")
        await chat.callback("i|emergency|")
        await chat.text("stop")
    methods = {call.method for call in api.sent}
    assert methods >= {"getMe", "setMyCommands", "deleteWebhook", "getUpdates", "sendMessage"}
    assert methods >= {"answerCallbackQuery", "deleteMessages"}
    assert bot.client.calls == len(api.sent)  # nothing reached the server another way
