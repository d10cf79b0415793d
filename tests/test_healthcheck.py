"""The container's HEALTHCHECK (`python -m bot.healthcheck`) against a real webhook worker."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from functools import partial

from bot import config
from bot.channels.telegram import TelegramBot, TelegramOptions, WebhookOptions
from bot.config import Settings
from bot.healthcheck import healthz_url, is_healthy
from bot.runtime import Runtime
from storage import MemoryStore, session_key
from tests.auxil.e2e import SECRET
from tests.auxil.fakebotapi import FakeBotApi


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check(port: int) -> subprocess.CompletedProcess[str]:
    """The HEALTHCHECK command as Docker runs it, with the worker's own settings."""
    env = {config.PORT: str(port), config.LISTEN: "0.0.0.0", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "bot.healthcheck"], env=env, capture_output=True, text=True
    )


def test_the_url_is_the_workers_own() -> None:
    assert healthz_url(Settings(listen="0.0.0.0", port=8080)) == "http://127.0.0.1:8080/healthz"
    assert healthz_url(Settings(listen="10.1.2.3", port=9000)) == "http://10.1.2.3:9000/healthz"
    assert healthz_url(Settings(listen="::1", port=81)) == "http://[::1]:81/healthz"


async def test_healthy_while_serving_and_not_once_stopped(
    api: FakeBotApi, runtime: Runtime
) -> None:
    port = free_port()
    options = TelegramOptions(token=api.token, base_url=api.base_url, request_timeout=5.0)
    bot = TelegramBot(options, runtime, MemoryStore(3600), partial(session_key, SECRET))
    await bot.start_webhook(
        WebhookOptions(url=f"http://127.0.0.1:{port}/telegram", secret="s3cret", port=port)
    )
    try:
        result = await asyncio.to_thread(check, port)
        assert (result.returncode, result.stdout.strip()) == (0, "healthy"), result.stderr
    finally:
        await bot.stop()
    result = await asyncio.to_thread(check, port)
    assert result.returncode == 1 and result.stdout.startswith("unhealthy"), result.stdout
    assert "Traceback" not in result.stderr


def test_a_wrong_setting_is_unhealthy_without_a_traceback() -> None:
    env = {config.PORT: "not-a-port", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.healthcheck"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1 and "setting" in result.stdout and not result.stderr


def test_silence_is_not_health() -> None:
    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/healthz"
        assert is_healthy(url, timeout=0.3) is False
