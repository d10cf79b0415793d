"""Helpers for the web chat tests: the real WebChat on 127.0.0.1 and a client that keeps its
cookie, as the page does, plus the turn-by-turn calls the tests make."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from aiohttp import ClientSession, CookieJar

from bot.channels.web import WebChat, WebLimits, WebOptions
from bot.runtime import Runtime
from storage import MemoryStore, SessionStore, session_key

SECRET = b"web-tests-secret-" + b"s" * 32
_ids = itertools.count(1)


@asynccontextmanager
async def web_chat(
    runtime: Runtime, store: SessionStore | None = None, **options: Any
) -> AsyncIterator[WebChat]:
    """A WebChat on a free port of 127.0.0.1 over `store` (in memory unless given)."""
    options.setdefault("port", 0)
    chat = WebChat(
        WebOptions(**options),
        runtime,
        store or MemoryStore(),
        partial(session_key, SECRET),
        SECRET,
    )
    async with chat:
        yield chat


def generous() -> WebLimits:
    """Limits no test of the conversation itself will reach."""
    return WebLimits(session_burst=1000, address_burst=10_000, start_burst=1000)


class Shown:
    """What a page keeps from the events it got: the CSRF token, the last id, the buttons."""

    def __init__(self) -> None:
        self.csrf = ""
        self.ack = 0
        self.buttons: list[dict[str, str]] = []

    def take(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for event in events:
            if event["type"] in ("chat_started", "chat_resumed"):
                self.csrf = event["csrf"]
            elif event["type"] == "msg_out":
                self.ack = max(self.ack, event["msg_id"])
                if event["buttons"]:
                    self.buttons = event["buttons"]
        return events


class Client(Shown):
    """One browser over aiohttp: its cookie jar, and what its page has shown."""

    def __init__(self, base: str, session: ClientSession):
        super().__init__()
        self.base = base
        self.http = session

    async def post(self, body: Any, **kw: Any) -> tuple[int, dict[str, Any]]:
        """POST a command as given (plus the CSRF header); a 200's events are taken in."""
        headers = kw.pop("headers", {})
        if self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        async with self.http.post(f"{self.base}/api/chat", json=body, headers=headers, **kw) as r:
            answer = await r.json()
        if r.status == 200:
            self.take(answer["events"])
        return r.status, answer

    async def command(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Send a command (with the next id and the ack) and return its events; 200 required."""
        body = {"id": f"c{next(_ids)}", "ack": self.ack, **body}
        if body["type"] == "start_chat":
            body.pop("id")
        status, json = await self.post(body)
        assert status == 200, json
        return json["events"]

    async def start(self, locale: str = "nl") -> list[dict[str, Any]]:
        return await self.command({"type": "start_chat", "locale": locale, "ack": None})

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.command({"type": "send_msg", "text": text})

    async def press(self, label: str) -> list[dict[str, Any]]:
        found = [b for b in self.buttons if b["label"] == label]
        assert found, f"no button {label!r}; buttons: {[b['label'] for b in self.buttons]}"
        return await self.command({"type": "press", "data": found[0]["data"]})


@asynccontextmanager
async def client(chat: WebChat, **headers: str) -> AsyncIterator[Client]:
    base = f"http://127.0.0.1:{chat.port}"
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), headers=headers) as session:
        yield Client(base, session)


def messages(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == "msg_out"]
