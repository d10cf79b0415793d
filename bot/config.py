"""Settings from FIRSTCONTACT_* environment variables: the one module that reads the environment.

Every variable is declared once in VARIABLES (its name, the field it fills, the default, its
rule in bot/config_rules.py and the help the README repeats). All wrong values are reported
together, each message naming the variable and what a good value looks like, so an operator
fixes everything in one go; secrets (token, keys, a database password) are never repeated in a
message or in repr(). Nothing reads the environment at import time: commands ask for Settings,
or for the part they need (StoreSettings, DataPaths), when they run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot import config_rules as rules
from bot import shipped
from bot.config_rules import DEFAULT_API_URL, DEFAULT_EXIT_URL, Invalid, Rule
from bot.problems import ERROR, DataError, Problem
from storage.settings import DATABASE_FILE, DEFAULT_DATA_DIR, MEMORY_URL

PREFIX = "FIRSTCONTACT_"
TELEGRAM, STORE, WEB, PATHS, PROCESS = "telegram", "store", "web", "paths", "process"
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
FLOWS_DIR = "FIRSTCONTACT_FLOWS_DIR"
REFERRALS = "FIRSTCONTACT_REFERRALS"
LOCALES_DIR = "FIRSTCONTACT_LOCALES_DIR"


@dataclass(frozen=True, slots=True)
class Variable:
    """One environment variable: unset or blank means `default` (None: no value)."""

    name: str
    field: str
    group: str
    rule: Rule
    default: str | None
    help: str
    shown_default: str = ""  # the README's words when `default` is not the plain text


VARIABLES = (
    Variable(TOKEN, "telegram_token", TELEGRAM, rules.bot_token, None,
             "the bot token from @BotFather; `run` serves Telegram too when it is set",
             "(none: Telegram off)"),
    Variable(API_URL, "telegram_api_url", TELEGRAM, rules.api_url, DEFAULT_API_URL,
             "Bot API base URL (a self-hosted Bot API server, or a test server)"),
    Variable(MAX_RATE, "telegram_max_rate", TELEGRAM, rules.max_rate, str(rules.DEFAULT_MAX_RATE),
             "messages per second to all chats together (0–1000), Telegram's limit; `0` = no "
             "cap of the bot's own, for tests or a Bot API server that paces for itself "
             "(Telegram answers a bot that sends too fast with 429, which is waited out)"),
    Variable(DATA_DIR, "data_dir", STORE, rules.folder_to_write, DEFAULT_DATA_DIR,
             "where the SQLite file and the secret key file live"),
    Variable(DATABASE_URL, "database_url", STORE, rules.database_url, None,
             "or `postgresql://user@host/db` in production, `memory://` to keep nothing on disk",
             f"`sqlite:///<data dir>/{DATABASE_FILE}`"),
    Variable(SECRET_KEY, "secret_key", PROCESS, rules.secret_key, None,
             "the key for hashing chat ids into session keys (≥ 32 characters)",
             "a random key in `<data dir>/secret.key`"),
    Variable(SESSION_TIMEOUT, "session_timeout", STORE, rules.session_timeout,
             str(rules.DEFAULT_TIMEOUT),
             "seconds of silence after which a session is forgotten (60–86400)"),
    Variable(LOG_LEVEL, "log_level", PROCESS, rules.log_level, "INFO",
             "`DEBUG`, `INFO`, `WARNING` or `ERROR`; logs never contain ids, names or text"),
    Variable(LISTEN, "listen", PROCESS, rules.listen, rules.DEFAULT_LISTEN,
             "the address the web chat (and Telegram's webhook) is served on; `--listen`"),
    Variable(PORT, "port", PROCESS, rules.port, str(rules.DEFAULT_PORT),
             "the port the web chat (and Telegram's webhook) is served on; `--port`"),
    Variable(WEBHOOK_URL, "webhook_url", TELEGRAM, rules.webhook_url, None,
             "webhook mode (`run --webhook`): the public https address Telegram posts to; "
             "`--webhook-url`", "(none)"),
    Variable(WEBHOOK_SECRET, "webhook_secret", TELEGRAM, rules.webhook_secret, None,
             "webhook mode (`run --webhook`): the secret Telegram sends with every update",
             "(none)"),
    Variable(WEB_EXIT_URL, "web_exit_url", WEB, rules.exit_url, DEFAULT_EXIT_URL,
             "the neutral site the quick exit replaces the page with"),
    Variable(WEB_FRAME_ANCESTORS, "web_frame_ancestors", WEB, rules.frame_ancestors, "",
             "origins that may embed the chat, e.g. `https://www.example.org`",
             "(none: no framing)"),
    Variable(WEB_TRUSTED_PROXIES, "web_trusted_proxies", WEB, rules.trusted_proxies, "",
             "reverse proxies whose `X-Forwarded-*` headers count (Secure cookie, real address "
             "for rate limits)", "(none)"),
    Variable(COORDINATOR_PAGE, "coordinator_page", WEB, rules.coordinator_page, "off",
             "`on` serves the coordinator page at `/coordinators/` (needs SQLite or "
             "PostgreSQL; `docs/coordinators.md`)"),
    Variable(FLOWS_DIR, "flows_dir", PATHS, rules.data_folder("the flows"),
             str(shipped.FLOWS_DIR),
             "the flows, intents and recognition words (the Dockerfile sets it)",
             "this checkout's `flows/`"),
    Variable(REFERRALS, "referrals_file", PATHS, rules.yaml_file, str(shipped.REFERRALS_FILE),
             "the shipped referral directory: the directory itself lives in the database, "
             "seeded from this file (with `memory://`, this file is the directory)",
             "this checkout's `flows/referrals.yaml`"),
    Variable(LOCALES_DIR, "locales_dir", PATHS,
             rules.data_folder("the translations (<language>/LC_MESSAGES/firstcontact.po)"),
             str(shipped.LOCALES_DIR), "the translations (the Dockerfile sets it)",
             "this checkout's `locales/`"),
)  # fmt: skip
BY_NAME = {variable.name: variable for variable in VARIABLES}


class ConfigError(DataError):
    """One or more environment variables are wrong; `problems` has one message per value."""

    def report(self, title: str) -> None:
        """The title, then each problem on a line of its own, on stderr: never a traceback."""
        print(title, file=sys.stderr)
        for problem in self.problems:
            print(f"  - {problem.message}", file=sys.stderr)


def markdown_table() -> str:
    """The README's table of variables, written from VARIABLES (tests/test_settings_table.py)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        default = variable.shown_default or (f"`{variable.default}`" if variable.default else "")
        rows.append(f"| `{variable.name}` | {default} | {variable.help} |")
    return "\n".join(rows) + "\n"


