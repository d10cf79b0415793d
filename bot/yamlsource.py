"""The one YAML reader, lines kept, so every message can point a volunteer at file and line.

Flow, intent and recognition files are read with libyaml (fast, start-up stays well under a
second) into dicts and lists that remember their lines. Files the tools rewrite (the referral
directory, transcripts) are read round-trip with ruamel.yaml, so their comments survive. Both
follow YAML 1.2's plain rules: `yes`, `no`, `on` and `off` stay text and `09:00` is not a
number.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from bot.problems import ERROR, DataError, Problem, Where
from bot.yaml_mistakes import UNREADABLE, explain

DATE_RE = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])")


class LinedDict(dict):
    """A mapping that knows the line of each key (1-based) and of itself."""

    __slots__ = ("key_lines", "line")


class LinedList(list):
    """A sequence that knows the line of each item (1-based) and of itself."""

    __slots__ = ("item_lines", "line")


class _LineLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """libyaml's parser, YAML 1.2 scalars, containers that remember lines."""


_LineLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag
        not in (
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:timestamp",
        )
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> LinedDict:
    out = LinedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"the name '{key}' appears twice in the same block", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LinedList:
    out = LinedList(loader.construct_object(item, deep=True) for item in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [item.start_mark.line + 1 for item in node.value]
    return out


_LineLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def read_text(path: Path, what: str = "the file", missing: str = "check the path") -> str:
    """The file's text, or a DataError that says what is wrong in words."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem(ERROR, Where(str(path), 1), f"{what} does not exist ({missing})")
        raise DataError([problem]) from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(ERROR, Where(str(path), 1), f"{what} cannot be read: {exc}")
        raise DataError([problem]) from None


def read_yaml(path: Path) -> Any:
    """Parse one file fast; a syntax error becomes a DataError with its line, never a traceback."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)  # a safe loader (libyaml + SafeConstructor)
    except yaml.YAMLError as exc:
        raise _in_plain_words(exc, str(path), text) from None


def round_trip_yaml() -> YAML:
    """One configuration for reading and writing, so an edit changes only the edited lines."""
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096  # never fold a long line someone wrote on one line
    return rt


def parse_round_trip(text: str, file: str) -> Any:
    """Parse text keeping comments and lines; a syntax error becomes a DataError at its line."""
    try:
        return round_trip_yaml().load(text)
    except YAMLError as exc:
        raise _in_plain_words(exc, file, text) from None
    except ValueError:  # YAML reads 2026-13-01 as a date and fails on the month
        raise DataError([_impossible_date(text, file)]) from None


def _in_plain_words(exc: Exception, file: str, text: str) -> DataError:
    """A parser's complaint as the line to look at and what to do there (bot/yaml_mistakes.py)."""
    line, message = explain(exc, text) if hasattr(exc, "problem") else (1, UNREADABLE)
    return DataError([Problem(ERROR, Where(file, line), message)])


def _impossible_date(text: str, file: str) -> Problem:
    """The first date written in the file that does not exist, with its line."""
    for number, line in enumerate(text.splitlines(), start=1):
        for found in DATE_RE.finditer(line.split("#", 1)[0]):
            try:
                date.fromisoformat(found.group(1))
            except ValueError:
                message = (
                    f"the date {found.group(1)} does not exist; write a real date as YYYY-MM-DD"
                )
                return Problem(ERROR, Where(file, number), message)
    return Problem(ERROR, Where(file, 1), "the file holds a value YAML cannot read")


def line_of(node: Any, key: Any = None, default: int = 1) -> int:
    """1-based line of a mapping key or list item (or of the node itself)."""
    if isinstance(node, LinedDict):
        return node.key_lines.get(key, node.line) if key is not None else node.line
    if isinstance(node, LinedList):
        if isinstance(key, int) and 0 <= key < len(node.item_lines):
            return node.item_lines[key]
        return node.line
    try:
        if key is not None and isinstance(node, CommentedMap) and key in node:
            return node.lc.key(key)[0] + 1
        if isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            return node.lc.item(key)[0] + 1
        if hasattr(node, "lc") and node.lc.line is not None:
            return node.lc.line + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return default
