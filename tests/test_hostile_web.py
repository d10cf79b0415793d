"""Property: no request body sent to the web chat's API, however malformed, gets a 500 or
breaks the chat; the same man's next good message is still answered.

Bodies are valid commands damaged anywhere (hostile.corrupt), any JSON, nesting deeper than a
parser's recursion limit, and bytes that are not JSON or not UTF-8, under every content type.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.web import WebChat
from bot.runtime import Runtime
from tests.auxil.hostile import BODIES, corrupt
from tests.auxil.webchat import Client, client, generous, web_chat

COMMANDS = st.sampled_from(
    [
        {"type": "send_msg", "id": "c1", "ack": 0, "text": "hallo"},
        {"type": "press", "id": "c2", "ack": 0, "data": "x"},
        {"type": "start_chat", "locale": "nl", "ack": None},
        {"type": "send_msg", "id": "c3", "ack": 2**60, "text": "stop"},
    ]
)
CONTENT_TYPES = st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
)
HYPOTHESIS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def chatting(runtime: Runtime) -> AsyncIterator[tuple[WebChat, Client]]:
    """A running web chat and one browser that has started talking to it."""
    async with web_chat(runtime, limits=generous()) as chat, client(chat) as browser:
        await browser.start()
        yield chat, browser
        # The same browser, after every hostile request: its next message is still answered.
        assert await browser.say("hallo")


async def post(browser: Client, path: str, body: bytes, content_type: str) -> int:
    headers = {"X-CSRF-Token": browser.csrf}
    if content_type:
        headers["Content-Type"] = content_type
    async with browser.http.post(f"{browser.base}{path}", data=body, headers=headers) as answer:
        await answer.read()
        return answer.status


@HYPOTHESIS
@given(data=st.data())
async def test_no_damaged_command_gets_a_500(chatting, caplog, data) -> None:
    _, browser = chatting
    command = corrupt(dict(data.draw(COMMANDS)), data)
    body = data.draw(st.one_of(st.just(json.dumps(command).encode()), BODIES))
    with caplog.at_level(logging.ERROR):
        for path in ("/api/chat", "/api/exit"):
            status = await post(browser, path, body, data.draw(CONTENT_TYPES))
            assert status < 500, (path, status, body[:80])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