def environment() -> Mapping[str, str]:
    """The process's environment: read here and nowhere else (tests/test_settings_table.py)."""
    return os.environ


def read(
    groups: tuple[str, ...],
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> tuple[dict[str, object], list[str]]:
    """Each variable of `groups` through its rule: the values by field, and every problem."""
    given = dict(environment() if env is None else env)
    given.update({k: v for k, v in (overrides or {}).items() if v is not None})
    values: dict[str, object] = {}
    problems: list[str] = []
    for variable in VARIABLES:
        if variable.group not in groups:
            continue
        text = (given.get(variable.name) or "").strip() or variable.default
        try:
            values[variable.field] = None if text is None else variable.rule(text)
        except Invalid as exc:
            problems.append(f"{variable.name} {exc}")
    if STORE in groups and "data_dir" in values and values.get("database_url") is None:
        values["database_url"] = f"sqlite:///{Path(str(values['data_dir'])) / DATABASE_FILE}"
    return values, problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise ConfigError([Problem(ERROR, None, message) for message in problems])


@dataclass(frozen=True)
class StoreSettings:
    """Where sessions, figures and the directory live: all purge, stats and referrals need."""

    database_url: str = field(default="", repr=False)  # may hold a password
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    session_timeout: int = rules.DEFAULT_TIMEOUT

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, database_url: str | None = None
    ) -> StoreSettings:
        values, problems = read((STORE,), env, {DATABASE_URL: database_url})
        _raise(problems)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DataPaths:
    """Where the flows, the shipped referral directory and the translations are read from."""

    flows_dir: Path = shipped.FLOWS_DIR
    referrals_file: Path = shipped.REFERRALS_FILE
    locales_dir: Path = shipped.LOCALES_DIR

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DataPaths:
        values, problems = read((PATHS,), env)
        _raise(problems)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Settings:
    """What the bot needs to run; build it with Settings.from_env()."""

    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str = DEFAULT_API_URL
    telegram_max_rate: float = float(rules.DEFAULT_MAX_RATE)  # messages a second; 0 = no cap
    database_url: str = field(default="", repr=False)  # may hold a password
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    secret_key: str | None = field(default=None, repr=False)
    session_timeout: int = rules.DEFAULT_TIMEOUT
    log_level: str = "INFO"
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_url: str | None = None
    listen: str = rules.DEFAULT_LISTEN
    port: int = rules.DEFAULT_PORT
    web_frame_ancestors: tuple[str, ...] = ()  # origins that may embed the web chat
    web_trusted_proxies: tuple[str, ...] = ()  # proxies whose X-Forwarded-* headers count
    web_exit_url: str = DEFAULT_EXIT_URL
    coordinator_page: bool = False  # /coordinators/ on the web chat's server (off unless on)
    flows_dir: Path = shipped.FLOWS_DIR
    referrals_file: Path = shipped.REFERRALS_FILE
    locales_dir: Path = shipped.LOCALES_DIR

    @property
    def official_api(self) -> bool:
        return self.telegram_api_url.rstrip("/") == DEFAULT_API_URL

    @property
    def webhook_path(self) -> str:
        """The path the web server answers Telegram on: the webhook URL's own path."""
        path = urlsplit(self.webhook_url).path if self.webhook_url else ""
        return path if path and path != "/" else "/telegram"

    @property
    def store(self) -> StoreSettings:
        return StoreSettings(self.database_url, self.data_dir, self.session_timeout)

    @property
    def paths(self) -> DataPaths:
        return DataPaths(self.flows_dir, self.referrals_file, self.locales_dir)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        require_token: bool = False,
        webhook: bool = False,
        overrides: Mapping[str, str | None] | None = None,
    ) -> Settings:
        """Read and check every variable (`env` defaults to the process's environment, and
        `overrides` are command-line options laid over it); raises ConfigError listing all
        problems at once."""
        values, problems = read((TELEGRAM, STORE, WEB, PATHS, PROCESS), env, overrides)
        problems += _mode_problems(values, require_token=require_token, webhook=webhook)
        _raise(problems)
        return cls(**values)  # type: ignore[arg-type]


