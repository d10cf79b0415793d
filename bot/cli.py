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
    if not fill_paths(args):
        return 2
    return int(args.func(args) or 0)


# A command's path options left unset, and the DataPaths field that fills each.
PATH_OPTIONS = {
    "flows_dir": "flows_dir",
    "locales_dir": "locales_dir",
    "referrals": "referrals_file",
}


def fill_paths(args: argparse.Namespace) -> bool:
    """Fill --flows-dir, --locales-dir and --referrals left unset from the settings (the
    FIRSTCONTACT_* variables, else this checkout's folders) and keep the whole as args.paths;
    False after saying what is wrong."""
    from dataclasses import replace

    from bot.config import ConfigError, DataPaths

    given = [name for name in PATH_OPTIONS if hasattr(args, name)]
    if not given:
        return True
    unset = [name for name in given if getattr(args, name) is None]
    try:
        paths = DataPaths.from_env() if unset else DataPaths()
    except ConfigError as exc:
        exc.report(f"firstcontact {args.command}: fix these settings:")
        return False
    for name in unset:
        setattr(args, name, getattr(paths, PATH_OPTIONS[name]))
    args.paths = replace(paths, **{PATH_OPTIONS[name]: getattr(args, name) for name in given})
    return True


if __name__ == "__main__":
    sys.exit(main())
