"""What a man typed or pressed -> the engine event it means, the same on every channel.

Telegram, the terminal and the web chat all call `typed()` (the one command parser) and
`pressed()` (button data), so "/stop@SomeBot", "/START" and "/menu@SomeBot please" mean the
same everywhere, the engine only ever sees clean text, and a forged button is never trusted.
"""

from __future__ import annotations

from bot.engine import callback
from bot.engine.model import Event, Intent, Press, Start, Text

MAX_TEXT = 4096  # Telegram never delivers more; the other channels are held to the same

# A forged or unknown button: a Press the engine can never match, so it answers "stale".
FORGED_PRESS = Press(at="", index=-1)

# Commands that are not words the engine matches: /start begins again, /stop and /help act
# at once. Every other "/word" stays text for the engine's intents (/menu, /taal, /terug).
COMMANDS: dict[str, Event] = {
    "start": Start(),
    "stop": Intent("stop"),
    "help": Intent("help"),
}


def command_name(text: str) -> str | None:
    """'/Stop@SomeBot now' -> 'stop'; None when the text is not a command."""
    head = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    if not head.startswith("/") or len(head) < 2:
        return None
    return head[1:].split("@", 1)[0].lower()


def typed(text: str, language: str | None = None) -> Event:
    """The event for typed text; `language` is the client's, used only by /start."""
    name = command_name(text)
    command = COMMANDS.get(name) if name is not None else None
    if isinstance(command, Start):
        return Start(locale=language)  # the client's language, only used if the bot has it
    if command is not None:
        return command
    if name is not None and "@" in text.split(maxsplit=1)[0]:
        _, _, rest = text.strip().partition(" ")
        text = f"/{name} {rest}".strip()  # "/menu@bot" works like "/menu"
    return Text(text[:MAX_TEXT])


def pressed(data: object) -> Event:
    """The event behind button data; anything forged, old-format or not text is FORGED_PRESS."""
    return (callback.decode(data) if isinstance(data, str) else None) or FORGED_PRESS
