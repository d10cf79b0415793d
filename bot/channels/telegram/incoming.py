"""A Telegram update -> the one engine event it means, plus where to answer it.

Only the shape of an update is looked at: text goes to the engine (never stored), every other
kind of content becomes Unsupported(kind) without its payload being read or kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Chat, Message, Update

from bot.engine import callback
from bot.engine.model import Event, Intent, Press, Start, Text, Unsupported

MAX_TEXT = 4096  # Telegram never delivers more; a longer one is not a real client

# A forged or unknown button: a Press the engine can never match, so it answers "stale".
FORGED_PRESS = Press(at="", index=-1)

COMMANDS: dict[str, Event] = {
    "start": Start(),
    "stop": Intent("stop"),
    "help": Intent("help"),
}

# Content kinds, checked in this order (a venue also carries a location, an animation a document).
KINDS = (
    "sticker",
    "animation",
    "photo",
    "video",
    "video_note",
    "voice",
    "audio",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
    "invoice",
    "paid_media",
    "checklist",
)

# Service messages Telegram generates itself: nothing the man "said", so no reply.
SERVICE = (
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "new_chat_photo",
    "delete_chat_photo",
    "group_chat_created",
    "supergroup_chat_created",
    "channel_chat_created",
    "message_auto_delete_timer_changed",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "pinned_message",
    "write_access_allowed",
    "proximity_alert_triggered",
    "video_chat_started",
    "video_chat_ended",
    "video_chat_scheduled",
    "video_chat_participants_invited",
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "general_forum_topic_hidden",
    "general_forum_topic_unhidden",
    "chat_background_set",
    "boost_added",
    "successful_payment",
    "refunded_payment",
    "connected_website",
)


@dataclass(frozen=True, slots=True)
class Incoming:
    """What one update asks of the bot; `event` is None when it needs no answer at all."""

    chat_id: int
    private: bool
    event: Event | None
    message_id: int | None = None  # the man's own message, deletable on "stop"
    callback_id: str | None = None  # must always be answered


def command_event(text: str) -> Event | None:
    """/start, /stop, /help (also "/stop@SomeBot" and "/start payload") as events."""
    if not text.startswith("/"):
        return None
    name = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
    return COMMANDS.get(name)


def _text_event(text: str, language: str | None = None) -> Event:
    command = command_event(text)
    if isinstance(command, Start):
        return Start(locale=language)  # the client's language, only used if the bot has it
    if command is not None:
        return command
    if text.startswith("/") and "@" in text.split(maxsplit=1)[0]:
        head, _, rest = text.partition(" ")
        text = f"{head.split('@', 1)[0]} {rest}".strip()  # "/menu@bot" works like "/menu"
    return Text(text[:MAX_TEXT])


def message_kind(message: Message) -> str | None:
    """The kind of non-text content, "other" for anything new, None for service messages."""
    for kind in KINDS:
        value = getattr(message, kind, None)
        if value:
            if kind == "location" and value.to_dict().get("live_period"):  # no deprecated getter
                return "live_location"
            return kind
    if any(getattr(message, name, None) for name in SERVICE):
        return None
    return "other"


def _message_event(message: Message) -> Event | None:
    if message.text is not None:
        user = message.from_user
        return _text_event(message.text, user.language_code if user else None)
    kind = message_kind(message)
    return Unsupported(kind) if kind else None


def classify(update: Update) -> Incoming | None:
    """The incoming request in an update, or None when there is no chat to answer."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is None:
            return None
        event = callback.decode(query.data) or FORGED_PRESS
        return Incoming(chat.id, chat.type == Chat.PRIVATE, event, callback_id=query.id)
    edited = update.edited_message or update.edited_channel_post
    if edited is not None:
        return Incoming(edited.chat.id, edited.chat.type == Chat.PRIVATE, Unsupported("edited"))
    message = update.message or update.channel_post
    if message is None:
        return None
    return Incoming(
        message.chat.id,
        message.chat.type == Chat.PRIVATE,
        _message_event(message),
        message_id=message.message_id,
    )


# ---- raw JSON updates (the hot path: no PTB objects are built) ------------------------------


def _raw_kind(message: dict[str, Any]) -> str | None:
    """message_kind for a message's JSON: a key's presence counts (some service objects are {})."""
    for kind in KINDS:
        value = message.get(kind)
        if value:
            if kind == "location" and isinstance(value, dict) and value.get("live_period"):
                return "live_location"
            return kind
    if any(name in message for name in SERVICE):
        return None
    return "other"


def _raw_chat(message: Any) -> tuple[int, bool] | None:
    chat = message.get("chat") if isinstance(message, dict) else None
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
        return None
    return chat["id"], chat.get("type") == Chat.PRIVATE


def classify_raw(update: dict[str, Any]) -> Incoming | None:
    """classify() for an update still as JSON: same rules, without PTB parsing it first.

    Parsing every update into PTB objects cost more CPU than answering it; this reads only the
    few keys classify() reads. Anything malformed is treated like an update with no chat.
    """
    query = update.get("callback_query")
    if isinstance(query, dict):
        where = _raw_chat(query.get("message"))
        if where is None or not isinstance(query.get("id"), str):
            return None
        data = query.get("data")
        event = (callback.decode(data) if isinstance(data, str) else None) or FORGED_PRESS
        return Incoming(*where, event, callback_id=query["id"])
    edited = update.get("edited_message") or update.get("edited_channel_post")
    if edited is not None:
        where = _raw_chat(edited)
        return Incoming(*where, Unsupported("edited")) if where is not None else None
    message = update.get("message") or update.get("channel_post")
    where = _raw_chat(message)
    if where is None:
        return None
    text = message.get("text")
    if isinstance(text, str):
        user = message.get("from")
        language = user.get("language_code") if isinstance(user, dict) else None
        event: Event | None = _text_event(text, language if isinstance(language, str) else None)
    else:
        kind = _raw_kind(message)
        event = Unsupported(kind) if kind else None
    message_id = message.get("message_id")
    return Incoming(*where, event, message_id=message_id if isinstance(message_id, int) else None)


def raw_query_id(update: dict[str, Any]) -> str | None:
    """The callback query's id, which must be answered even when there is no chat to talk to."""
    query = update.get("callback_query")
    query_id = query.get("id") if isinstance(query, dict) else None
    return query_id if isinstance(query_id, str) else None
