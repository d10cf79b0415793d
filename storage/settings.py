"""Where sessions live and for how long, from the environment; shared by the bot and commands."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.base import DEFAULT_TTL_SECONDS

DATABASE_URL_ENV = "FIRSTCONTACT_DATABASE_URL"
DATA_DIR_ENV = "FIRSTCONTACT_DATA_DIR"
SESSION_TIMEOUT_ENV = "FIRSTCONTACT_SESSION_TIMEOUT"
DEFAULT_DATA_DIR = "./data"
DATABASE_FILE = "firstcontact.sqlite"
MEMORY_URL = "memory://"

_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "postgres": "asyncpg"}
_URL_HELP = "Use sqlite:///path/to/file.sqlite, postgresql://user@host/database or memory://."


def default_data_dir(env: Mapping[str, str]) -> Path:
    """FIRSTCONTACT_DATA_DIR, else ./data (relative to where the bot is started)."""
    return Path(env.get(DATA_DIR_ENV, "").strip() or DEFAULT_DATA_DIR)


def default_database_url(env: Mapping[str, str]) -> str:
    """FIRSTCONTACT_DATABASE_URL, else an SQLite file in the data directory."""
    url = env.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{default_data_dir(env) / DATABASE_FILE}"


def session_ttl_seconds(env: Mapping[str, str]) -> int:
    """FIRSTCONTACT_SESSION_TIMEOUT in seconds (default 3600); ValueError says how to fix it."""
    text = env.get(SESSION_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TTL_SECONDS
    try:
        seconds = int(text)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise ValueError(
            f"{SESSION_TIMEOUT_ENV} must be a whole number of seconds above 0, like 3600; "
            f"it is {text!r}."
        )
    return seconds


def async_url(url: str) -> URL:
    """The URL with its async driver (sqlite -> aiosqlite, postgresql -> asyncpg).

    Errors never repeat the URL, which may hold a password.
    """
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        raise ValueError(f"The database URL could not be read. {_URL_HELP}") from None
    backend, _, driver = parsed.drivername.partition("+")
    wanted = _ASYNC_DRIVERS.get(backend)
    if wanted is None:
        raise ValueError(f"Database type {backend!r} is not supported. {_URL_HELP}")
    if driver and driver != wanted:
        raise ValueError(
            f"Database driver {driver!r} is not supported; leave it out (like {backend}://...) "
            f"and {wanted} is used."
        )
    backend = "postgresql" if backend == "postgres" else backend
    return parsed.set(drivername=f"{backend}+{wanted}")


def sqlite_file(url: URL) -> Path | None:
    """The database file of an SQLite URL, or None for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)
