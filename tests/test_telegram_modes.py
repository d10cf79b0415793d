"""Webhook mode (our own web server, Telegram's secret header) and `firstcontact run` as a process.

The process test is the real command: it starts from the environment, talks to the fake Bot
API over HTTP, is stopped with SIGTERM and must leave every session in the database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from functools import partial
from pathlib import Path

import httpx
import pytest

from bot import config
from bot.channels.telegram import TelegramBot, TelegramOptions, WebhookOptions
from bot.runtime import Runtime
from storage import SessionStore, load_or_create_secret, open_store, session_key
from tests.auxil import updates
from tests.auxil.e2e import SECRET, Chat, find_handoff, key, scenario_handoff, start_run_command
from tests.auxil.fakebotapi import SECRET_HEADER, FakeBotApi

WEBHOOK_SECRET = "e2e-Webhook_secret-123"
MAIN = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def store(tmp_path: Path):
    opened = await open_store(f"sqlite:///{tmp_path / 'sessions.sqlite'}", 3600)
    yield opened
    await opened.close()


async def test_webhook_mode(api: FakeBotApi, store: SessionStore, runtime: Runtime) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    options = TelegramOptions(token=api.token, base_url=api.base_url, request_timeout=5.0)
    bot = TelegramBot(options, runtime, store, partial(session_key, SECRET))
    await bot.start_webhook(
        WebhookOptions(
            url=url, secret=WEBHOOK_SECRET, listen="127.0.0.1", port=port, path="/telegram/hook"
        )
    )
    try:
        [hook] = api.calls("setWebhook")
        assert hook.params["url"] == url and hook.params["secret_token"] == WEBHOOK_SECRET

        # A whole conversation, delivered by the fake server as POSTs with the secret.
        await scenario_handoff(Chat(api, bot, 620_000_001), store, runtime, "NL")
        assert api.webhook_deliveries
        assert all(d.ok and d.secret_sent and d.status == 200 for d in api.webhook_deliveries)
        assert api.count("getUpdates") == 0
        # Every press was answered once, in the webhook's response, not by a call of its own.
        presses = [d for d in api.webhook_deliveries if "answerCallbackQuery" in d.body]
        assert presses and all(
            json.loads(d.body)["method"] == "answerCallbackQuery" for d in presses
        )
        assert api.count("answerCallbackQuery") == len(presses)

        # Anyone else gets 403 and their "update" is never handled.
        forged = updates.text_update(620_000_002, "/start")
        handled = bot.handler.handled
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: WEBHOOK_SECRET + "x"}):
                refused = await client.post("/telegram/hook", json=forged, headers=headers)
                assert refused.status_code == 403
            junk = await client.post(
                "/telegram/hook", content=b"{not json", headers={SECRET_HEADER: WEBHOOK_SECRET}
            )
            assert junk.status_code == 400
            assert (await client.get("/telegram/nothing-here")).status_code == 404
            health = await client.get("/healthz")
            assert health.status_code == 200
            body = health.json()
            assert body["status"] == "ok" and body["mode"] == "webhook"
            assert "620000001" not in health.text
        await asyncio.sleep(0.05)
        assert bot.handler.handled == handled
        assert api.count("sendMessage", 620_000_002) == 0
    finally:
        await bot.stop()
    assert api.calls_rejected == []


async def test_run_command_stops_on_sigterm_and_keeps_the_session(
    api: FakeBotApi, runtime: Runtime, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    database = tmp_path / "bot.sqlite"
    env = {
        **os.environ,
        config.TOKEN: api.token,
        config.API_URL: api.base_url,
        config.PORT: str(free_port()),  # the web chat it also serves
        config.DATA_DIR: str(data_dir),
        config.DATABASE_URL: f"sqlite:///{database}",
        config.LOG_LEVEL: "DEBUG",
    }
    env.pop(config.SECRET_KEY, None)
    route = find_handoff(runtime, "NL")
    chat_id = 620_000_101
    process = await start_run_command(env)
    try:
        api.push_command(chat_id, "start")  # queued until the process polls
        await api.wait_for_calls("sendMessage", 1, chat_id=chat_id, timeout=30)
        api.push_button(chat_id, route.labels[0])
        await api.wait_for_calls("sendMessage", 2, chat_id=chat_id, timeout=10)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 10)
        assert time.monotonic() - started < 10
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = (await process.stderr.read()).decode()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith("time=") and " level=" in line for line in lines)
    for secret in (str(chat_id), api.token, api.token.split(":")[1]):
        assert secret not in stderr

    # A new process would find the conversation where it was.
    secret = load_or_create_secret(data_dir, None)
    reopened = await open_store(f"sqlite:///{database}", 3600)
    try:
        saved = await reopened.load(session_key(secret, "telegram", chat_id))
        assert saved is not None and saved.session.region == route.region
        assert len(saved.message_ids) >= 3
    finally:
        await reopened.close()
    assert key(chat_id) != session_key(secret, "telegram", chat_id)  # a key file of its own


async def test_run_command_refuses_a_token_telegram_does_not_know(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        config.TOKEN: "987654321:" + "Z" * 35,
        config.API_URL: api.base_url,
        config.PORT: str(free_port()),  # the web chat it also serves
        config.DATA_DIR: str(tmp_path / "data"),
        config.DATABASE_URL: "memory://",
    }
    process = await start_run_command(env)
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    text = err.decode()
    assert "@BotFather" in text and "Traceback" not in text
    assert "Z" * 35 not in text
    # The one refusal is Telegram's answer to getMe; nothing else was tried.
    assert [(c.method, c.status) for c in api.calls_rejected] == [("getMe", 401)]
    api.calls_rejected.clear()
