"""One way to declare a (sub)command, so every command has a description and an example."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_command(
    sub,
    name: str,
    help_: str,
    example: str,
    func: Callable[[argparse.Namespace], int] | None = None,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """A subparser whose --help ends with 'Example: <example>'; `func` runs it."""
    parser = sub.add_parser(
        name,
        help=help_,
        description=description or help_,
        epilog=f"Example: {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if func is not None:
        parser.set_defaults(func=func)
    return parser


def add_group(sub, name: str, help_: str, example: str, description: str, dest: str):
    """A command with actions of its own ('flows check'); bare, it prints its help."""
    group = add_command(sub, name, help_, example, description=description)
    group.set_defaults(func=lambda args: group.print_help() or 2)
    return group.add_subparsers(dest=dest, metavar="ACTION")
