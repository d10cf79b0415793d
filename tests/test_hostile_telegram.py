"""Property: no update JSON, however malformed, crashes the Telegram adapter, and no request
body gets a webhook worker to answer 500; every reply it does send is one Telegram accepts.

Hypothesis starts from real updates (text, commands, stickers, photos, contacts, locations,
voice, edits, button presses, groups) and breaks them: any field replaced by any JSON value,
removed, or joined by unknown ones; huge and odd text; forged button data.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram import TelegramBot, TelegramOptions, WebhookOptions
from bot.runtime import Runtime
from storage import MemoryStore, session_key
from tests.auxil import updates
from tests.auxil.fakebotapi import SECRET_HEADER, FakeBotApi
from tests.auxil.hostile import BODIES, corrupt

SECRET = b"hostile-telegram-secret-" + b"0123456789" * 4
WEBHOOK_SECRET = "hostile-Webhook_secret"
# The fake Bot API knows these; many, so Telegram's per-chat pace (which the fake enforces with
# 429s the bot then waits out) seldom slows the test.
KNOWN_CHATS = tuple(range(710_000_001, 710_000_080))
# What Telegram itself answers to replies for chats or presses it does not know: expected here.
EXPECTED_REFUSALS = ("chat not found", "query ID is invalid")

TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["/start", "/stop", "/help", "/taal fr", "/start@bot x", "stop", "112"]),
    # Over Telegram's 4096: one drawn piece repeated (drawing 5000 characters is slow).
    st.builds(
        lambda piece, n: (piece * n)[:n], st.text(min_size=1, max_size=8), st.integers(4090, 5000)
    ),
)


def templates(chat_id: int) -> st.SearchStrategy[dict[str, Any]]:
    private = st.builds(updates.text_update, st.just(chat_id), TEXTS)
    message = updates.text_update(chat_id, "hallo")["message"]
    return st.one_of(
        private,
        st.builds(updates.group_text_update, st.just(-abs(chat_id)), TEXTS),
        st.builds(updates.sticker_update, st.just(chat_id)),
        st.builds(updates.photo_update, st.just(chat_id), st.one_of(st.none(), TEXTS)),
        st.builds(updates.voice_update, st.just(chat_id)),
        st.builds(updates.location_update, st.just(chat_id)),
        st.builds(updates.contact_update, st.just(chat_id)),
        st.builds(updates.edited_text_update, st.just(message), TEXTS),
        st.builds(updates.callback_update, st.just(message), st.text(max_size=80)),
    )


@pytest.fixture
def sessions() -> MemoryStore:
    return MemoryStore(3600)


@pytest.fixture
async def worker(
    runtime: Runtime, sessions: MemoryStore
) -> AsyncIterator[tuple[FakeBotApi, TelegramBot, int]]:
    """A webhook worker on 127.0.0.1 against a fake Bot API that knows a few chats."""
    async with FakeBotApi() as api:
        for chat_id in KNOWN_CHATS:
            api.state.register(updates.text_update(chat_id, "hallo"))
        options = TelegramOptions(
            token=api.token, base_url=api.base_url, request_timeout=5.0, overall_max_rate=0
        )
        bot = TelegramBot(options, runtime, sessions, partial(session_key, SECRET))
        port = await bot.start_webhook(
            WebhookOptions(url="http://127.0.0.1:1/telegram", secret=WEBHOOK_SECRET, port=0)
        )
        try:
            yield api, bot, port
        finally:
            await bot.stop()
        unexpected = [
            (c.method, c.reason)
            for c in api.calls_rejected
            if not any(expected in c.reason for expected in EXPECTED_REFUSALS)
        ]
        assert unexpected == []  # every reply to hostile input was one Telegram accepts


HYPOTHESIS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(data=st.data())
async def test_no_update_crashes_the_adapter(worker, caplog, data) -> None:
    _, bot, _ = worker
    # Negative ids are groups, which Telegram paces at 20 messages a minute: the bot waits
    # that out, correctly, so random ones stay positive to keep this test quick.
    chat_id = data.draw(st.one_of(st.sampled_from(KNOWN_CHATS), st.integers(1, 2**63)))
    update = corrupt(data.draw(templates(chat_id), label="update"), data)
    update.setdefault("update_id", data.draw(st.integers(1, 2**31)))
    with caplog.at_level(logging.ERROR, logger="bot"):
        await bot.handler(update)  # raises nothing, whatever the update
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@HYPOTHESIS
@given(body=BODIES)
async def test_no_webhook_body_gets_a_500(worker, body: bytes) -> None:
    _, _, port = worker
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        answer = await client.post(
            "/telegram", content=body, headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
    assert answer.status_code in (200, 400), answer.status_code


async def test_the_worker_still_answers_afterwards(worker) -> None:
    api, bot, _ = worker
    for junk in ({}, {"update_id": "x"}, {"update_id": 1, "message": None}, {"message": []}):
        await bot.handler(junk)
    await bot.handler(updates.command_update(KNOWN_CHATS[0], "start"))
    await api.wait_for_calls("sendMessage", 1, chat_id=KNOWN_CHATS[0], timeout=10)


@pytest.mark.parametrize("odd", [True, False, 2**70, -1, 0, 1.0, "7", None])
async def test_an_odd_message_id_is_ignored_not_stored(worker, sessions, caplog, odd) -> None:
    """Found by the property above: `true` as a message id reached the store, which refused the
    whole session, so the man lost his place and got an apology instead of an answer."""
    api, bot, _ = worker
    chat_id = KNOWN_CHATS[1]
    update = {**updates.text_update(chat_id, "hallo"), "update_id": 1}
    update["message"]["message_id"] = odd
    with caplog.at_level(logging.ERROR, logger="bot"):
        await bot.handler(update)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    saved = await sessions.load(session_key(SECRET, "telegram", chat_id))
    assert saved is not None and all(type(i) is int and i > 0 for i in saved.message_ids)
    assert api.count("sendMessage", chat_id) >= 1
