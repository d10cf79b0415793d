"""Logging that cannot leak: key=value lines, token redaction, chatty libraries kept quiet.

PTB logs whole updates (names, text) at DEBUG and httpx logs request URLs (with the bot token)
at INFO, so those loggers are held at a level where they say neither, whatever level the
operator picks for the bot itself.
"""

from __future__ import annotations

import logging
import re
import sys
import time

# A bot token: digits, a colon, then the secret part.
TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")

# logger -> the lowest level it may log at (its DEBUG/INFO lines carry URLs or update bodies).
LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    "aiohttp.access": logging.WARNING,  # its format starts with the client's address
    "aiosqlite": logging.INFO,
    "asyncio": logging.INFO,
    "alembic": logging.WARNING,  # schema migration chatter at every start
}
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_EXC_CHARS = 300


def redact(text: str) -> str:
    return TOKEN_RE.sub("<token>", text)


def quiet_libraries() -> None:
    """Hold library loggers at their floor, or at the root's level if that is higher."""
    root = logging.getLogger().getEffectiveLevel()
    for name, floor in LIBRARY_FLOORS.items():
        logger = logging.getLogger(name)
        wanted = max(floor, root)
        if logger.level == logging.NOTSET or logger.level < wanted:
            logger.setLevel(wanted)


def _quote(value: str) -> str:
    if value and not any(c in value for c in ' "=\n\t'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class KeyValueFormatter(logging.Formatter):
    """`time=… level=… logger=… msg="…"`; an exception is its type and a short redacted note.

    Tracebacks are left out on purpose: a library's exception text can quote a request.
    """

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        parts = [
            f"time={stamp}.{int(record.msecs):03d}Z",
            f"level={record.levelname}",
            f"logger={record.name}",
            f"msg={_quote(redact(record.getMessage()))}",
        ]
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            parts.append(f"exc={type(exc).__name__}")
            note = redact(str(exc))[:MAX_EXC_CHARS]
            if note:
                parts.append(f"exc_note={_quote(note)}")
        return " ".join(parts)


def configure_logging(level: str = "INFO") -> None:
    """One stderr handler with the key=value format, for `firstcontact run`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    logging.captureWarnings(True)
    quiet_libraries()
