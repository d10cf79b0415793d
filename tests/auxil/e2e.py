"""The shared harness for the Telegram end-to-end tests: a running bot, a chat, scenarios.

Used by tests/test_telegram_e2e.py, test_telegram_modes.py, test_telegram_overload.py and
test_privacy.py.
Paths through the conversation are found from the flow files by the engine itself, so the
scenarios follow the flows as volunteers change them.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from bot.channels.telegram import Limits, TelegramBot, TelegramOptions
from bot.engine.engine import SYSTEM
from bot.engine.model import Press, Say, Session, Start
from bot.regions import region_chain
from bot.runtime import Runtime
from storage import SessionStore, session_key
from tests.auxil.fakebotapi import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]

SECRET = b"telegram-e2e-secret-" + b"0123456789" * 4
MAX_SENDS_PER_UPDATE = 4  # two replies (e.g. "expired" + greeting), each split at most once
STARTUP_METHODS = {
    "getMe",
    "setMyCommands",
    "setMyDescription",
    "setMyShortDescription",
    "deleteWebhook",
    "getUpdates",
}


async def start_run_command(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    """`firstcontact run` as its own process, as an operator starts it."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def key(chat_id: int) -> str:
    return session_key(SECRET, "telegram", chat_id)


HANG_GUARD_SECONDS = 120.0  # only so a broken bot fails the test instead of hanging the run


async def handled(bot: TelegramBot, count: int) -> None:
    """Wait until the bot's handler has finished `count` updates (an awaited event)."""
    try:
        await asyncio.wait_for(bot.handler.handled_up_to(count), HANG_GUARD_SECONDS)
    except TimeoutError:
        raise AssertionError(
            f"the bot handled {bot.handler.handled} updates, never {count}"
        ) from None


# ---- paths through the flows, found by the engine ------------------------------------------


@dataclass(frozen=True)
class Route:
    """Button labels to press after /start, the step they reach and the index of each choice."""

    labels: tuple[str, ...]
    indices: tuple[int, ...]
    target: str
    region: str | None


def find_handoff(runtime: Runtime, region: str, max_depth: int = 12) -> Route:
    """The shortest run of button presses from /start to a hand-off step for `region`."""
    engine = runtime.engine
    now = datetime.now().astimezone()
    start, replies = engine.resume(None, Start(), 0.0)
    assert start is not None
    queue: deque[tuple[Session, list[Say], tuple[str, ...], tuple[int, ...]]] = deque(
        [(start, [r for r in replies if isinstance(r, Say)], (), ())]
    )
    seen: set[tuple] = set()
    while queue:
        session, says, labels, indices = queue.popleft()
        if len(labels) >= max_depth:
            continue
        views = runtime.render(says[-1], now).buttons
        for view in views:
            if not isinstance(view.event, Press):
                continue
            after, out = engine.resume(session, view.event, 1.0)
            if after is None:
                continue
            state = (after.at, after.region, tuple(sorted(after.answers.items())))
            if state in seen:
                continue
            seen.add(state)
            path, idx = (*labels, view.label), (*indices, view.event.index)
            step = engine.flows[after.flow].flow.steps[after.step]
            if step.is_handoff and region in region_chain(after.region):
                return Route(path, idx, after.at, after.region)
            queue.append((after, [r for r in out if isinstance(r, Say)], path, idx))
    raise AssertionError(f"no hand-off for {region} reachable by buttons from /start")


def step_text(runtime: Runtime, at: str) -> str:
    flow, _, step = at.partition(":")
    return runtime.engine.flows[flow].flow.steps[step].text


def first_line(text: str) -> str:
    """A step's first line up to the first fact the directory fills in ("{noodnummer}")."""
    return text.strip().splitlines()[0].split("{")[0]


# ---- a running bot and a chat with it --------------------------------------------------------


@asynccontextmanager
async def running_bot(
    api: FakeBotApi, store: SessionStore, runtime: Runtime, **options: Any
) -> AsyncIterator[TelegramBot]:
    """The production TelegramBot, polling the fake server with test-sized timeouts."""
    options.setdefault("limits", Limits(flood_burst=100))  # only the flood test floods
    opts = TelegramOptions(
        token=api.token,
        base_url=api.base_url,
        poll_timeout=options.pop("poll_timeout", 1),
        request_timeout=5.0,
        **options,
    )
    bot = TelegramBot(opts, runtime, store, partial(session_key, SECRET))
    await bot.start_polling()
    try:
        yield bot
    finally:
        await bot.stop()


