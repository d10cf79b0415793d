"""Sending and deleting: every Telegram call the conversation makes, with failures contained.

A failed call is logged by its error type only (Telegram's error text can quote a message), and
never raises into the handler: the session is already saved, so the next update recovers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.telegram.botapi import BotApi
from bot.channels.telegram.html import Keyboard, Part

log = logging.getLogger(__name__)

DELETE_BATCH = 100  # deleteMessages takes 1..100 ids
NO_PREVIEW = {"is_disabled": True}


class ChatGone(Exception):
    """The man blocked the bot or the chat no longer exists: stop talking to it."""


async def send_parts(
    client: BotApi, chat_id: int, parts: Sequence[Part], tag: str, *, urgent: bool = False
) -> list[int]:
    """Send parts in order; returns the ids of the messages Telegram accepted.

    `urgent` (an answer to danger or crisis) puts them ahead of every other chat's sends.
    """
    sent: list[int] = []
    for part in parts:
        try:
            message_id = await _send_message(
                client, chat_id, part.html, html=True, markup=part.markup, urgent=urgent
            )
        except Forbidden as exc:
            log.info("chat unreachable session=%s error=%s", tag, type(exc).__name__)
            raise ChatGone from None
        except TelegramError as exc:
            log.warning("sendMessage failed session=%s error=%s", tag, type(exc).__name__)
            break  # later parts would read out of order; the man can ask again
        sent.append(message_id)
    return sent


async def send_text(client: BotApi, chat_id: int, text: str, tag: str) -> list[int]:
    """A short channel notice (already safe plain text)."""
    try:
        message_id = await _send_message(client, chat_id, text)
    except TelegramError as exc:
        log.info("notice not sent session=%s error=%s", tag, type(exc).__name__)
        return []
    return [message_id]


async def delete_recent(client: BotApi, chat_id: int, message_ids: Sequence[int], tag: str) -> int:
    """Delete what Telegram still allows (messages under 48 h); returns how many were asked."""
    ids = sorted({i for i in message_ids if isinstance(i, int) and i > 0})
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start : start + DELETE_BATCH]
        try:
            await client.call("deleteMessages", {"chat_id": chat_id, "message_ids": batch})
        except (BadRequest, Forbidden) as exc:
            log.info("deleteMessages refused session=%s error=%s", tag, type(exc).__name__)
        except TelegramError as exc:
            log.warning("deleteMessages failed session=%s error=%s", tag, type(exc).__name__)
    return len(ids)


async def _send_message(
    client: BotApi,
    chat_id: int,
    text: str,
    *,
    html: bool = False,
    markup: Keyboard | None = None,
    urgent: bool = False,
) -> int:
    """sendMessage as plain JSON; returns the new message's id.

    Bot.send_message builds and parses a full PTB Message for every reply; under load that cost
    more CPU than the conversation itself. The BotApi keeps Telegram's limits and 429 waits.
    """
    payload: dict[str, Any] = {
        "chat_id": chat_id,
        "text": text,
        "link_preview_options": NO_PREVIEW,
    }
    if html:
        payload["parse_mode"] = "HTML"
    if markup is not None:
        payload["reply_markup"] = markup
    result = await client.call("sendMessage", payload, urgent=urgent)
    return int(result["message_id"])
