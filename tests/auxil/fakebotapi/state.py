"""What the fake Telegram remembers: chats, their messages, callback queries, files, settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .limits import ApiError, bad
from .objects import bot_id, file_object

MESSAGE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)
MEDIA_KINDS = {
    "photo": "jpg",
    "sticker": "webp",
    "voice": "ogg",
    "document": "bin",
    "audio": "mp3",
    "video": "mp4",
    "video_note": "mp4",
    "animation": "mp4",
}


class FakeClock:
    """Wall time plus an offset tests can move forward (e.g. past the 48-hour delete limit)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> None:
        self.offset += seconds + 60 * minutes + 3600 * hours + 86400 * days


@dataclass(slots=True)
class Stored:
    """One message in a chat; `outgoing` means the bot sent it."""

    message: dict
    outgoing: bool
    deleted: bool = False


@dataclass(slots=True)
class ChatState:
    """A chat: its object, its messages by id and when the bot sent to it."""

    chat: dict | None = None
    messages: dict[int, Stored] = field(default_factory=dict)
    last_id: int = 0
    send_times: list[float] = field(default_factory=list)

    def next_id(self) -> int:
        """Message ids are per chat and shared by both sides, as in real private chats."""
        self.last_id += 1
        return self.last_id

    def live(self, message_id: int) -> Stored | None:
        stored = self.messages.get(message_id)
        return None if stored is None or stored.deleted else stored


@dataclass(slots=True)
class PendingQuery:
    """A callback query awaiting answerCallbackQuery."""

    created: float
    answer: dict | None = None


class BotState:
    """Everything the bot's calls can change or look up."""

    def __init__(self, token: str, clock: FakeClock) -> None:
        self.token = token
        self.bot_id = bot_id(token)
        self.clock = clock
        self.chats: dict[int, ChatState] = {}
        self.usernames: dict[str, int] = {}
        self.queries: dict[str, PendingQuery] = {}
        self.files: dict[str, dict] = {}
        self.file_paths: set[str] = set()
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.settings: dict[tuple[str, str], str] = {}
        self.blocked: set[int] = set()

    def date(self) -> int:
        return int(self.clock.now())

    def chat_state(self, chat_id: int) -> ChatState:
        """The state for a chat id, created empty (not yet known to Telegram) if new."""
        state = self.chats.get(chat_id)
        if state is None:
            state = self.chats[chat_id] = ChatState()
        return state

    def find_chat(self, chat_id: int | str) -> ChatState:
        """A chat the tests have made known by pushing an update, else "chat not found"."""
        if isinstance(chat_id, str):
            chat_id = self.usernames.get(chat_id.lstrip("@").lower(), 0)
        state = self.chats.get(chat_id)
        if state is None or state.chat is None:
            raise bad("chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return state

    def register(self, update: dict[str, Any]) -> None:
        """Learn the chats, messages, queries and files an incoming update mentions."""
        for kind in MESSAGE_KINDS:
            if kind in update:
                self._register_message(update[kind])
        query = update.get("callback_query")
        if query:
            self.queries[query["id"]] = PendingQuery(self.clock.now())

    def _register_message(self, message: dict) -> None:
        chat = message["chat"]
        state = self.chat_state(chat["id"])
        state.chat = chat
        if chat["type"] != "private" and chat.get("username"):
            self.usernames[chat["username"].lower()] = chat["id"]
        message_id = message["message_id"]
        outgoing = message.get("from", {}).get("id") == self.bot_id
        state.messages[message_id] = Stored(message, outgoing)
        state.last_id = max(state.last_id, message_id)
        for kind, ext in MEDIA_KINDS.items():
            media = message.get(kind)
            for item in media if isinstance(media, list) else [media] if media else []:
                path = f"{kind}s/file_{len(self.files)}.{ext}"
                self.files[item["file_id"]] = file_object(
                    item["file_id"], item["file_unique_id"], item.get("file_size"), path
                )
                self.file_paths.add(path)

    def store_outgoing(self, state: ChatState, message: dict) -> dict:
        """Keep a message the bot sent so it can be edited, deleted or pressed."""
        state.messages[message["message_id"]] = Stored(message, outgoing=True)
        state.send_times.append(time.monotonic())
        return message