@dataclass
class Chat:
    """One person talking to the bot; each action waits until the bot has handled it."""

    api: FakeBotApi
    bot: TelegramBot
    chat_id: int
    who: dict[str, Any] = field(default_factory=dict)

    async def _do(self, push: Callable[[], dict]) -> list[dict]:
        count = self.bot.handler.handled
        before = self.api.count("sendMessage", self.chat_id)
        push()
        await handled(self.bot, count + 1)
        await self.bot.handler.drain()  # button answers run beside the handler
        return [c.result for c in self.api.calls("sendMessage", self.chat_id)[before:]]

    async def text(self, text: str) -> list[dict]:
        return await self._do(lambda: self.api.push_text(self.chat_id, text, **self.who))

    async def command(self, name: str) -> list[dict]:
        return await self._do(lambda: self.api.push_command(self.chat_id, name, **self.who))

    async def press(self, label: str) -> list[dict]:
        return await self._do(lambda: self.api.push_button(self.chat_id, label))

    async def push(self, kind: str, *args: Any) -> list[dict]:
        method = getattr(self.api, f"push_{kind}")
        return await self._do(lambda: method(self.chat_id, *args, **self.who))

    async def callback(self, data: str) -> list[dict]:
        message = self.api.last_message(self.chat_id)
        assert message is not None
        return await self._do(
            lambda: self.api.push_callback(self.chat_id, message["message_id"], data, strict=False)
        )

    async def edit(self, message_id: int, text: str) -> list[dict]:
        return await self._do(lambda: self.api.push_edited_text(self.chat_id, message_id, text))


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def labels(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row if "callback_data" in b]


# ---- scenarios (shared with the privacy test) ---------------------------------------------


async def scenario_handoff(chat: Chat, store: SessionStore, runtime: Runtime, region: str) -> Route:
    """/start, then buttons only, to the region's hand-off; checks what arrives at each step."""
    route = find_handoff(runtime, region)
    greeting = await chat.command("start")
    assert first_line(step_text(runtime, "main:" + runtime.engine.flows["main"].flow.start)) in (
        texts(greeting)
    )
    replies: list[dict] = []
    for label in route.labels:
        replies = await chat.press(label)
        assert replies, f"no reply to pressing {label!r}"
    assert first_line(step_text(runtime, route.target)) in texts(replies)
    session = await store.get(key(chat.chat_id))
    assert session is not None
    assert (session.at, session.region) == (route.target, route.region)
    # The hand-off shows the directory's cards for the region, titles in bold.
    flow, _, step = route.target.partition(":")
    keys = runtime.engine.flows[flow].flow.steps[step].referral_keys(session.region)
    cards = runtime.renderer.cards(keys, session.region, datetime.now().astimezone(), "nl")
    assert cards
    bold = [e for m in replies for e in m.get("entities", []) if e["type"] == "bold"]
    assert len(bold) >= len(cards)
    for card in cards:
        assert card.title in texts(replies)
    return route


async def scenario_stop(chat: Chat, store: SessionStore, runtime: Runtime) -> None:
    """A few steps, then /stop: session gone at once, the chat's messages deleted."""
    await chat.command("start")
    route = find_handoff(runtime, "NL")
    await chat.press(route.labels[0])
    assert await store.get(key(chat.chat_id)) is not None
    before = chat.api.count("deleteMessages", chat.chat_id)
    confirmation = await chat.command("stop")
    assert await store.get(key(chat.chat_id)) is None
    assert chat.api.count("deleteMessages", chat.chat_id) == before + 1
    [deleted] = chat.api.calls("deleteMessages", chat.chat_id)[before:]
    assert len(deleted.params["message_ids"]) >= 4  # 2 of ours, 2 of his at least
    # Only the confirmation is left of what the bot said.
    assert [m["message_id"] for m in chat.api.messages_in(chat.chat_id)] == [
        confirmation[-1]["message_id"]
    ]
    assert first_line(step_text(runtime, "main:gewist")) in texts(confirmation)
    state = chat.api.state.chats[chat.chat_id]
    assert all(s.deleted for s in state.messages.values() if not s.outgoing)


