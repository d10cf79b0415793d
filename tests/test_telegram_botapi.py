"""The reply client: Telegram's answers mapped to PTB's errors, 429 waits, pacing."""

from __future__ import annotations

import json

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
)

from bot.channels.pacing import TokenBucket
from bot.channels.telegram.botapi import BotApi, StillRateLimited
from bot.channels.telegram.transport import HttpTransport
from tests.auxil.clock import SleepClock


class Scripted:
    """A transport that records each call and answers from a script (then plain success)."""

    def __init__(self, *answers: tuple[int, dict]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict]] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send(self, method: str, body: bytes) -> tuple[int, bytes]:
        self.calls.append((method, json.loads(body)))
        status, data = self.answers.pop(0) if self.answers else (200, {"ok": True, "result": 7})
        return status, json.dumps(data).encode()


def sender_for(transport: Scripted, clock: SleepClock, **options) -> BotApi:
    return BotApi(transport, sleep=clock.sleep, clock=clock, **options)


async def test_result_is_returned_and_the_body_is_compact_utf8_json():
    transport, clock = Scripted((200, {"ok": True, "result": {"message_id": 42}})), SleepClock()
    sender = sender_for(transport, clock)
    result = await sender.call("sendMessage", {"chat_id": 5, "text": "Wat nu — één stap"})
    assert result == {"message_id": 42}
    assert transport.calls == [("sendMessage", {"chat_id": 5, "text": "Wat nu — één stap"})]
    assert sender.calls == 1 and clock.slept == []


@pytest.mark.parametrize(
    ("status", "data", "error"),
    [
        (
            403,
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"},
            Forbidden,
        ),
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: x"}, BadRequest),
        (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, InvalidToken),
        (404, {"ok": False, "error_code": 404, "description": "Not Found"}, InvalidToken),
        (504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}, NetworkError),
        (
            400,
            {"ok": False, "description": "migrated", "parameters": {"migrate_to_chat_id": -100}},
            ChatMigrated,
        ),
    ],
)
async def test_telegram_errors_become_the_exceptions_ptb_would_raise(status, data, error):
    sender = sender_for(Scripted((status, data)), SleepClock())
    with pytest.raises(error):
        await sender.call("sendMessage", {"chat_id": 5, "text": "x"})


async def test_an_answer_that_is_not_json_is_a_network_error():
    class Garbage(Scripted):
        async def send(self, method: str, body: bytes) -> tuple[int, bytes]:
            return 502, b"<html>Bad Gateway</html>"

    with pytest.raises(NetworkError):
        await sender_for(Garbage(), SleepClock()).call("sendMessage", {"chat_id": 5, "text": "x"})


def too_many(seconds: int) -> tuple[int, dict]:
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {seconds}",
        "parameters": {"retry_after": seconds},
    }


async def test_429_is_waited_out_and_the_same_call_sent_again():
    transport, clock = Scripted(too_many(3), too_many(2)), SleepClock()
    sender = sender_for(transport, clock, overall_max_rate=0)
    assert await sender.call("sendMessage", {"chat_id": 5, "text": "x"}) == 7
    assert [m for m, _ in transport.calls] == ["sendMessage"] * 3
    assert transport.calls[0] == transport.calls[2]  # nothing lost or changed on the way
    assert clock.slept == [3.0, 2.0]


async def test_after_a_429_every_other_call_waits_too():
    transport, clock = Scripted(too_many(5)), SleepClock()
    sender = sender_for(transport, clock, overall_max_rate=0, max_retries=0)
    with pytest.raises(StillRateLimited) as caught:
        await sender.call("sendMessage", {"chat_id": 5, "text": "x"})
    assert caught.value.seconds == 5
    await sender.call("answerCallbackQuery", {"callback_query_id": "q"})
    assert clock.slept == [5.0]


async def test_retries_stop_after_max_retries():
    transport, clock = Scripted(*[too_many(1)] * 5), SleepClock()
    sender = sender_for(transport, clock, overall_max_rate=0, max_retries=2)
    with pytest.raises(StillRateLimited):
        await sender.call("sendMessage", {"chat_id": 5, "text": "x"})
    assert len(transport.calls) == 3


async def test_chat_calls_are_paced_to_the_overall_rate_after_a_burst():
    transport, clock = Scripted(), SleepClock()
    sender = sender_for(transport, clock, overall_max_rate=10)
    for i in range(15):
        await sender.call("sendMessage", {"chat_id": 100 + i, "text": "x"})
    # a burst of 10 goes at once, then one every 0.1 s
    assert len(clock.slept) == 5
    assert clock.slept == pytest.approx([0.1] * 5)


async def test_button_answers_are_not_paced():
    transport, clock = Scripted(), SleepClock()
    sender = sender_for(transport, clock, overall_max_rate=1)
    for i in range(20):
        await sender.call("answerCallbackQuery", {"callback_query_id": str(i)})
    assert clock.slept == [] and len(transport.calls) == 20


async def test_groups_get_twenty_messages_a_minute():
    transport, clock = Scripted(), SleepClock()
    sender = sender_for(transport, clock, overall_max_rate=0)
    for _ in range(3):
        await sender.call("sendMessage", {"chat_id": -42, "text": "x"})
    await sender.call("sendMessage", {"chat_id": 42, "text": "x"})  # a private chat: no wait
    assert clock.slept == pytest.approx([3.0, 3.0])


def test_pacer_with_rate_zero_never_waits():
    clock = SleepClock()
    pacer = TokenBucket(0, clock=clock)
    assert all(pacer.reserve() == 0 for _ in range(1000))


def test_pacer_keeps_the_order_of_waiting_callers():
    clock = SleepClock()
    pacer = TokenBucket(2, burst=1, clock=clock)
    waits = [pacer.reserve() for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.5, 1.0, 1.5])
    clock.now += 10  # a quiet spell saves up a burst again, never more
    assert [pacer.reserve() for _ in range(2)] == pytest.approx([0.0, 0.5])


def test_pacer_refuses_a_negative_rate():
    with pytest.raises(ValueError):
        TokenBucket(-1)


async def test_start_and_stop_reach_the_transport():
    transport = Scripted()
    sender = BotApi(transport)
    await sender.start()
    await sender.stop()
    assert transport.started and transport.stopped


async def test_aiohttp_transport_never_shows_its_token():
    transport = HttpTransport("http://127.0.0.1:9/bot", "123:SECRET", 4, 5.0)
    assert "SECRET" not in repr(transport)
    with pytest.raises(NetworkError):  # not started: a clear error, no attribute crash
        await transport.send("getMe", b"{}")
    with pytest.raises(ValueError):
        HttpTransport("http://127.0.0.1:9/bot", "123:SECRET", 0, 5.0)
