"""`firstcontact coordinators ...`: who may sign in to the coordinator page."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime

from bot.commands.parsers import add_command, add_group

ADD_HELP = """\
Add a coordinator who may sign in to the coordinator page (FIRSTCONTACT_COORDINATOR_PAGE=on).
NAME is a first name or a role: it is what the directory's history keeps of them, nothing
else. The password is asked twice in the terminal (at least 12 characters) and stored only as
an argon2 hash; --password-stdin reads it from the first line of standard input instead.
Reads FIRSTCONTACT_DATABASE_URL (the same database as the bot)."""


def register(sub) -> None:
    inner = add_group(
        sub,
        "coordinators",
        "add, list or remove who may sign in to the coordinator page",
        "firstcontact coordinators add Anna",
        "Who may sign in to the coordinator page: a name or role and a password, kept in "
        "the bot's database (the password only as an argon2 hash).",
        "coordinators_command",
    )
    add = add_command(
        inner,
        "add",
        "add a coordinator (the password is asked for, twice)",
        "firstcontact coordinators add Anna",
        run_add,
        ADD_HELP,
    )
    add.add_argument("name", help="a first name or role, e.g. Anna (kept in the history)")
    add.add_argument(
        "--replace", action="store_true", help="give an existing coordinator a new password"
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts), not from the terminal",
    )
    add_command(
        inner,
        "list",
        "list the coordinators and when each was added (never a password)",
        "firstcontact coordinators list",
        run_list,
    )
    remove = add_command(
        inner,
        "remove",
        "remove a coordinator; their sign-ins end at once",
        "firstcontact coordinators remove Anna",
        run_remove,
    )
    remove.add_argument("name", help="the coordinator's name")


def _url() -> str | None:
    from bot.config import ConfigError, StoreSettings
    from storage.settings import MEMORY_URL

    try:
        url = StoreSettings.from_env().database_url
    except ConfigError as exc:
        exc.report("The coordinators cannot be read; fix these settings:")
        return None
    if url.strip() == MEMORY_URL:
        print(
            "Coordinators are kept in the bot's database, and memory:// keeps none; set "
            "FIRSTCONTACT_DATABASE_URL to the bot's database.",
            file=sys.stderr,
        )
        return None
    return url


async def _with_store(url: str, work):
    from storage.coordinators import CoordinatorStore

    store = await CoordinatorStore.open(url)
    try:
        return await work(store)
    finally:
        await store.close()


def _run(work) -> object:
    """Run `work(store)` on the bot's database; None after saying why it cannot be opened."""
    url = _url()
    if url is None:
        return None
    try:
        return asyncio.run(_with_store(url, work))
    except (OSError, ValueError) as exc:
        print(f"The coordinators cannot be read: {exc}", file=sys.stderr)
        return None


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass("Password (at least 12 characters): ")
        again = getpass.getpass("The same password again: ")
    except (EOFError, KeyboardInterrupt):
        print()
        return None
    if first != again:
        print("Nothing was changed: the two passwords differ.", file=sys.stderr)
        return None
    return first


def run_add(args: argparse.Namespace) -> int:
    from bot.coordinator_auth import Passwords, RefusedName, check_name

    try:
        name = check_name(args.name)
    except RefusedName as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    password = _password(args)
    if password is None:
        return 1
    try:
        hashed = Passwords().hash(password)
    except ValueError as exc:
        print(f"Nothing was changed: {exc}.", file=sys.stderr)
        return 1
    added = _run(lambda store: store.add(name, hashed, replace=args.replace))
    if added is None:
        return 1
    if not added:
        print(
            f"Nothing was changed: there is already a coordinator '{name}'; add --replace to "
            "give them a new password.",
            file=sys.stderr,
        )
        return 1
    what = "has a new password" if args.replace else "may sign in to the coordinator page"
    print(f"{name} {what}.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    found = _run(lambda store: store.names())
    if found is None:
        return 1
    if not found:
        print("No coordinators yet: add one with 'firstcontact coordinators add NAME'.")
        return 0
    for name, added in found:  # type: ignore[union-attr]
        when = datetime.fromtimestamp(added, UTC).strftime("%Y-%m-%d")
        print(f"{name}  (added {when})")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    name = " ".join(args.name.split())
    removed = _run(lambda store: store.remove(name))
    if removed is None:
        return 1
    if not removed:
        print(f"There is no coordinator '{name}'.", file=sys.stderr)
        return 1
    print(f"{name} may no longer sign in; their sign-ins have ended.")
    return 0