async def scenario_bad_input(chat: Chat, store: SessionStore, runtime: Runtime, typed: str) -> None:
    """Every kind of input that is not text or a known button gets a kind reply and choices."""
    engine = runtime.engine
    system = engine.flows[SYSTEM].flow.steps
    await chat.command("start")
    session = await store.get(key(chat.chat_id))
    assert session is not None
    now = datetime.now().astimezone()
    choices = [
        b.label for b in runtime.render(Say("", "", buttons=engine.buttons(session)), now).buttons
    ]

    topics = [c.label for c in system["onderwerpen"].choices]

    def check(replies: list[dict], system_step: str) -> None:
        assert len(replies) == 1, replies
        assert first_line(system[system_step].text) in replies[0]["text"]
        if system_step == "unknown_text":
            # typed text nobody can place: 112 in the text, the topics, then the choices
            assert "112" in replies[0]["text"]
            shown = labels(replies[-1])
            extra = shown[: len(shown) - len(choices)]
            assert shown[len(extra) :] == choices and 1 <= len(extra) <= 3
            assert set(extra) <= set(topics)
        else:
            assert labels(replies[-1]) == choices

    for kind in ("sticker", "photo", "voice", "document", "poll"):
        check(await chat.push(kind), "unsupported")
    for kind in ("location", "contact"):
        check(await chat.push(kind), "unsupported_private")
    typed_reply = await chat.text(typed)
    check(typed_reply, "unknown_text")
    mine = max(m for m, s in chat.api.state.chats[chat.chat_id].messages.items() if not s.outgoing)
    check(await chat.edit(mine, typed + " (bewerkt)"), "unsupported")
    check(await chat.text("x" * 5000), "unknown_text")
    check(
        await chat.text("\u202e\u200b\U0001f3f3\ufe0f\u200d\U0001f308 \u0000 \U0010ffff"),
        "unknown_text",
    )
    check(await chat.text(" "), "unknown_text")
    answered = chat.api.count("answerCallbackQuery")
    for forged in ("p|000000|main:nergens|99", "nonsense", "i|rm -rf|", "p|" + "9" * 70):
        check(await chat.callback(forged), "stale_button")
    assert chat.api.count("answerCallbackQuery") == answered + 4
    session_after = await store.get(key(chat.chat_id))
    assert session_after is not None and session_after.at == session.at


async def scenario_group(
    api: FakeBotApi, bot: TelegramBot, store: SessionStore, **who: Any
) -> None:
    """A group and a supergroup: one short note each, however often spoken to; no session."""
    sessions = await store.count()
    for chat_id, kind in ((-4_000_001, "group"), (-1_004_000_002, "supergroup")):
        chat = Chat(api, bot, chat_id)
        first = await chat._do(
            lambda c=chat_id, k=kind: api.push_group_text(c, "hallo bot", chat_type=k, **who)
        )
        again = await chat._do(
            lambda c=chat_id, k=kind: api.push_group_text(c, "/start", chat_type=k, **who)
        )
        assert len(first) == 1 and again == []
        assert "privé" in first[0]["text"]
        assert "reply_markup" not in first[0]
    assert await store.count() == sessions


# ---- what a chat gets without faults (the fault tests compare against it) -------------------


async def fault_free(runtime: Runtime, script: list[dict]) -> tuple[list[list[str]], Session]:
    """Each update's sendMessage texts (HTML parts, in order) and the session the chat ends at,
    from the same turn with a store in memory and no network: what the fault tests expect."""
    from bot.channels.telegram.html import to_parts
    from bot.channels.telegram.incoming import classify
    from bot.channels.turn import Inbound, Turn
    from storage.memory import MemoryStore

    turn = Turn(runtime, MemoryStore())
    chat_key = key(0)
    texts: list[list[str]] = []
    for update in script:
        incoming = classify(update)
        assert incoming is not None and incoming.event is not None
        answer = await turn.take(Inbound(chat_key, incoming.event, (), incoming.language))
        texts.append([part.html for message in answer.messages for part in to_parts(message)])
    saved = await turn.store.load(chat_key)
    assert saved is not None
    return texts, saved.session
