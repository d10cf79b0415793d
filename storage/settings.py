"""Database URLs: each one's async driver and SQLite file; the defaults bot.config uses."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATA_DIR = "./data"
DATABASE_FILE = "firstcontact.sqlite"
MEMORY_URL = "memory://"

_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "postgres": "asyncpg"}
_URL_HELP = "Use sqlite:///path/to/file.sqlite, postgresql://user@host/database or memory://."


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
