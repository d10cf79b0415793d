"""Factories for Telegram updates as plain dicts, so tests feed the bot what Telegram would.

Every object follows the Bot API `Update` type (checked against the official spec in
tests/test_fakebotapi.py). Ids not given come from module counters; the fake server always
passes its own. Names and numbers here are made up: never put real personal data in tests.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

DEFAULT_USER_ID = 424_242
DEFAULT_FIRST_NAME = "Tester"
DEFAULT_LANGUAGE = "nl"

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_file_ids = itertools.count(1)
_query_ids = itertools.count(1)
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_/])")


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def make_user(
    user_id: int = DEFAULT_USER_ID,
    *,
    first_name: str = DEFAULT_FIRST_NAME,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = DEFAULT_LANGUAGE,
    is_bot: bool = False,
) -> dict[str, Any]:
    """A Telegram User."""
    user: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    extra = {"last_name": last_name, "username": username, "language_code": language_code}
    user.update({k: v for k, v in extra.items() if v is not None})
    return user


def make_chat(
    chat_id: int, chat_type: str = "private", *, user: dict | None = None, title: str | None = None
) -> dict[str, Any]:
    """A Chat: private chats mirror their user, groups carry a title."""
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        user = user or make_user(chat_id)
        chat["first_name"] = user["first_name"]
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
    else:
        chat["title"] = title or "Test group"
    return chat


def make_message(
    chat: dict,
    sender: dict | None,
    *,
    message_id: int | None = None,
    date: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A Message in `chat` from `sender` with content fields such as text= or photo=."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "date": int(time.time()) if date is None else date,
        "chat": chat,
    }
    if sender is not None:
        message["from"] = sender
    message.update(content)
    return message


def make_update(kind: str, obj: dict, *, update_id: int | None = None) -> dict[str, Any]:
    """An Update carrying `obj` under `kind` ("message", "callback_query", ...)."""
    return {"update_id": next(_update_ids) if update_id is None else update_id, kind: obj}


def message_update(
    chat_id: int,
    content: dict[str, Any],
    *,
    user_id: int | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
    username: str | None = None,
    language_code: str | None = DEFAULT_LANGUAGE,
    chat_type: str = "private",
    title: str | None = None,
    update_id: int | None = None,
    message_id: int | None = None,
    date: int | None = None,
) -> dict[str, Any]:
    """An Update with a new message from a user; in private chats the user id is the chat id."""
    if user_id is None:
        user_id = chat_id if chat_type == "private" else DEFAULT_USER_ID
    user = make_user(user_id, first_name=first_name, username=username, language_code=language_code)
    chat = make_chat(chat_id, chat_type, user=user, title=title)
    message = make_message(chat, user, message_id=message_id, date=date, **content)
    return make_update("message", message, update_id=update_id)


def text_content(text: str) -> dict[str, Any]:
    """Text plus the bot_command entities Telegram adds for /commands."""
    content: dict[str, Any] = {"text": text}
    entities = [
        {"type": "bot_command", "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m[0])}
        for m in _COMMAND_RE.finditer(text)
    ]
    if entities:
        content["entities"] = entities
    return content


def _file(prefix: str) -> dict[str, str]:
    n = next(_file_ids)
    return {"file_id": f"{prefix}-file-{n}", "file_unique_id": f"{prefix}{n}"}


def text_update(chat_id: int, text: str, **who: Any) -> dict[str, Any]:
    """A user typed `text`."""
    return message_update(chat_id, text_content(text), **who)


def command_update(chat_id: int, command: str, args: str = "", **who: Any) -> dict[str, Any]:
    """A user sent /command (with optional arguments)."""
    text = f"/{command.lstrip('/')}" + (f" {args}" if args else "")
    return text_update(chat_id, text, **who)


def group_text_update(
    chat_id: int, text: str, *, chat_type: str = "group", title: str = "Test group", **who: Any
) -> dict[str, Any]:
    """A member typed `text` in a group chat (negative chat id)."""
    return message_update(chat_id, text_content(text), chat_type=chat_type, title=title, **who)


def sticker_update(chat_id: int, emoji: str = "🙂", **who: Any) -> dict[str, Any]:
    """A user sent a sticker."""
    sticker = {
        **_file("sticker"),
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }
    return message_update(chat_id, {"sticker": sticker}, **who)


def photo_update(chat_id: int, caption: str | None = None, **who: Any) -> dict[str, Any]:
    """A user sent a photo (two sizes, as Telegram does)."""
    sizes = [
        {**_file("photo"), "width": w, "height": w * 3 // 4, "file_size": w * 60}
        for w in (320, 1280)
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return message_update(chat_id, content, **who)


def contact_update(
    chat_id: int, phone_number: str = "+31600000000", contact_name: str = "Contact", **who: Any
) -> dict[str, Any]:
    """A user shared a contact (a fictitious number by default)."""
    contact = {"phone_number": phone_number, "first_name": contact_name}
    return message_update(chat_id, {"contact": contact}, **who)


def location_update(
    chat_id: int, latitude: float = 52.37, longitude: float = 4.89, **who: Any
) -> dict[str, Any]:
    """A user shared a location."""
    location = {"latitude": float(latitude), "longitude": float(longitude)}
    return message_update(chat_id, {"location": location}, **who)


def voice_update(chat_id: int, duration: int = 3, **who: Any) -> dict[str, Any]:
    """A user sent a voice note."""
    voice = {
        **_file("voice"),
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": duration * 4000,
    }
    return message_update(chat_id, {"voice": voice}, **who)


def document_update(
    chat_id: int, file_name: str = "file.pdf", mime_type: str = "application/pdf", **who: Any
) -> dict[str, Any]:
    """A user sent a file."""
    document = {
        **_file("document"),
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": 12_345,
    }
    return message_update(chat_id, {"document": document}, **who)


def poll_update(
    chat_id: int, question: str = "Which?", options: tuple[str, ...] = ("A", "B"), **who: Any
) -> dict[str, Any]:
    """A user sent a poll."""
    poll = {
        "id": f"poll-{next(_query_ids)}",
        "question": question,
        "options": [
            {"persistent_id": str(i), "text": o, "voter_count": 0} for i, o in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": True,
        "members_only": False,
    }
    return message_update(chat_id, {"poll": poll}, **who)


def edited_text_update(
    message: dict, text: str, *, edit_date: int | None = None, update_id: int | None = None
) -> dict[str, Any]:
    """The user edited an earlier text `message` to say `text`."""
    edited = {k: v for k, v in message.items() if k != "entities"}
    edited.update(text_content(text))
    edited["edit_date"] = int(time.time()) if edit_date is None else edit_date
    return make_update("edited_message", edited, update_id=update_id)


def chat_instance(chat_id: int) -> str:
    """Telegram's opaque per-chat id for callback queries; stable for a chat."""
    return str((chat_id * 2_654_435_761) % 2**62)


def callback_update(
    message: dict,
    data: str,
    *,
    user: dict | None = None,
    update_id: int | None = None,
    query_id: str | None = None,
) -> dict[str, Any]:
    """A user pressed the inline button with `data` under the bot's `message`."""
    chat = message["chat"]
    if user is None:
        user = make_user(
            chat["id"] if chat["type"] == "private" else DEFAULT_USER_ID,
            first_name=chat.get("first_name", DEFAULT_FIRST_NAME),
            username=chat.get("username"),
        )
    query = {
        "id": query_id or f"{next(_query_ids)}{abs(chat['id']) % 10**6:06d}",
        "from": user,
        "message": message,
        "chat_instance": chat_instance(chat["id"]),
        "data": data,
    }
    return make_update("callback_query", query, update_id=update_id)


def inline_buttons(message: dict) -> list[dict]:
    """All inline keyboard buttons under a message, row by row."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def button_labels(message: dict) -> list[str]:
    """The labels of a message's inline buttons, in reading order."""
    return [button["text"] for button in inline_buttons(message)]
