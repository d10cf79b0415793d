"""Read YAML with line numbers kept, so every message can point a volunteer at file and line.

Flow files are read with libyaml (fast, start-up stays well under a second) into dicts and
lists that remember their lines. Files the tools rewrite (transcripts) are read round-trip
with ruamel.yaml, so their comments survive. Both follow YAML 1.2's plain rules: `yes`,
`no`, `on` and `off` stay text and `09:00` is not a number.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.engine.model import Where
from bot.problems import ERROR, DataError, Problem

_HINT = " (check the indentation and that text with a ':' is in quotes)"


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


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(ERROR, Where(str(path), 1), f"cannot read the file: {exc}")
        raise DataError([problem]) from None


def read_yaml(path: Path, round_trip: bool = False) -> Any:
    """Parse one file; a syntax error becomes a DataError with its line, never a traceback."""
    text = _read_text(path)
    if round_trip:
        return _read_round_trip(path, text)
    try:
        return yaml.load(text, Loader=_LineLoader)  # a safe loader (libyaml + SafeConstructor)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise DataError(
            [Problem(ERROR, Where(str(path), line), f"{exc.problem or 'not valid YAML'}{_HINT}")]
        ) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(ERROR, Where(str(path), 1), f"not valid YAML: {exc}")]) from None


def _read_round_trip(path: Path, text: str) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "the layout is not valid YAML"
        raise DataError([Problem(ERROR, Where(str(path), line), f"{what}{_HINT}")]) from None
    except YAMLError as exc:
        raise DataError([Problem(ERROR, Where(str(path), 1), f"not valid YAML: {exc}")]) from None


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
        if key is not None and isinstance(node, CommentedSeq) and isinstance(key, int):
            return node.lc.item(key)[0] + 1
        if hasattr(node, "lc") and node.lc.line is not None:
            return node.lc.line + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return default


def suggest(word: str, options: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ' (did you mean ...?)' hint for a misspelt name, or ''."""
    close = difflib.get_close_matches(str(word), sorted(map(str, options)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
