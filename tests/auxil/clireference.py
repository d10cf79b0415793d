"""docs/cli.md written from every command's --help, so the reference cannot drift from the code."""

from __future__ import annotations

import argparse
import os
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager

WIDTH = "100"  # help is wrapped to the terminal; the reference always to this width
HEADER = """\
# Command reference

Every `firstcontact` command with its `--help`, generated from the code: do not edit by hand.
After changing a command, rewrite it with
`.venv/bin/pytest tests/test_cli_reference.py --update-goldens` and read the diff.
"""


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(path, parser) for the program and every command and action below it, in help order."""
    yield path, parser
    for action in parser._actions:  # argparse has no public way to walk its subcommands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


def examples(parser: argparse.ArgumentParser) -> list[str]:
    """The 'Example: firstcontact ...' lines at the end of a command's help, without the label."""
    lines = (parser.epilog or "").splitlines()
    return [
        line.removeprefix("Example: ").strip() for line in lines if line.startswith("Example: ")
    ]


def command_words(example: str) -> list[str]:
    """The words of an example the program itself gets: no VAR=value before it, no > after it,
    no '  (comment)' or '  # comment' after it."""
    words = shlex.split(re.split(r"\s{2,}(?=[(#])", example)[0])
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        words.pop(0)
    for index, word in enumerate(words):
        if word in (">", ">>", "<", "|", "&&", ";"):
            return words[:index]
    return words


@contextmanager
def fixed_width() -> Iterator[None]:
    """argparse wraps help to COLUMNS; the reference must not depend on the terminal."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def reference(parser: argparse.ArgumentParser) -> str:
    """The whole of docs/cli.md: a contents list, then one section per command."""
    found = list(commands(parser))
    titles = [" ".join(("firstcontact", *path)) for path, _ in found]
    contents = [f"- [{title}](#{title.replace(' ', '-')})" for title in titles]
    sections = []
    with fixed_width():
        for title, (_, command) in zip(titles, found, strict=True):
            sections.append(f"## {title}\n\n```\n{command.format_help().rstrip()}\n```\n")
    return HEADER + "\n" + "\n".join(contents) + "\n\n" + "\n".join(sections)
