"""The `firstcontact` command: one entry point, each subcommand in its own module."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# Each module has `register(subparsers)`; its subcommands set `func(args) -> int`.
COMMAND_MODULES = (
    "bot.commands.run",
    "bot.commands.chat",
    "bot.commands.flows",
    "bot.commands.referrals",
    "bot.commands.purge",
    "bot.commands.i18n",
    "bot.commands.intents",
    "bot.commands.stats",
    "bot.commands.coordinators",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="firstcontact",
        description="Anonymous first-contact chat for men facing domestic or partner violence.",
        epilog="Example: firstcontact chat --region NL",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
