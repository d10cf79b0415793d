"""The webhook refuses strangers and giants from the headers alone, before reading a body,
and says nothing about who asked in any log line."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from functools import partial

import pytest

from bot.channels.telegram import TelegramBot, TelegramOptions, WebhookOptions
from bot.channels.telegram.webhook import MAX_BODY
from bot.runtime import Runtime
from storage import MemoryStore, session_key
from tests.auxil import updates
from tests.auxil.fakebotapi import SECRET_HEADER, FakeBotApi

SECRET = b"webhook-limits-secret-" + b"0123456789" * 4
HOOK_SECRET = "limits-Webhook_secret"
ANSWER_WITHIN = 5.0  # seconds; far less than a client would need to send the body


@pytest.fixture
async def worker(api: FakeBotApi, runtime: Runtime) -> AsyncIterator[tuple[TelegramBot, int]]:
    options = TelegramOptions(token=api.token, base_url=api.base_url, request_timeout=5.0)
    bot = TelegramBot(options, runtime, MemoryStore(3600), partial(session_key, SECRET))
    port = await bot.start_webhook(
        WebhookOptions(url="http://127.0.0.1:1/telegram", secret=HOOK_SECRET, port=0)
    )
    try:
        yield bot, port
    finally:
        await bot.stop()


async def headers_only(port: int, headers: dict[str, str]) -> bytes:
    """Send a POST's headers and no body; return what the server says before we send more."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        "POST /telegram HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(4096), ANSWER_WITHIN)
    finally:
        writer.close()


async def test_a_giant_is_refused_from_its_headers(worker, caplog) -> None:
    bot, port = worker
    caplog.set_level(logging.DEBUG)
    answer = await headers_only(
        port,
        {SECRET_HEADER: HOOK_SECRET, "Content-Length": str(MAX_BODY + 1), "X-Any": "json"},
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    answer = await headers_only(port, {SECRET_HEADER: HOOK_SECRET, "Content-Length": str(1 << 40)})
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert bot.handler.handled == 0
    assert not [r for r in caplog.records if "127.0.0.1" in r.getMessage()]


async def test_a_stranger_is_refused_before_the_body(worker, caplog) -> None:
    bot, port = worker
    caplog.set_level(logging.DEBUG)
    for secret in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: HOOK_SECRET + "x"}):
        answer = await headers_only(port, {**secret, "Content-Length": "50000"})
        assert answer.startswith(b"HTTP/1.1 403"), answer[:80]
    assert bot.handler.handled == 0
    assert not [r for r in caplog.records if "127.0.0.1" in r.getMessage()]


async def test_a_chunked_body_that_keeps_coming_is_cut_off(worker) -> None:
    bot, port = worker
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"POST /telegram HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {HOOK_SECRET}\r\n"
    writer.write((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
    chunk = b"x" * 65536
    sent = 0
    try:
        while sent < 8 * MAX_BODY:
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            sent += len(chunk)
    except ConnectionError:
        pass  # the server closed the connection on us: refused
    try:
        answer = await asyncio.wait_for(reader.read(4096), ANSWER_WITHIN)
    except ConnectionError:
        answer = b""  # reset: refused without an answer
    writer.close()
    assert answer == b"" or answer.startswith((b"HTTP/1.1 413", b"HTTP/1.1 400")), answer[:80]
    assert bot.handler.handled == 0


async def test_a_right_sized_update_with_the_secret_is_taken(worker, api: FakeBotApi) -> None:
    _, port = worker
    update = {**updates.command_update(720_000_001, "start"), "update_id": 1}
    api.state.register(update)
    body = json.dumps(update).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /telegram HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {HOOK_SECRET}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    answer = await asyncio.wait_for(reader.read(4096), ANSWER_WITHIN)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]
    await api.wait_for_calls("sendMessage", 1, chat_id=720_000_001, timeout=10)
