"""The one conversation turn: every channel goes through it, and its API is what a channel needs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from functools import partial

import pytest

from bot.channels import turn as turn_module
from bot.channels.conversation import Conversation
from bot.channels.inbound import FORGED_PRESS, pressed, typed
from bot.channels.telegram.botapi import BotApi
from bot.channels.telegram.handlers import UpdateHandler
from bot.channels.telegram.incoming import classify
from bot.channels.turn import ALARM_EVERY, Forgotten, Inbound, Limits, Turn
from bot.engine.model import Intent, Session, Start, Text
from bot.render import Message
from bot.runtime import Runtime
from storage.base import Saved
from storage.keys import session_key
from storage.memory import MemoryStore
from tests.auxil import updates

NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
KEY = "ab" * 32


class Replies:
    """A Bot API that accepts every call, numbering the messages it is sent."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.methods: list[str] = []

    async def start(self) -> None: ...
    async def stop(self) -> None: ...

    async def send(self, method: str, body: bytes) -> tuple[int, bytes]:
        self.methods.append(method)
        result: object = {"message_id": next(self.ids)} if method == "sendMessage" else True
        return 200, json.dumps({"ok": True, "result": result}).encode()


class Collected:
    """An Outbound that keeps what it is given, as a web channel might."""

    def __init__(self) -> None:
        self.delivered: list[Message] = []
        self.erased: list[int] = []
        self.calls: list[str] = []

    async def deliver(self, message: Message) -> Sequence[int]:
        self.delivered.append(message)
        self.calls.append("deliver")
        return [len(self.delivered) + 100]

    async def erase(self, ids: Sequence[int]) -> None:
        self.erased.extend(ids)
        self.calls.append("erase")


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each key that went through Turn._converse, the one place a turn happens."""
    seen: list[str] = []
    real = Turn._converse

    async def converse(self: Turn, inbound: Inbound, *args: object) -> object:
        seen.append(inbound.key)
        return await real(self, inbound, *args)

    monkeypatch.setattr(turn_module.Turn, "_converse", converse)
    return seen


async def test_telegram_goes_through_the_one_turn(runtime: Runtime, spy: list[str]) -> None:
    client = BotApi(Replies(), overall_max_rate=0)
    keyer = partial(session_key, b"s" * 32)
    handler = UpdateHandler(runtime, MemoryStore(), keyer, Limits(), client)
    await handler(updates.text_update(5, "/start"))
    assert spy == [keyer("telegram", 5)]
    assert await handler.turn.store.get(spy[0]) is not None


def test_the_terminal_goes_through_the_one_turn(runtime: Runtime, spy: list[str]) -> None:
    conversation = Conversation(runtime, clock=lambda: NOW)
    conversation.start()
    conversation.send("hallo")
    assert spy == [conversation.key, conversation.key]


@pytest.mark.parametrize(
    "text", ["/start", "/stop@firstcontact_bot", "/HELP", "/menu@firstcontact_bot", "stop", "hoi"]
)
def test_telegram_and_the_terminal_read_typed_text_alike(text: str) -> None:
    incoming = classify(updates.text_update(5, text, language_code=None))
    assert incoming is not None and incoming.event == typed(text)


def test_one_command_parser() -> None:
    assert typed("/start", "en-GB") == Start(locale="en-GB")
    assert typed("/Stop@SomeBot") == Intent("stop")
    assert typed("/menu@SomeBot nu") == Text("/menu nu")
    assert typed("stop") == Text("stop")  # a word for the engine's intents, not a command
    assert typed("x" * 5000) == Text("x" * 4096)
    assert pressed("p|zz|nowhere") == FORGED_PRESS and pressed(None) == FORGED_PRESS


async def test_a_turn_returns_rendered_messages_and_delivers_them(runtime: Runtime) -> None:
    store = MemoryStore(clock=NOW.timestamp)
    turn = Turn(runtime, store, clock=lambda: NOW)
    out = Collected()
    answer = await turn.take(Inbound(KEY, Start(), own_ids=(7,)), out)
    assert answer.messages and answer.messages == out.delivered
    assert answer.messages[-1].buttons and not answer.forgotten and not answer.urgent
    saved = await store.load(KEY)
    assert saved is not None and saved.message_ids == [7, *answer.sent]
    danger = await turn.take(Inbound(KEY, Text("hij slaat me, ik ben nu in gevaar")))
    assert danger.urgent and danger.messages[0].urgent
    assert "112" in danger.messages[0].plain()


async def test_stop_forgets_before_anything_is_sent(runtime: Runtime) -> None:
    store = MemoryStore(clock=NOW.timestamp)
    turn = Turn(runtime, store, clock=lambda: NOW)
    out = Collected()
    first = await turn.take(Inbound(KEY, Start(), own_ids=(7,)), out)
    shown = len(out.delivered)
    answer = await turn.take(Inbound(KEY, Intent("stop"), own_ids=(9,)), out)
    assert answer.forgotten and any(isinstance(o, Forgotten) for o in answer.outputs)
    assert await store.get(KEY) is None
    assert out.erased == [7, *first.sent, 9]  # his messages and ours, asked before any reply
    assert out.calls[shown] == "erase" and len(out.delivered) > shown  # the goodbye after
    await turn.take(Inbound(KEY, Start()))
    await turn.forget(KEY)  # the web's quick exit
    assert await store.get(KEY) is None


def test_a_flood_is_held_back_but_danger_passes_once_per_alarm_every(runtime: Runtime) -> None:
    turn = Turn(runtime, MemoryStore(), Limits(flood_burst=2, flood_rate=0.001))
    assert turn.admit(KEY, Text("a")).admit and turn.admit(KEY, Text("b")).admit
    dropped = turn.admit(KEY, Text("c"))
    assert not dropped.admit and dropped.warn
    assert not turn.admit(KEY, Text("d")).warn  # told once per flood
    assert turn.admit(KEY, Text("ik ben nu in gevaar")).admit
    assert not turn.admit(KEY, Text("ik ben nu in gevaar")).admit  # once per ALARM_EVERY
    assert ALARM_EVERY == 10.0


def test_an_unknown_flow_is_refused_at_begin(runtime: Runtime) -> None:
    with pytest.raises(KeyError):
        Conversation(runtime, flow="nergens", clock=lambda: NOW).start()


def test_channel_state_is_kept_beside_the_session_not_in_the_engines_model() -> None:
    assert "message_ids" not in {f.name for f in fields(Session)}
    assert "message_ids" in {f.name for f in fields(Saved)}
