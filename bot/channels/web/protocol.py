"""The web chat's JSON: typed commands from the page and events back, modelled on nyaruka/chip.

The page sends one command per POST (`start_chat`, `send_msg`, `press`, `ack_chat`), each
state-changing one with its own id so a retry after a lost response is recognised, and the
highest message id it has shown (`ack`). The server answers with events (`chat_started`,
`chat_resumed`, `msg_out`, `chat_forgotten`). Anything else is refused with a plain reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.channels.inbound import MAX_TEXT, pressed, typed
from bot.engine import callback
from bot.engine.model import Event
from bot.render import Message

CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8}){0,3}$")
MAX_MSG_ID = 2**53 - 1  # what JavaScript numbers hold exactly
SAFE_LINK = re.compile(r"^(https?://|mailto:)[^\s<>\"']+$")
KINDS = ("start_chat", "send_msg", "press", "ack_chat")


class BadCommand(ValueError):
    """The body is not a command this API knows; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Command:
    """One command from the page, checked: `event` is what the engine gets (None: no turn)."""

    kind: str
    id: str | None = None
    ack: int | None = None
    event: Event | None = None
    locale: str | None = None
    resume: bool = False  # start_chat from a page that already shows this chat


def parse(body: Any) -> Command:
    """A checked Command from decoded JSON, or BadCommand saying what is wrong."""
    if not isinstance(body, dict):
        raise BadCommand("The body must be a JSON object with a 'type'.")
    kind = body.get("type")
    if kind not in KINDS:
        raise BadCommand(f"Unknown command type; use one of: {', '.join(KINDS)}.")
    ack = _msg_id(body, "msg_id" if kind == "ack_chat" else "ack", required=kind == "ack_chat")
    if kind == "ack_chat":
        return Command(kind, ack=ack)
    if kind == "start_chat":
        locale = body.get("locale")
        if locale is not None and not (isinstance(locale, str) and LOCALE_RE.match(locale)):
            raise BadCommand("'locale' must be a language tag such as 'nl' or 'fr-BE'.")
        resume = body.get("resume", False)
        if not isinstance(resume, bool):
            raise BadCommand("'resume' must be true or false.")
        return Command(kind, ack=ack, locale=locale, resume=resume)
    client_id = body.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise BadCommand("'id' must be 1 to 40 letters, digits, '-' or '_', new per command.")
    if kind == "send_msg":
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadCommand("'text' must be a non-empty string.")
        if len(text) > MAX_TEXT:
            raise BadCommand(f"'text' may be at most {MAX_TEXT} characters.")
        return Command(kind, client_id, ack, typed(text))
    data = body.get("data")
    if not isinstance(data, str) or len(data) > callback.MAX_BYTES:
        raise BadCommand(f"'data' must be a button's data, at most {callback.MAX_BYTES} bytes.")
    # Forged or stale data becomes a press nobody offered: the engine answers it with a short
    # note and the current choices, as it does for an old Telegram button.
    return Command(kind, client_id, ack, pressed(data))


def _msg_id(body: dict[str, Any], name: str, *, required: bool) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MSG_ID:
        raise BadCommand(f"'{name}' must be a message id (a whole number from 0).")
    return value


def tel_uri(phone: str) -> str:
    """'0800-2000' -> 'tel:08002000'; '+32 2 648 40 14' -> 'tel:+3226484014'."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}" if digits else ""


def message_event(msg_id: int, message: Message) -> dict[str, Any]:
    """A rendered message as the page gets it: plain strings only, never markup."""
    return {
        "type": "msg_out",
        "msg_id": msg_id,
        "text": message.text,
        "urgent": message.urgent,
        "cards": [
            {
                "title": card.title,
                "lines": list(card.lines),
                "phone": card.phone,
                "tel": tel_uri(card.phone) if card.phone else "",
                "links": [
                    {"label": label, "url": url}
                    for label, url in card.links
                    if SAFE_LINK.match(url)
                ],
            }
            for card in message.cards
        ],
        "buttons": [{"label": b.label, "data": b.data} for b in message.buttons],
    }
