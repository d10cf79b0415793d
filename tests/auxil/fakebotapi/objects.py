"""Objects the fake server returns, shaped as the Bot API documents them."""

from __future__ import annotations

from typing import Any

from tests.auxil import updates

BOT_FIRST_NAME = "FirstContact Test Bot"
BOT_USERNAME = "firstcontact_test_bot"


def bot_id(token: str) -> int:
    """The bot's user id is the number before the colon of its token."""
    return int(token.split(":", 1)[0])


def bot_user(token: str, *, full: bool = False) -> dict[str, Any]:
    """The bot as a User; getMe adds the capability flags."""
    user = updates.make_user(
        bot_id(token),
        first_name=BOT_FIRST_NAME,
        username=BOT_USERNAME,
        language_code=None,
        is_bot=True,
    )
    if full:
        user.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
    return user


def outgoing_message(
    token: str,
    chat: dict,
    message_id: int,
    date: int,
    params: dict,
    text: tuple[str, list[dict]] | None,
) -> dict[str, Any]:
    """The Message Telegram returns for something the bot sent."""
    message = updates.make_message(chat, bot_user(token), message_id=message_id, date=date)
    if text is not None:
        message["text"], entities = text
        if entities:
            message["entities"] = entities
    if "link_preview_options" in params:
        message["link_preview_options"] = params["link_preview_options"]
    markup = params.get("reply_markup")
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    return message


def with_caption(message: dict, caption: tuple[str, list[dict]] | None) -> dict:
    """Attach a parsed caption to a media message."""
    if caption and caption[0]:
        message["caption"] = caption[0]
        if caption[1]:
            message["caption_entities"] = caption[1]
    return message


def file_object(file_id: str, file_unique_id: str, size: int | None, path: str) -> dict:
    """A File ready for download from the fake file URL."""
    result = {"file_id": file_id, "file_unique_id": file_unique_id, "file_path": path}
    if size is not None:
        result["file_size"] = size
    return result
