"""Read YAML with line numbers kept, so every message can point a volunteer at file and line."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.engine.model import Where
from bot.problems import ERROR, DataError, Problem


def read_yaml(path: Path) -> Any:
    """Parse one file round-trip (comments kept); a syntax error becomes a DataError with a line."""
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(ERROR, Where(str(path), 1), f"cannot read the file: {exc}")
        raise DataError([problem]) from None
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "the layout is not valid YAML"
        hint = " (check the indentation and that text with a ':' is in quotes)"
        raise DataError([Problem(ERROR, Where(str(path), line), f"{what}{hint}")]) from None
    except YAMLError as exc:
        raise DataError([Problem(ERROR, Where(str(path), 1), f"not valid YAML: {exc}")]) from None


def line_of(node: Any, key: Any = None, default: int = 1) -> int:
    """1-based line of a mapping key (or of the node itself) as ruamel recorded it."""
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
    close = difflib.get_close_matches(str(word), sorted(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
