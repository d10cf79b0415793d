"""Compact button data (Telegram allows 64 bytes): a choice or an intent, tagged with a version.

The version tag is a short hash of the flow file, so a button from an old message after a
flow change or restart is recognised as stale instead of doing something unexpected.
"""

from __future__ import annotations

from bot.engine.model import Intent, Press

MAX_BYTES = 64
_SEP = "|"


def encode(event: Press | Intent) -> str:
    if isinstance(event, Press):
        return _SEP.join(("p", event.version, event.at, str(event.index)))
    return _SEP.join(("i", event.name, event.arg or ""))


def decode(data: str | None) -> Press | Intent | None:
    """The event behind button data, or None for anything forged, truncated or unknown."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    parts = data.split(_SEP)
    if parts[0] == "p" and len(parts) == 4 and parts[3].isdigit() and ":" in parts[2]:
        return Press(at=parts[2], index=int(parts[3]), version=parts[1])
    if parts[0] == "i" and len(parts) == 3 and parts[1].isidentifier():
        return Intent(name=parts[1], arg=parts[2] or None)
    return None