def _mode_problems(values: dict[str, object], *, require_token: bool, webhook: bool) -> list[str]:
    """What a mode needs beyond each value's own rule: a token, the webhook's secret and URL."""
    found = []

    def unset(name: str) -> bool:  # given and refused by its rule is not "unset"
        return name in values and values[name] is None

    if require_token and unset("telegram_token"):
        found.append(
            f"{TOKEN} is not set. Ask @BotFather in Telegram for a bot token and set it, "
            f"like {TOKEN}=123456789:AAE... (keep it secret)."
        )
    if webhook and unset("webhook_secret"):
        found.append(
            f"{WEBHOOK_SECRET} is not set; webhook mode needs it so only Telegram can send "
            "updates. Use 1 to 256 letters, digits, '-' or '_', like the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
        )
    if webhook and unset("webhook_url"):
        found.append(
            f"{WEBHOOK_URL} (or --webhook-url) is not set; webhook mode needs the public "
            "https address Telegram should post to, like https://bot.example.org/telegram."
        )
    if values.get("coordinator_page") and str(values.get("database_url")).strip() == MEMORY_URL:
        found.append(
            f"{COORDINATOR_PAGE} is on, but {DATABASE_URL} is memory://: the coordinators, "
            "their sign-ins and the directory's history live in the bot's database; use "
            "SQLite (the default) or PostgreSQL, or turn the page off."
        )
    url = values.get("webhook_url")
    official = str(values.get("telegram_api_url", "")).rstrip("/") == DEFAULT_API_URL
    if isinstance(url, str) and official and urlsplit(url).scheme != "https":
        found.append(f"{WEBHOOK_URL} {rules.webhook_url_reason(url)}")
    return found
