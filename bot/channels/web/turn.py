"""The web channel's side of the one conversation turn: its Outbound, and the step shown again.

The turn (bot/channels/turn.py) loads, resumes, renders and saves exactly as for Telegram; the
web's delivery only numbers each reply and keeps it until the page acknowledges it. A page
that lost what it showed (reopened after a restart) gets the step he is at, re-rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.channels.turn import SessionStore
from bot.channels.web.chats import Chats, ChatState
from bot.engine.model import Say
from bot.render import Message
from bot.runtime import Runtime


class WebOutbound:
    """Replies go into the chat's unacknowledged list; the HTTP response carries them."""

    def __init__(self, chat: ChatState, chats: Chats):
        self.chat = chat
        self.chats = chats

    async def deliver(self, message: Message) -> Sequence[int]:
        self.chat.add([message], self.chats.clock)
        return ()  # nothing the server could delete later: the page clears itself

    async def erase(self, ids: Sequence[int]) -> None:
        """Nothing to erase here: the page empties itself on chat_forgotten."""


async def current_step(runtime: Runtime, store: SessionStore, key: str) -> list[Message] | None:
    """The step he is at, shown again (nothing moves); None if there is no session."""
    session = await store.get(key)
    if session is None:
        return None
    now = datetime.now().astimezone()
    return [runtime.render(r, now) for r in runtime.engine.show(session) if isinstance(r, Say)]
