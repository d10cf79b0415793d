"""Rendered messages -> Telegram HTML parts of at most 4096 characters, buttons on the last.

Everything volunteers or the directory wrote is escaped, so a stray "<" in a flow file can
never break a message or inject markup. Links become URL buttons (http/https only), choices
become callback buttons, one per row, so long Dutch labels stay readable on a phone.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.render import CardView, Message

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # Telegram's limit for one message
MAX_CALLBACK_BYTES = 64
MAX_BUTTON_LABEL = 64
MAX_TITLE = 256
FALLBACK_TEXT = "…"  # Telegram refuses an empty text; a message of only buttons needs something

# Bot API JSON, not PTB objects: building and serialising InlineKeyboardMarkup cost more CPU per
# reply than the conversation itself, and outbox sends this dict as it is.
Button = dict[str, str]
Keyboard = dict[str, list[list[Button]]]  # {"inline_keyboard": rows}


@dataclass(frozen=True, slots=True)
class Part:
    """One sendMessage: HTML text and, on the last part only, the keyboard."""

    html: str
    markup: Keyboard | None = None


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); never less than the visible length."""
    return len(text.encode("utf-16-le")) // 2


def safe_url(url: str) -> str | None:
    """The URL if it is an absolute http(s) link Telegram will accept as a button, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if any(ch.isspace() for ch in url.strip()):
        return None
    return url.strip()


def _label(text: str) -> str:
    text = " ".join(text.split()) or "…"
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


def keyboard(message: Message) -> Keyboard | None:
    """Link buttons from the cards first, then the choices; one button per row.

    A link button says whose link it is ("Veilig Thuis · Website"): several cards each have
    a "Website", and a bare label would not tell them apart.
    """
    rows: list[list[Button]] = []
    seen: set[str] = set()
    for card in message.cards:
        for label, url in card.links:
            good = safe_url(url)
            if good is None:
                log.warning("link button skipped: not an http(s) URL card=%s", card.key)
                continue
            if good in seen:
                continue
            seen.add(good)
            text = f"{card.title.strip()} · {label}" if card.title.strip() else label
            rows.append([{"text": _label(text), "url": good}])
    for button in message.buttons:
        if not button.data or len(button.data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            log.warning("button skipped: callback data too long")
            continue
        rows.append([{"text": _label(button.label), "callback_data": button.data}])
    return {"inline_keyboard": rows} if rows else None


def _card_lines(card: CardView) -> list[str]:
    """A card as HTML lines: a bold title, then one escaped fact per line."""
    title = " ".join(card.title.split())[:MAX_TITLE]
    lines = [f"<b>{html.escape(title)}</b>"] if title else []
    lines.extend(html.escape(line) for line in card.lines if line.strip())
    return lines


def _split_plain(text: str, limit: int) -> list[str]:
    """Cut one over-long line into escaped pieces that each fit, never inside an entity."""
    pieces: list[str] = []
    current = ""
    for ch in text:
        piece = html.escape(ch)
        if current and _units(current) + _units(piece) > limit:
            pieces.append(current)
            current = ""
        current += piece
    if current:
        pieces.append(current)
    return pieces


def _blocks(message: Message) -> list[list[str]]:
    """The message as blocks (text, then one per card) of HTML lines without markup across lines."""
    blocks: list[list[str]] = []
    text = message.text.strip()
    if text:
        blocks.append([html.escape(line) for line in text.split("\n")])
    for card in message.cards:
        lines = _card_lines(card)
        if lines:
            blocks.append(lines)
    return blocks


def to_parts(message: Message, limit: int = MAX_TEXT) -> list[Part]:
    """Pack blocks into as few messages as fit; a card is only split if it alone is too long."""
    texts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            texts.append("\n".join(current).strip("\n"))
            current.clear()

    def size(lines: list[str]) -> int:
        return sum(_units(line) for line in lines) + max(len(lines) - 1, 0)

    for block in _blocks(message):
        gap = [""] if current else []
        if current and size([*current, *gap, *block]) <= limit:
            current.extend([*gap, *block])
            continue
        flush()
        for line in block:
            if _units(line) > limit:
                # Only a plain text line can be this long; re-split its unescaped form.
                flush()
                for piece in _split_plain(html.unescape(line), limit):
                    texts.append(piece)
                continue
            if current and size([*current, line]) > limit:
                flush()
            current.append(line)
    flush()
    texts = [t for t in texts if t.strip()]
    markup = keyboard(message)
    if not texts:
        if markup is None:
            return []
        texts = [FALLBACK_TEXT]
    parts = [Part(t) for t in texts[:-1]]
    parts.append(Part(texts[-1], markup))
    return parts
