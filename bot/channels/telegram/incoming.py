"""A Telegram update, as the JSON Telegram sent -> the one engine event it means, and where to
answer it.

Only the shape of an update is looked at: text goes to the engine (never stored), every other
kind of content becomes Unsupported(kind) without its payload being read or kept. Updates stay
JSON from polling and webhook to here: parsing each into PTB objects cost more CPU than
answering it, so this reads only the few keys it needs. Anything malformed is treated like an
update with no chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.channels.inbound import pressed, typed
from bot.engine.model import Event, Unsupported

PRIVATE = "private"
MAX_CHAT_ID = 1 << 52  # chat ids have at most 52 significant bits (Bot API docs)
MAX_MESSAGE_ID = 1 << 31  # message ids are 32-bit

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
    language: str | None = None  # the sender's language_code (used when a conversation starts)


def message_kind(message: dict[str, Any]) -> str | None:
    """The kind of non-text content, "other" for anything new, None for service messages.

    A key's presence counts for service messages (some of their objects are {}).
    """
    for kind in KINDS:
        value = message.get(kind)
        if value:
            if kind == "location" and isinstance(value, dict) and value.get("live_period"):
                return "live_location"
            return kind
    if any(name in message for name in SERVICE):
        return None
    return "other"


def _whole(value: Any, bound: int) -> int | None:
    """A JSON whole number Telegram could have sent (|value| < bound), else None.

    bool is an int in Python: `true` as a message id reached the store, which refused the
    session (found by tests/test_hostile_telegram.py).
    """
    return value if type(value) is int and -bound < value < bound else None


def _chat(message: Any) -> tuple[int, bool] | None:
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = _whole(chat.get("id"), MAX_CHAT_ID) if isinstance(chat, dict) else None
    if not chat_id:
        return None
    return chat_id, chat.get("type") == PRIVATE


def classify(update: dict[str, Any]) -> Incoming | None:
    """The incoming request in an update, or None when there is no chat to answer."""
    query = update.get("callback_query")
    if isinstance(query, dict):
        where = _chat(query.get("message"))
        if where is None or not isinstance(query.get("id"), str):
            return None
        return Incoming(
            *where, pressed(query.get("data")), callback_id=query["id"], language=_language(query)
        )
    edited = update.get("edited_message") or update.get("edited_channel_post")
    if edited is not None:
        where = _chat(edited)
        return Incoming(*where, Unsupported("edited")) if where is not None else None
    message = update.get("message") or update.get("channel_post")
    where = _chat(message)
    if where is None:
        return None
    text = message.get("text")
    language = _language(message)
    if isinstance(text, str):
        event: Event | None = typed(text, language)
    else:
        kind = message_kind(message)
        event = Unsupported(kind) if kind else None
    message_id = _whole(message.get("message_id"), MAX_MESSAGE_ID)
    own = message_id if message_id and message_id > 0 else None
    return Incoming(*where, event, message_id=own, language=language)


def _language(sent: dict[str, Any]) -> str | None:
    """The sender's language_code ('fr', 'pt-br'), if Telegram gave one that looks like it."""
    user = sent.get("from")
    code = user.get("language_code") if isinstance(user, dict) else None
    return code[:35] if isinstance(code, str) and code else None
