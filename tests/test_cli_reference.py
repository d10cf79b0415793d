"""The command reference (docs/cli.md) is what --help says, and every command is documented with
an example that runs, in the reference and (top-level commands) in the README, as sqlite-utils'
test_docs.py holds its CLI reference."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.cli import build_parser
from tests.auxil.clireference import command_words, commands, examples, reference

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "cli.md"
COMMANDS = [(path, parser) for path, parser in commands(build_parser()) if path]
IDS = [" ".join(path) for path, _ in COMMANDS]


def test_the_reference_is_what_help_says(update_goldens: bool) -> None:
    wanted = reference(build_parser())
    if update_goldens:
        REFERENCE.write_text(wanted, encoding="utf-8")
    assert REFERENCE.read_text("utf-8") == wanted, (
        "docs/cli.md is out of date: run pytest tests/test_cli_reference.py --update-goldens"
    )


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=IDS)
def test_every_command_has_an_example_that_parses(path, parser) -> None:
    assert parser.description, f"'firstcontact {' '.join(path)}' has no description"
    shown = examples(parser)
    assert shown, f"'firstcontact {' '.join(path)}' has no 'Example: firstcontact ...' in its help"
    for line in shown:
        words = command_words(line)
        assert words[0] == "firstcontact" and tuple(words[1 : 1 + len(path)]) == path, line
        build_parser().parse_args(words[1:])  # an example that no longer parses exits here


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=IDS)
def test_every_command_is_in_the_reference(path, parser) -> None:
    assert f"\n## firstcontact {' '.join(path)}\n" in REFERENCE.read_text("utf-8")


def test_the_readme_names_every_command_and_links_the_reference() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    named = set(re.findall(r"\bfirstcontact ([a-z][\w-]*)", readme))
    missing = sorted({path[0] for path, _ in COMMANDS} - named)
    assert missing == [], f"README does not mention: {missing}"
    assert "docs/cli.md" in readme


# The checks above must fail when what they look for is missing.


def test_a_command_without_an_example_or_section_is_found() -> None:
    top = argparse.ArgumentParser(prog="firstcontact")
    sub = top.add_subparsers()
    sub.add_parser("bare", help="no example", description="no example")
    ((path, parser),) = [(p, c) for p, c in commands(top) if p]
    assert path == ("bare",) and examples(parser) == []
    assert "## firstcontact bare\n" in reference(top)
    assert "## firstcontact bare\n" not in REFERENCE.read_text("utf-8")


def test_an_example_is_read_as_the_program_gets_it() -> None:
    line = "FIRSTCONTACT_X=1 firstcontact flows show 'main' > main.md"
    assert command_words(line) == ["firstcontact", "flows", "show", "main"]
    assert command_words("firstcontact run   (the web chat)") == ["firstcontact", "run"]
