"""One small rule per kind of setting: the text of a variable -> its value, or Invalid saying
what a good value looks like. bot.config puts the variable's name in front of the reason.

No rule repeats a secret (token, keys, a database password) in its reason.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from storage.keys import MIN_SECRET_CHARS
from storage.settings import MEMORY_URL, async_url

Rule = Callable[[str], object]

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_MAX_RATE = 30  # messages a second in all: Telegram's documented limit for a bot
HIGHEST_MAX_RATE = 1000  # Telegram's ceiling even for paid broadcasts; above it is a typo
DEFAULT_TIMEOUT = 3600
TIMEOUT_RANGE = (60, 86_400)
DEFAULT_LISTEN = "127.0.0.1"
DEFAULT_PORT = 8080
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Where the quick exit goes: a weather site everybody visits, showing nothing personal.
DEFAULT_EXIT_URL = "https://www.buienradar.nl/"

TOKEN_RE = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,100}$")
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
HOST_RE = re.compile(r"^[A-Za-z0-9.:\[\]_-]{1,253}$")
RATE_RE = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,3})?$")
INT_RE = re.compile(r"^-?[0-9]{1,9}$")


class Invalid(ValueError):
    """A value a rule refuses; the message is the reason, without the variable's name."""


def bot_token(text: str) -> str:
    if not TOKEN_RE.match(text):
        raise Invalid(
            "does not look like a bot token: it should be digits, a colon, then about 35 "
            "letters, digits, '-' or '_', exactly as @BotFather gave it (the value is not "
            "shown here)."
        )
    return text


def api_url(text: str) -> str:
    if not is_http_url(text):
        raise Invalid(
            f"must be an http:// or https:// address, like {DEFAULT_API_URL} (the default) or "
            "http://localhost:8081/bot for a local Bot API server."
        )
    return text


def max_rate(text: str) -> float:
    """A plain decimal number ("30", "12.5"): no signs, exponents, nan or inf."""
    if not RATE_RE.match(text) or float(text) > HIGHEST_MAX_RATE:
        raise Invalid(
            f"must be messages per second from 0 to {HIGHEST_MAX_RATE} (default "
            f"{DEFAULT_MAX_RATE}, Telegram's limit; 0 = no cap, for tests or a Bot API server "
            f"that paces for itself); it is {text!r}."
        )
    return float(text)


def database_url(text: str) -> str:
    """sqlite://, postgresql:// or memory://; the reason never repeats the URL (a password)."""
    if text != MEMORY_URL:
        try:
            async_url(text)
        except ValueError as exc:
            raise Invalid(f"cannot be used: {exc}") from None
    return text


def folder_to_write(text: str) -> Path:
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise Invalid(
            f"is {text!r}, which is a file; it must be a folder the bot may write to "
            "(default ./data)."
        )
    return path


def secret_key(text: str) -> str:
    if len(text) < MIN_SECRET_CHARS:
        raise Invalid(
            f"is too short ({len(text)} characters; at least {MIN_SECRET_CHARS} needed). Make "
            "one with: python -c 'import secrets; print(secrets.token_hex(32))', or leave it "
            "unset to use a key file in the data folder."
        )
    return text


def session_timeout(text: str) -> int:
    low, high = TIMEOUT_RANGE
    if not INT_RE.match(text) or not low <= int(text) <= high:
        raise Invalid(
            f"must be a whole number of seconds from {low} to {high} (default "
            f"{DEFAULT_TIMEOUT}, one hour); it is {text!r}."
        )
    return int(text)


def log_level(text: str) -> str:
    if text.upper() not in LOG_LEVELS:
        raise Invalid(f"must be one of {', '.join(LOG_LEVELS)}; it is {text!r}.")
    return text.upper()


def webhook_secret(text: str) -> str:
    if not WEBHOOK_SECRET_RE.match(text):
        raise Invalid(
            "may only hold 1 to 256 letters, digits, '-' or '_' (Telegram's rule; the value "
            "is not shown here)."
        )
    return text


def webhook_url_reason(text: str) -> str:
    """Also used when the official Bot API is given a plain http:// webhook (bot.config)."""
    return (
        "must be a public https:// address, like https://bot.example.org/telegram (plain http "
        "only works with a local Bot API server set in FIRSTCONTACT_TELEGRAM_API_URL); it is "
        f"{text!r}."
    )


def webhook_url(text: str) -> str:
    if not is_http_url(text):
        raise Invalid(webhook_url_reason(text))
    return text


def listen(text: str) -> str:
    if not HOST_RE.match(text):
        raise Invalid(
            "must be a host name or IP address to listen on, like 127.0.0.1 (default) or "
            f"0.0.0.0; it is {text!r}."
        )
    return text


def port(text: str) -> int:
    if not INT_RE.match(text) or not 1 <= int(text) <= 65535:
        raise Invalid(
            f"must be a port number from 1 to 65535 (default {DEFAULT_PORT}); it is {text!r}."
        )
    return int(text)


def _words(text: str) -> list[str]:
    return text.replace(",", " ").split()


def _which(bad: list[str]) -> str:
    names = ", ".join(repr(one) for one in bad)
    return f"{names} is not one." if len(bad) == 1 else f"{names} are not."


def frame_ancestors(text: str) -> tuple[str, ...]:
    origins = tuple(origin.rstrip("/") for origin in _words(text))
    bad = [origin for origin in origins if not is_origin(origin)]
    if bad:
        raise Invalid(
            "lists sites that may embed the chat, as origins separated by spaces, like "
            f"https://www.example.org (scheme and host, no path); {_which(bad)}"
        )
    return origins


def trusted_proxies(text: str) -> tuple[str, ...]:
    proxies = tuple(_words(text))
    bad = [proxy for proxy in proxies if not _is_network(proxy)]
    if bad:
        raise Invalid(
            "lists the reverse proxies in front of the web chat, as IP addresses or networks "
            f"like 127.0.0.1 or 10.0.0.0/8; {_which(bad)}"
        )
    return proxies


def exit_url(text: str) -> str:
    if not is_http_url(text):
        raise Invalid(
            "is where the quick exit goes and must be an http(s) address of an ordinary site, "
            f"like {DEFAULT_EXIT_URL} (the default); it is {text!r}."
        )
    return text


def coordinator_page(text: str) -> bool:
    if text.lower() not in ("on", "off"):
        raise Invalid(
            "turns the coordinator page (/coordinators/) on or off: write on or off (the "
            f"default); it is {text!r}."
        )
    return text.lower() == "on"


def data_folder(what: str) -> Rule:
    """A folder that must exist, holding `what` (the flows, the catalogs)."""

    def rule(text: str) -> Path:
        path = Path(text)
        if not path.is_dir():
            raise Invalid(
                f"is {text!r}, which is not a folder; it must be the folder that holds {what}."
            )
        return path

    return rule


def yaml_file(text: str) -> Path:
    path = Path(text)
    if path.is_dir() or path.suffix not in (".yaml", ".yml"):
        raise Invalid(f"must be a .yaml file, like flows/referrals.yaml; it is {text!r}.")
    return path


def is_origin(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and "*" not in text
    )


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True
