"""Settings from FIRSTCONTACT_* environment variables, checked all at once before the bot starts.

Every wrong value gets its own message saying what is wrong and what a good value looks like,
so an operator fixes everything in one go. Secrets (token, keys) are never repeated in a
message or in repr().
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.problems import ERROR, DataError, Problem
from storage.keys import MIN_SECRET_CHARS
from storage.settings import MEMORY_URL, async_url, default_data_dir, default_database_url

PREFIX = "FIRSTCONTACT_"
TOKEN = "FIRSTCONTACT_TELEGRAM_TOKEN"
API_URL = "FIRSTCONTACT_TELEGRAM_API_URL"
MAX_RATE = "FIRSTCONTACT_TELEGRAM_MAX_RATE"
DATABASE_URL = "FIRSTCONTACT_DATABASE_URL"
DATA_DIR = "FIRSTCONTACT_DATA_DIR"
SECRET_KEY = "FIRSTCONTACT_SECRET_KEY"
SESSION_TIMEOUT = "FIRSTCONTACT_SESSION_TIMEOUT"
LOG_LEVEL = "FIRSTCONTACT_LOG_LEVEL"
WEBHOOK_SECRET = "FIRSTCONTACT_WEBHOOK_SECRET"
WEBHOOK_URL = "FIRSTCONTACT_WEBHOOK_URL"
LISTEN = "FIRSTCONTACT_LISTEN"
PORT = "FIRSTCONTACT_PORT"
WEB_FRAME_ANCESTORS = "FIRSTCONTACT_WEB_FRAME_ANCESTORS"
WEB_TRUSTED_PROXIES = "FIRSTCONTACT_WEB_TRUSTED_PROXIES"
WEB_EXIT_URL = "FIRSTCONTACT_WEB_EXIT_URL"
COORDINATOR_PAGE = "FIRSTCONTACT_COORDINATOR_PAGE"

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


class ConfigError(DataError):
    """One or more environment variables are wrong; `problems` has one message per value."""


@dataclass(frozen=True)
class Settings:
    """What the bot needs to run; build it with Settings.from_env(os.environ)."""

    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str = DEFAULT_API_URL
    telegram_max_rate: float = float(DEFAULT_MAX_RATE)  # messages per second in all; 0 = no cap
    database_url: str = field(default="", repr=False)  # may hold a password
    data_dir: Path = Path("./data")
    secret_key: str | None = field(default=None, repr=False)
    session_timeout: int = DEFAULT_TIMEOUT
    log_level: str = "INFO"
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_url: str | None = None
    listen: str = DEFAULT_LISTEN
    port: int = DEFAULT_PORT
    web_frame_ancestors: tuple[str, ...] = ()  # origins that may embed the web chat
    web_trusted_proxies: tuple[str, ...] = ()  # proxies whose X-Forwarded-* headers count
    web_exit_url: str = DEFAULT_EXIT_URL
    coordinator_page: bool = False  # /coordinators/ on the web chat's server (off unless on)

    @property
    def official_api(self) -> bool:
        return self.telegram_api_url.rstrip("/") == DEFAULT_API_URL

    @property
    def webhook_path(self) -> str:
        """The path the web server answers Telegram on: the webhook URL's own path."""
        path = urlsplit(self.webhook_url).path if self.webhook_url else ""
        return path if path and path != "/" else "/telegram"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], *, require_token: bool = False, webhook: bool = False
    ) -> Settings:
        """Read and check every variable; raises ConfigError listing all problems at once."""
        problems: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        token = get(TOKEN)
        if token is None:
            if require_token:
                problems.append(
                    f"{TOKEN} is not set. Ask @BotFather in Telegram for a bot token and set it, "
                    f"like {TOKEN}=123456789:AAE... (keep it secret)."
                )
        elif not TOKEN_RE.match(token):
            problems.append(
                f"{TOKEN} does not look like a bot token: it should be digits, a colon, then "
                "about 35 letters, digits, '-' or '_', exactly as @BotFather gave it "
                "(the value is not shown here)."
            )

        api_url = get(API_URL) or DEFAULT_API_URL
        if not _is_http_url(api_url):
            problems.append(
                f"{API_URL} must be an http:// or https:// address, like {DEFAULT_API_URL} "
                "(the default) or http://localhost:8081/bot for a local Bot API server."
            )

        max_rate = _rate(get(MAX_RATE), DEFAULT_MAX_RATE)
        if max_rate is None or max_rate > HIGHEST_MAX_RATE:
            problems.append(
                f"{MAX_RATE} must be messages per second from 0 to {HIGHEST_MAX_RATE} "
                f"(default {DEFAULT_MAX_RATE}, Telegram's limit; 0 = no cap, for tests or a Bot "
                f"API server that paces for itself); it is {env.get(MAX_RATE)!r}."
            )

        database_url = default_database_url(env)
        if database_url != MEMORY_URL:
            try:
                async_url(database_url)
            except ValueError as exc:
                problems.append(f"{DATABASE_URL}: {exc}")

        data_dir = default_data_dir(env)
        if data_dir.exists() and not data_dir.is_dir():
            problems.append(
                f"{DATA_DIR} is {str(data_dir)!r}, which is a file; it must be a folder the bot "
                "may write to (default ./data)."
            )

        secret_key = get(SECRET_KEY)
        if secret_key is not None and len(secret_key) < MIN_SECRET_CHARS:
            problems.append(
                f"{SECRET_KEY} is too short ({len(secret_key)} characters; at least "
                f"{MIN_SECRET_CHARS} needed). Make one with: "
                "python -c 'import secrets; print(secrets.token_hex(32))', or leave it unset "
                "to use a key file in the data folder."
            )

        timeout = _int(get(SESSION_TIMEOUT), DEFAULT_TIMEOUT)
        low, high = TIMEOUT_RANGE
        if timeout is None or not low <= timeout <= high:
            problems.append(
                f"{SESSION_TIMEOUT} must be a whole number of seconds from {low} to {high} "
                f"(default {DEFAULT_TIMEOUT}, one hour); it is {env.get(SESSION_TIMEOUT)!r}."
            )

        log_level = (get(LOG_LEVEL) or "INFO").upper()
        if log_level not in LOG_LEVELS:
            problems.append(
                f"{LOG_LEVEL} must be one of {', '.join(LOG_LEVELS)}; it is {env.get(LOG_LEVEL)!r}."
            )

        webhook_secret = get(WEBHOOK_SECRET)
        if webhook_secret is None:
            if webhook:
                problems.append(
                    f"{WEBHOOK_SECRET} is not set; webhook mode needs it so only Telegram can "
                    "send updates. Use 1 to 256 letters, digits, '-' or '_', like the output of "
                    "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
                )
        elif not WEBHOOK_SECRET_RE.match(webhook_secret):
            problems.append(
                f"{WEBHOOK_SECRET} may only hold 1 to 256 letters, digits, '-' or '_' "
                "(Telegram's rule; the value is not shown here)."
            )

        official = api_url.rstrip("/") == DEFAULT_API_URL
        webhook_url = get(WEBHOOK_URL)
        if webhook_url is None:
            if webhook:
                problems.append(
                    f"{WEBHOOK_URL} (or --webhook-url) is not set; webhook mode needs the public "
                    "https address Telegram should post to, like https://bot.example.org/telegram."
                )
        elif not _is_http_url(webhook_url) or (
            official and urlsplit(webhook_url).scheme != "https"
        ):
            problems.append(
                f"{WEBHOOK_URL} must be a public https:// address, like "
                "https://bot.example.org/telegram (plain http only works with a local Bot API "
                f"server set in {API_URL}); it is {webhook_url!r}."
            )

        listen = get(LISTEN) or DEFAULT_LISTEN
        if not HOST_RE.match(listen):
            problems.append(
                f"{LISTEN} must be a host name or IP address to listen on, like 127.0.0.1 "
                f"(default) or 0.0.0.0; it is {env.get(LISTEN)!r}."
            )

        port = _int(get(PORT), DEFAULT_PORT)
        if port is None or not 1 <= port <= 65535:
            problems.append(
                f"{PORT} must be a port number from 1 to 65535 (default {DEFAULT_PORT}); "
                f"it is {env.get(PORT)!r}."
            )

        web = web_settings(env, problems)
        if web["coordinator_page"] and database_url.strip() == MEMORY_URL:
            problems.append(
                f"{COORDINATOR_PAGE} is on, but {DATABASE_URL} is memory://: the coordinators, "
                "their sign-ins and the directory's history live in the bot's database; use "
                "SQLite (the default) or PostgreSQL, or turn the page off."
            )

        if problems:
            raise ConfigError([Problem(ERROR, None, message) for message in problems])
        assert timeout is not None and port is not None and max_rate is not None
        return cls(
            telegram_token=token,
            telegram_api_url=api_url,
            telegram_max_rate=max_rate,
            database_url=database_url,
            data_dir=data_dir,
            secret_key=secret_key,
            session_timeout=timeout,
            log_level=log_level,
            webhook_secret=webhook_secret,
            webhook_url=webhook_url,
            listen=listen,
            port=port,
            **web,
        )


