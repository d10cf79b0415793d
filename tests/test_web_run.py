"""`firstcontact run` as an operator starts it: the web chat with no token, and beside Telegram.

Each test runs the command as its own process on a free port of 127.0.0.1, talks to it over
HTTP, then stops it with SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from bot import config
from tests.auxil.e2e import start_run_command
from tests.auxil.fakebotapi import FakeBotApi
from tests.auxil.webchat import Client, messages

MAIN = Path(__file__).resolve().parents[1]
WEBHOOK_SECRET = "web-run-Webhook_secret-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(config.PREFIX)}
    env.update(
        {
            config.PORT: str(port),
            config.DATA_DIR: str(tmp_path / "data"),
            config.DATABASE_URL: f"sqlite:///{tmp_path / 'sessions.sqlite'}",
            **extra,
        }
    )
    return env


@asynccontextmanager
async def running(env: dict[str, str], *args: str) -> AsyncIterator[tuple[str, list[str]]]:
    """The command, started; yields the line it printed and a list its stderr ends up in."""
    process = await start_run_command(env, *args)
    stderr: list[str] = []
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        yield line, stderr
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        assert process.stderr is not None
        stderr.extend((await process.stderr.read()).decode().splitlines())


async def test_run_without_a_token_serves_the_web_chat(tmp_path: Path) -> None:
    port = free_port()
    async with running(environment(tmp_path, port)) as (line, stderr):
        url = f"http://127.0.0.1:{port}/"
        assert line.strip() == f"The web chat is open at {url} (Ctrl-C stops it)."
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{url}healthz") as r:
                assert (await r.json())["telegram"] == "off"
            async with http.get(url) as r:
                assert r.status == 200 and "Content-Security-Policy" in r.headers
            chat = Client(url.rstrip("/"), http)
            await chat.start()
            await chat.press("Nederland")
            danger = messages(await chat.say("hij wil me vermoorden"))
            assert danger[0]["urgent"] and danger[0]["cards"][0]["tel"] == "tel:112"
    assert not any("Traceback" in line for line in stderr)
    assert any("telegram is off" in line for line in stderr), stderr


async def test_run_with_a_token_serves_telegram_beside_the_web_chat_on_one_port(
    api: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    env = environment(
        tmp_path,
        port,
        **{
            config.TOKEN: api.token,
            config.API_URL: api.base_url,
            config.WEBHOOK_SECRET: WEBHOOK_SECRET,
        },
    )
    async with running(env, "--webhook", "--webhook-url", hook) as (line, _):
        assert f"http://127.0.0.1:{port}/" in line
        await api.wait_for_calls("setWebhook", 1, timeout=30)
        chat_id = 630_000_001
        api.push_command(chat_id, "start")
        await api.wait_for_calls("sendMessage", 1, chat_id=chat_id, timeout=30)
        assert api.webhook_deliveries and all(d.ok for d in api.webhook_deliveries)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert (await r.json())["telegram"] == "webhook"
            async with http.post(hook, json={"update_id": 1}) as r:
                assert r.status == 403  # no secret header: not Telegram
            async with http.get(f"http://127.0.0.1:{port}/") as r:
                assert r.status == 200
