"""`firstcontact purge`: delete expired sessions now, e.g. from cron or before a backup."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import DATABASE_URL, SESSION_TIMEOUT, ConfigError, StoreSettings
from storage import StoreUnavailable, open_store
from storage.faults import describe_error
from storage.settings import MEMORY_URL, async_url, sqlite_file

EXAMPLE = "Example: firstcontact purge --database-url sqlite:///data/firstcontact.sqlite"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "purge",
        help="delete expired sessions now",
        description=(
            "Delete every session idle longer than the session timeout and say how many.\n"
            f"The timeout is {SESSION_TIMEOUT} in seconds (default 3600)."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help=f"database to purge (default: {DATABASE_URL}, else ./data/firstcontact.sqlite)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        store = StoreSettings.from_env(database_url=args.database_url)
    except ConfigError as exc:
        exc.report("firstcontact purge: fix these settings:")
        return 2
    url, ttl = store.database_url, store.session_timeout
    path = None if url.strip() == MEMORY_URL else sqlite_file(async_url(url))
    if path is not None and not path.exists():
        print(f"No database at {path} yet, so there is nothing to purge.")
        return 0
    try:
        purged = asyncio.run(_purge(url, ttl))
    except StoreUnavailable as exc:
        print(f"firstcontact purge: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # opened, but the purge itself failed (locked, not our table, ...)
        print(
            f"firstcontact purge: could not purge the database ({describe_error(exc)}). "
            "Try again; if it keeps failing, check the database's own log.",
            file=sys.stderr,
        )
        return 1
    print(f"Deleted {purged} expired session{'' if purged == 1 else 's'}.")
    return 0


async def _purge(url: str, ttl: int) -> int:
    store = await open_store(url, ttl)
    try:
        return await store.purge(store.now())
    finally:
        await store.close()