def web_settings(env: Mapping[str, str], problems: list[str]) -> dict[str, object]:
    """The web chat's settings and its coordinator page's; each wrong value adds its own
    message to `problems`."""
    given = (env.get(WEB_FRAME_ANCESTORS) or "").replace(",", " ").split()
    ancestors = tuple(origin.rstrip("/") for origin in given)
    for origin in ancestors:
        if not _is_origin(origin):
            problems.append(
                f"{WEB_FRAME_ANCESTORS} lists sites that may embed the chat, as origins "
                "separated by spaces, like https://www.example.org (scheme and host, no path); "
                f"{origin!r} is not one."
            )
    proxies = tuple((env.get(WEB_TRUSTED_PROXIES) or "").replace(",", " ").split())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            problems.append(
                f"{WEB_TRUSTED_PROXIES} lists the reverse proxies in front of the web chat, as "
                f"IP addresses or networks like 127.0.0.1 or 10.0.0.0/8; {proxy!r} is not one."
            )
    exit_url = (env.get(WEB_EXIT_URL) or "").strip() or DEFAULT_EXIT_URL
    if not _is_http_url(exit_url):
        problems.append(
            f"{WEB_EXIT_URL} is where the quick exit goes and must be an http(s) address of an "
            f"ordinary site, like {DEFAULT_EXIT_URL} (the default); it is {exit_url!r}."
        )
    page = (env.get(COORDINATOR_PAGE) or "off").strip().lower()
    if page not in ("on", "off"):
        problems.append(
            f"{COORDINATOR_PAGE} turns the coordinator page (/coordinators/) on or off: write "
            f"on or off (the default); it is {env.get(COORDINATOR_PAGE)!r}."
        )
    return {
        "web_frame_ancestors": ancestors,
        "web_trusted_proxies": proxies,
        "web_exit_url": exit_url,
        "coordinator_page": page == "on",
    }


def _is_origin(text: str) -> bool:
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


def _int(text: str | None, default: int) -> int | None:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return None


def _rate(text: str | None, default: float) -> float | None:
    """A plain decimal number ("30", "12.5"); None for anything else (signs, exponents, nan)."""
    if text is None:
        return float(default)
    return float(text) if RATE_RE.match(text) else None


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
